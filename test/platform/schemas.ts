import { readFileSync, readdirSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";

/**
 * Validates rendered Kubernetes objects against their schemas: core kinds with kubernetes-models
 * (the Kubernetes OpenAPI schemas), custom resources with ajv against the `openAPIV3Schema` of
 * their CRD (test/fixtures/crds, SOURCES.md says where each came from). Like the API server's
 * strict field validation, a CRD object with a field its schema does not declare is an error.
 */
export interface K8sDoc {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string };
  [field: string]: unknown;
}

const CRD_DIR = new URL("../fixtures/crds/", import.meta.url);

interface CrdFixture {
  group: string;
  kind: string;
  version: string;
  schema: Record<string, unknown>;
}

let crdValidators: Map<string, ValidateFunction> | undefined;

function crds(): Map<string, ValidateFunction> {
  if (crdValidators) return crdValidators;
  // CRDs are written for Go's regexp, where (?i) makes the rest case-insensitive
  const regExp = Object.assign(
    (pattern: string, flags: string) =>
      pattern.includes("(?i)")
        ? new RegExp(pattern.replaceAll("(?i)", ""), `${flags}i`)
        : new RegExp(pattern, flags),
    { code: "new RegExp" },
  );
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp } });
  const map = new Map<string, ValidateFunction>();
  for (const file of readdirSync(CRD_DIR).filter((f) => f.endsWith(".json"))) {
    const crd = JSON.parse(readFileSync(new URL(file, CRD_DIR), "utf8")) as CrdFixture;
    // the API server accepts apiVersion, kind and metadata on every object, declared or not
    const root = {
      ...crd.schema,
      properties: {
        apiVersion: { type: "string" },
        kind: { type: "string" },
        metadata: { type: "object" },
        ...(crd.schema.properties as object),
      },
    };
    map.set(`${crd.group}/${crd.version}/${crd.kind}`, ajv.compile(structural(root) as object));
  }
  crdValidators = map;
  return map;
}

/**
 * A CRD schema as JSON Schema: objects that declare properties (and do not preserve unknown fields)
 * reject undeclared ones; `x-kubernetes-int-or-string` accepts both; `nullable` allows null.
 */
function structural(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(structural);
  if (node === null || typeof node !== "object") return node;
  const s = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === "properties" && v && typeof v === "object") {
      out[k] = Object.fromEntries(Object.entries(v).map(([name, sub]) => [name, structural(sub)]));
    } else {
      out[k] = structural(v);
    }
  }
  if (s["x-kubernetes-int-or-string"] === true) {
    delete out.type;
    if (!out.anyOf) out.anyOf = [{ type: "integer" }, { type: "string" }];
  }
  if (out.nullable !== undefined) {
    // OpenAPI's nullable as JSON Schema: null is one more allowed type
    if (out.nullable === true && typeof out.type === "string") out.type = [out.type, "null"];
    delete out.nullable;
  }
  if (
    s.properties &&
    s.additionalProperties === undefined &&
    s["x-kubernetes-preserve-unknown-fields"] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

/** `kubernetes-models/apps/v1/Deployment`, `kubernetes-models/v1/Service`, or undefined for CRDs. */
function coreModule(apiVersion: string, kind: string): string {
  return `kubernetes-models/${apiVersion}/${kind}`;
}

/** Problems of one object (empty when it validates). */
export async function validateObject(doc: K8sDoc): Promise<string[]> {
  const where = `${doc.kind}/${doc.metadata?.name ?? "?"}`;
  if (!doc.metadata?.name) return [`${where}: metadata.name missing`];
  const group = doc.apiVersion.includes("/") ? doc.apiVersion : `core/${doc.apiVersion}`;
  const crd = crds().get(`${group}/${doc.kind}`);
  if (crd) {
    if (crd(doc)) return [];
    return (crd.errors ?? []).map(
      (e) => `${where}: ${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`,
    );
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(coreModule(doc.apiVersion, doc.kind))) as Record<string, unknown>;
  } catch {
    return [
      `${where}: no schema for ${doc.apiVersion} ${doc.kind} (neither kubernetes-models nor test/fixtures/crds)`,
    ];
  }
  const Model = mod[doc.kind] as new (data: unknown) => { validate(): void };
  try {
    new Model(doc).validate();
    return [];
  } catch (e) {
    return [`${where}: ${(e as Error).message}`];
  }
}
