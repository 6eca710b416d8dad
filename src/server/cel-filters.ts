import { Environment } from "@marcbachmann/cel-js";
import { badRequest } from "../core/errors.ts";
import type { CommitMeta, ContentKey, Operation, Reference, ReferenceMetadata } from "../versioning/model.ts";
import { keyToPathString } from "./key-path.ts";

/**
 * CEL `filter` parameters with the variables Nessie declares (servers/services … cel/CELUtil.java):
 * references see `ref` (name, hash), `refType`, `commit` (HEAD's CommitMeta) and `refMeta`;
 * entries see `entry`; the commit log sees `commit` and `operations`; diffs see `key`. Keyed
 * values expose Nessie's KeyedEntityForCel fields. A filter that does not parse, names an unknown
 * variable or field, or is not boolean is a 400, and so is one that fails while evaluating.
 */
type Filter<T> = (value: T) => boolean;

const COMMIT_META_SCHEMA = {
  hash: "string",
  committer: "string",
  author: "string",
  authors: "list<string>",
  signedOffBy: "string",
  allSignedOffBy: "list<string>",
  message: "string",
  // dyn: a timestamp, or null where Nessie has none (references fetched without metadata).
  commitTime: "dyn",
  authorTime: "dyn",
  properties: "map<string, string>",
  allProperties: "map<string, list<string>>",
  parentCommitHashes: "list<string>",
};

const KEYED_SCHEMA = {
  keyElements: "list<string>",
  key: "string",
  encodedKey: "string",
  namespaceElements: "list<string>",
  namespace: "string",
  name: "string",
};

function environment(): Environment {
  // Nessie filters may say timestamp(commit.commitTime): accept a timestamp there as well.
  return new Environment({ unlistedVariablesAreDyn: false }).registerFunction(
    "timestamp(google.protobuf.Timestamp): google.protobuf.Timestamp",
    (t: Date) => t,
  );
}

const referencesEnv = environment()
  .registerVariable({ name: "ref", schema: { name: "string", hash: "string" } })
  .registerVariable("refType", "string")
  .registerVariable({ name: "commit", schema: COMMIT_META_SCHEMA })
  .registerVariable({
    name: "refMeta",
    schema: {
      numCommitsAhead: "dyn",
      numCommitsBehind: "dyn",
      commitMetaOfHEAD: "dyn",
      commonAncestorHash: "dyn",
      numTotalCommits: "dyn",
    },
  });

const entriesEnv = environment().registerVariable({
  name: "entry",
  schema: { ...KEYED_SCHEMA, contentType: "string" },
});

const logEnv = environment()
  .registerVariable({ name: "commit", schema: COMMIT_META_SCHEMA })
  .registerVariable("operations", "list<map<string, dyn>>");

const diffEnv = environment().registerVariable({ name: "key", schema: KEYED_SCHEMA });

function compile(
  env: Environment,
  expression: string | undefined,
): Filter<Record<string, unknown>> | undefined {
  if (expression === undefined || expression.trim() === "") return undefined;
  let fn: (ctx: Record<string, unknown>) => unknown;
  try {
    const checked = env.check(expression);
    if (!checked.valid) throw checked.error ?? new Error("invalid expression");
    if (checked.type !== "bool" && checked.type !== "dyn") {
      throw new Error(`it evaluates to ${checked.type}, not to a bool`);
    }
    fn = env.parse(expression) as unknown as (ctx: Record<string, unknown>) => unknown;
  } catch (e) {
    throw badRequest(`invalid filter expression '${expression}': ${firstLine(e)}`);
  }
  return (ctx) => {
    let result: unknown;
    try {
      result = fn(ctx);
    } catch (e) {
      throw badRequest(`filter expression '${expression}' failed: ${firstLine(e)}`);
    }
    if (typeof result !== "boolean") {
      throw badRequest(`filter expression '${expression}' did not evaluate to a bool`);
    }
    return result;
  };
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";
}

function commitMetaForCel(meta: CommitMeta | undefined): Record<string, unknown> {
  return {
    hash: meta?.hash ?? "",
    committer: meta?.committer ?? "",
    author: meta?.authors[0] ?? "",
    authors: meta?.authors ?? [],
    signedOffBy: meta?.allSignedOffBy[0] ?? "",
    allSignedOffBy: meta?.allSignedOffBy ?? [],
    message: meta?.message ?? "",
    commitTime: meta ? new Date(meta.commitTime) : null,
    authorTime: meta ? new Date(meta.authorTime) : null,
    properties: meta?.properties ?? {},
    allProperties: meta?.allProperties ?? {},
    parentCommitHashes: meta?.parentCommitHashes ?? [],
  };
}

function keyForCel(key: ContentKey): Record<string, unknown> {
  const namespace = key.slice(0, -1);
  return {
    keyElements: key,
    key: key.join("."),
    encodedKey: keyToPathString(key),
    namespaceElements: namespace,
    namespace: keyToPathString(namespace),
    name: key[key.length - 1] ?? "",
  };
}

const bigintOrNull = (n: number | undefined): bigint | null => (n === undefined ? null : BigInt(n));

export function referenceFilter(
  expression: string | undefined,
): Filter<{ ref: Reference; metadata?: ReferenceMetadata }> | undefined {
  const filter = compile(referencesEnv, expression);
  if (!filter) return undefined;
  return ({ ref, metadata }) =>
    filter({
      ref: { name: ref.name, hash: ref.hash },
      refType: ref.type,
      commit: commitMetaForCel(metadata?.commitMetaOfHEAD),
      refMeta: {
        numCommitsAhead: bigintOrNull(metadata?.numCommitsAhead),
        numCommitsBehind: bigintOrNull(metadata?.numCommitsBehind),
        commitMetaOfHEAD: commitMetaForCel(metadata?.commitMetaOfHEAD),
        commonAncestorHash: metadata?.commonAncestorHash ?? null,
        numTotalCommits: bigintOrNull(metadata?.numTotalCommits),
      },
    });
}

export function entryFilter(
  expression: string | undefined,
): Filter<{ key: ContentKey; type: string }> | undefined {
  const filter = compile(entriesEnv, expression);
  if (!filter) return undefined;
  return ({ key, type }) => filter({ entry: { ...keyForCel(key), contentType: type } });
}

export function logFilter(
  expression: string | undefined,
): Filter<{ meta: CommitMeta; operations?: readonly Operation[] }> | undefined {
  const filter = compile(logEnv, expression);
  if (!filter) return undefined;
  return ({ meta, operations }) =>
    filter({
      commit: commitMetaForCel(meta),
      operations: (operations ?? []).map((op) => ({
        ...keyForCel(op.key),
        type: op.type,
        content: op.type === "PUT" ? { type: op.content.type, id: op.content.id ?? "" } : null,
      })),
    });
}

export function diffFilter(expression: string | undefined): Filter<ContentKey> | undefined {
  const filter = compile(diffEnv, expression);
  if (!filter) return undefined;
  return (key) => filter({ key: keyForCel(key) });
}
