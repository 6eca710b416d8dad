// Extracts the openAPIV3Schema of chosen CustomResourceDefinitions into test/fixtures/crds/, for
// the platform tests that validate every rendered custom resource (test/platform/schemas.ts).
//
//   node scripts/extract-crd-schemas.mjs SOURCE-LABEL CRD.yaml [GROUP/KIND/VERSION …]
//
// Descriptions are dropped (they are most of a CRD's size and no part of validation); everything
// else is kept as the CRD states it. test/fixtures/crds/SOURCES.md records where each file came from.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const [source, file, ...wanted] = process.argv.slice(2);
if (!source || !file) {
  console.error("usage: node scripts/extract-crd-schemas.mjs SOURCE-LABEL CRD.yaml [GROUP/KIND/VERSION …]");
  process.exit(2);
}

function strip(node) {
  if (Array.isArray(node)) return node.map(strip);
  if (node === null || typeof node !== "object") return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "description" && typeof v === "string") continue;
    out[k] = strip(v);
  }
  return out;
}

const out = new URL("../test/fixtures/crds/", import.meta.url);
mkdirSync(out, { recursive: true });
for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
  const crd = doc.toJS();
  if (crd?.kind !== "CustomResourceDefinition") continue;
  const { group, names } = crd.spec;
  for (const v of crd.spec.versions) {
    const id = `${group}/${names.kind}/${v.name}`;
    if (wanted.length > 0 && !wanted.includes(id)) continue;
    const name = `${group}_${names.kind}_${v.name}.json`;
    const body = {
      source,
      group,
      kind: names.kind,
      version: v.name,
      schema: strip(v.schema.openAPIV3Schema),
    };
    writeFileSync(new URL(name, out), `${JSON.stringify(body)}\n`);
    console.log(name);
  }
}
