import { badRequest } from "../core/errors.ts";
import { checkKey } from "../versioning/keys.ts";
import type {
  CommitMetaInput,
  ContentKey,
  KeyMergeMode,
  MergeBehavior,
  MergeOptions,
  Operation,
} from "../versioning/model.ts";
import { checkRefName, printable } from "../versioning/ref-spec.ts";
import { isObject, parseContent } from "./content-body.ts";

/**
 * Request bodies of the Nessie API v2, checked field by field: a wrong JSON type, a missing
 * required field or an unknown enum value is a 400 that names the field. Unknown fields are
 * ignored, as Nessie's Jackson configuration does.
 */

/** A hash with optional relative parts, or relative parts alone (Validation.HASH_OR_RELATIVE_COMMIT_SPEC_REGEX). */
const HASH_OR_RELATIVE =
  /^([0-9a-fA-F]{8,64})?(([~*^])([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,9})?Z|([0-9]+)))*$/;

function object(body: unknown, what: string): Record<string, unknown> {
  if (!isObject(body)) throw badRequest(`${what} must be a JSON object`);
  return body;
}

function optString(o: Record<string, unknown>, name: string, path: string): string | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw badRequest(`${path}.${name} must be a string`);
  return v;
}

function optBool(o: Record<string, unknown>, name: string, path: string): boolean | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw badRequest(`${path}.${name} must be true or false`);
  return v;
}

function optStrings(o: Record<string, unknown>, name: string, path: string): string[] | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((e) => typeof e !== "string")) {
    throw badRequest(`${path}.${name} must be an array of strings`);
  }
  return v as string[];
}

export function checkHashOrRelative(hash: string, path: string): string {
  if (hash === "" || !HASH_OR_RELATIVE.test(hash)) {
    throw badRequest(
      `${path} '${printable(hash)}' must be a commit hash (8 to 64 hex digits), optionally followed by ~N, ^N or *timestamp`,
    );
  }
  return hash;
}

function parseKey(v: unknown, path: string): ContentKey {
  if (!isObject(v) || !Array.isArray(v.elements)) throw badRequest(`${path} must be {"elements": [...]}`);
  return checkKey(v.elements, path);
}

/** A Reference (Branch, Tag or Detached) naming a commit: the source of create and assign. */
interface RefBody {
  readonly type: "BRANCH" | "TAG" | "DETACHED";
  readonly name?: string;
  readonly hash?: string;
}

export function parseReferenceBody(body: unknown, what: string): RefBody | undefined {
  if (body === undefined || body === null) return undefined;
  const o = object(body, what);
  const type = o.type;
  if (type !== "BRANCH" && type !== "TAG" && type !== "DETACHED") {
    throw badRequest(`${what}.type must be BRANCH, TAG or DETACHED`);
  }
  const hashText = optString(o, "hash", what);
  const hash = hashText === undefined ? undefined : checkHashOrRelative(hashText, `${what}.hash`);
  if (type === "DETACHED") return { type, ...(hash !== undefined ? { hash } : {}) };
  const name = optString(o, "name", what);
  if (name === undefined) throw badRequest(`${what}.name is required for a ${type}`);
  return { type, name: checkRefName(name), ...(hash !== undefined ? { hash } : {}) };
}

/**
 * Commit metadata from a client, in Nessie's v2 form (`authors`, `allSignedOffBy`,
 * `allProperties`) or v1 form (`author`, `signedOffBy`, `properties`). Server-set fields must be
 * absent, as Nessie requires.
 */
function parseCommitMeta(v: unknown, path: string): CommitMetaInput {
  const o = object(v, path);
  for (const serverField of ["committer", "commitTime", "hash"]) {
    if (o[serverField] !== undefined && o[serverField] !== null) {
      throw badRequest(`${path}.${serverField} cannot be set by the client: the server sets it`);
    }
  }
  const parents = optStrings(o, "parentCommitHashes", path);
  if (parents && parents.length > 0) {
    throw badRequest(`${path}.parentCommitHashes cannot be set by the client: the server sets it`);
  }
  const meta: {
    message?: string;
    authors?: string[];
    allSignedOffBy?: string[];
    authorTime?: string;
    allProperties?: Record<string, string[]>;
  } = {};
  const message = optString(o, "message", path);
  if (message !== undefined) meta.message = message;
  const authors = optStrings(o, "authors", path) ?? single(optString(o, "author", path));
  if (authors) meta.authors = authors;
  const signedOff = optStrings(o, "allSignedOffBy", path) ?? single(optString(o, "signedOffBy", path));
  if (signedOff) meta.allSignedOffBy = signedOff;
  const authorTime = optString(o, "authorTime", path);
  if (authorTime !== undefined) {
    if (Number.isNaN(Date.parse(authorTime)))
      throw badRequest(`${path}.authorTime must be an ISO-8601 instant`);
    meta.authorTime = new Date(authorTime).toISOString();
  }
  const properties = parseProperties(o, path);
  if (properties) meta.allProperties = properties;
  return meta;
}

const single = (s: string | undefined): string[] | undefined => (s === undefined ? undefined : [s]);

function parseProperties(o: Record<string, unknown>, path: string): Record<string, string[]> | undefined {
  const all = o.allProperties;
  if (all !== undefined && all !== null) {
    if (
      !isObject(all) ||
      Object.values(all).some((l) => !Array.isArray(l) || l.some((e) => typeof e !== "string"))
    ) {
      throw badRequest(`${path}.allProperties must map names to arrays of strings`);
    }
    return all as Record<string, string[]>;
  }
  const props = o.properties;
  if (props === undefined || props === null) return undefined;
  if (!isObject(props) || Object.values(props).some((e) => typeof e !== "string")) {
    throw badRequest(`${path}.properties must map names to strings`);
  }
  return Object.fromEntries(Object.entries(props).map(([k, s]) => [k, [s as string]]));
}

/** The body of a commit: Nessie's `Operations`. */
export function parseOperationsBody(body: unknown): { meta: CommitMetaInput; operations: Operation[] } {
  const o = object(body, "request body");
  if (o.commitMeta === undefined || o.commitMeta === null) throw badRequest("commitMeta is required");
  const meta = parseCommitMeta(o.commitMeta, "commitMeta");
  if (meta.message === undefined || meta.message.trim() === "") {
    throw badRequest("commitMeta.message must not be blank");
  }
  if (!Array.isArray(o.operations)) throw badRequest("operations must be an array");
  const operations = o.operations.map((op, i) => parseOperation(op, `operations[${i}]`));
  return { meta, operations };
}

function parseOperation(v: unknown, path: string): Operation {
  const o = object(v, path);
  const key = parseKey(o.key, `${path}.key`);
  switch (o.type) {
    case "PUT":
      if (o.content === undefined || o.content === null)
        throw badRequest(`${path}.content is required for PUT`);
      return { type: "PUT", key, content: parseContent(o.content, `${path}.content`) };
    case "DELETE":
    case "UNCHANGED":
      return { type: o.type, key };
    default:
      throw badRequest(
        `${path}.type must be PUT, DELETE or UNCHANGED, got ${o.type === undefined ? "nothing" : `'${printable(String(o.type))}'`}`,
      );
  }
}

const MERGE_BEHAVIORS: readonly MergeBehavior[] = ["NORMAL", "FORCE", "DROP"];

function parseMergeBehavior(v: unknown, path: string): MergeBehavior {
  if (typeof v !== "string" || !(MERGE_BEHAVIORS as readonly string[]).includes(v)) {
    throw badRequest(`${path} must be NORMAL, FORCE or DROP`);
  }
  return v as MergeBehavior;
}

interface MergeTransplantBody {
  readonly fromRefName: string;
  readonly message?: string;
  readonly commitMeta?: CommitMetaInput;
  readonly options: MergeOptions;
}

/** What Merge and Transplant share (Nessie's BaseMergeTransplant). */
function parseMergeTransplant(o: Record<string, unknown>, what: string): MergeTransplantBody {
  const fromRefName = optString(o, "fromRefName", what);
  if (fromRefName === undefined) throw badRequest(`${what}.fromRefName is required`);
  checkRefName(fromRefName);
  const message = optString(o, "message", what);
  const options: {
    defaultKeyMergeMode?: MergeBehavior;
    keyMergeModes?: KeyMergeMode[];
    dryRun?: boolean;
    returnConflictAsResult?: boolean;
  } = {};
  if (o.defaultKeyMergeMode !== undefined && o.defaultKeyMergeMode !== null) {
    options.defaultKeyMergeMode = parseMergeBehavior(o.defaultKeyMergeMode, `${what}.defaultKeyMergeMode`);
  }
  if (o.keyMergeModes !== undefined && o.keyMergeModes !== null) {
    if (!Array.isArray(o.keyMergeModes)) throw badRequest(`${what}.keyMergeModes must be an array`);
    options.keyMergeModes = o.keyMergeModes.map((m, i) =>
      parseKeyMergeMode(m, `${what}.keyMergeModes[${i}]`),
    );
  }
  const dryRun = optBool(o, "dryRun", what);
  if (dryRun !== undefined) options.dryRun = dryRun;
  optBool(o, "fetchAdditionalInfo", what);
  const asResult = optBool(o, "returnConflictAsResult", what);
  if (asResult !== undefined) options.returnConflictAsResult = asResult;
  return { fromRefName, ...(message !== undefined ? { message } : {}), options };
}

function parseKeyMergeMode(v: unknown, path: string): KeyMergeMode {
  const o = object(v, path);
  const mode: {
    key: ContentKey;
    mergeBehavior: MergeBehavior;
    expectedTargetContent?: ReturnType<typeof parseContent>;
    resolvedContent?: ReturnType<typeof parseContent>;
  } = {
    key: parseKey(o.key, `${path}.key`),
    mergeBehavior: parseMergeBehavior(o.mergeBehavior, `${path}.mergeBehavior`),
  };
  if (o.expectedTargetContent !== undefined && o.expectedTargetContent !== null) {
    mode.expectedTargetContent = parseContent(o.expectedTargetContent, `${path}.expectedTargetContent`);
  }
  if (o.resolvedContent !== undefined && o.resolvedContent !== null) {
    mode.resolvedContent = parseContent(o.resolvedContent, `${path}.resolvedContent`);
  }
  return mode as KeyMergeMode;
}

export function parseMergeBody(body: unknown): MergeTransplantBody & { fromHash?: string } {
  const o = object(body, "merge");
  const base = parseMergeTransplant(o, "merge");
  const fromHash = optString(o, "fromHash", "merge");
  const commitMeta =
    o.commitMeta === undefined || o.commitMeta === null
      ? undefined
      : parseCommitMeta(o.commitMeta, "merge.commitMeta");
  return {
    ...base,
    ...(commitMeta ? { commitMeta } : {}),
    ...(fromHash !== undefined ? { fromHash: checkHashOrRelative(fromHash, "merge.fromHash") } : {}),
  };
}

export function parseTransplantBody(body: unknown): MergeTransplantBody & { hashes: string[] } {
  const o = object(body, "transplant");
  const base = parseMergeTransplant(o, "transplant");
  const hashes = optStrings(o, "hashesToTransplant", "transplant");
  if (!hashes || hashes.length === 0)
    throw badRequest("transplant.hashesToTransplant must list at least one hash");
  hashes.forEach((h, i) => checkHashOrRelative(h, `transplant.hashesToTransplant[${i}]`));
  return { ...base, hashes };
}

export function parseRequestedKeys(body: unknown): ContentKey[] {
  const o = object(body, "request body");
  if (!Array.isArray(o.requestedKeys)) throw badRequest("requestedKeys must be an array of content keys");
  return o.requestedKeys.map((k, i) => parseKey(k, `requestedKeys[${i}]`));
}
