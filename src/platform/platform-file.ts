import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { Document, isMap, isScalar, parse as parseYaml } from "yaml";
import { badRequest, isFloeError } from "../core/errors.ts";
import { PLATFORM, type PlatformDefinition, defaultPlatform } from "./definition.ts";
import type { Field } from "./fields.ts";

/** Where `floe platform …` looks for the definition unless `--file` names another. */
export const PLATFORM_FILE = "floe.platform.yaml";

/**
 * Reads and checks a platform definition. Every error is one line naming the file and the field,
 * e.g. `floe.platform.yaml: catalog.replicas: expected an integer 1-20, got 'two'`.
 */
export function readPlatformFile(file: string, cwd = process.cwd()): PlatformDefinition {
  const path = resolve(cwd, file);
  if (!existsSync(path)) throw badRequest(`${file} does not exist (create one with 'floe platform init')`);
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, "utf8"));
  } catch (e) {
    throw badRequest(`${file}: not valid YAML: ${((e as Error).message.split("\n")[0] ?? "").trim()}`);
  }
  return parsePlatform(doc, file);
}

/** Checks a parsed document (`source` names it in errors). */
export function parsePlatform(doc: unknown, source: string): PlatformDefinition {
  try {
    return PLATFORM.parse(doc ?? undefined, "");
  } catch (e) {
    if (isFloeError(e)) throw badRequest(`${source}: ${e.message}`);
    throw e;
  }
}

/** The YAML `floe platform init` writes: every setting with its default, commented. */
export function platformYaml(def: PlatformDefinition = defaultPlatform()): string {
  const header = [
    "# floe platform definition: the cluster's facts, component versions and sizes.",
    "# Every setting is optional; an absent one takes the default shown here.",
    "# Reference: docs/platform.md. Check it with: floe platform render --dry-run",
    "",
    "",
  ].join("\n");
  const doc = new Document(def);
  annotate(doc.contents, PLATFORM);
  return header + doc.toString({ lineWidth: 0 });
}

/** Puts each field's `doc` above its key. */
function annotate(node: unknown, field: Field<unknown>): void {
  const shape = (field as { shape?: Record<string, Field<unknown>> }).shape;
  if (!shape || !isMap(node)) return;
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    const child = shape[key];
    if (!child) continue;
    if (child.doc && isScalar(pair.key)) pair.key.commentBefore = ` ${child.doc}`;
    annotate(pair.value, child);
  }
}

/** Writes the default definition; refuses to replace an existing file unless `force`. */
export function writePlatformFile(file: string, force: boolean, cwd = process.cwd()): string {
  const path = resolve(cwd, file);
  if (existsSync(path) && !force) throw badRequest(`${file} exists already (--force replaces it)`);
  writeFileSync(path, platformYaml());
  return path;
}
