import type { VersionStoreApi } from "../../versioning/api.ts";
import type { ContentKey } from "../../versioning/model.ts";
import { contentNotFound } from "../error-map.ts";
import { effectiveReferenceJson, keyJson } from "../mappers.ts";
import { parseKeyParam, queryBool, queryKeys, type Query } from "../query.ts";
import { resolveForRead } from "../ref-resolution.ts";
import { parseRequestedKeys } from "../request-bodies.ts";
import type { TreeMethods, TreeRequest } from "./context.ts";

/** Contents by key: one (404 when absent), or several (absent keys are left out). */

/** floe stores no documentation, so `with-doc` changes nothing; `for-write` only matters for authz. */
function checkFlags(query: Query): void {
  queryBool(query, "with-doc");
  queryBool(query, "for-write");
}

async function getContent({ store, params, query }: TreeRequest): Promise<unknown> {
  checkFlags(query);
  const key = parseKeyParam(params[1] as string, "key");
  const resolved = await resolveForRead(store, params[0] as string);
  const [entry] = await store.getContents(resolved.hash, [key]);
  if (!entry) throw contentNotFound(key, resolved.reference?.name ?? "DETACHED");
  return { content: entry.content, effectiveReference: effectiveReferenceJson(resolved) };
}

async function contentsOf(store: VersionStoreApi, refText: string, keys: ContentKey[]): Promise<unknown> {
  const resolved = await resolveForRead(store, refText);
  const entries = keys.length === 0 ? [] : await store.getContents(resolved.hash, keys);
  return {
    contents: entries.map((e) => ({ key: keyJson(e.key), content: e.content })),
    effectiveReference: effectiveReferenceJson(resolved),
  };
}

async function getSeveralContents({ store, params, query }: TreeRequest): Promise<unknown> {
  checkFlags(query);
  return contentsOf(store, params[0] as string, queryKeys(query, "key"));
}

async function getMultipleContents({ store, params, query, body }: TreeRequest): Promise<unknown> {
  checkFlags(query);
  return contentsOf(store, params[0] as string, parseRequestedKeys(body));
}

export const contentRoutes: TreeMethods = { GET: getContent };
export const contentsRoutes: TreeMethods = { GET: getSeveralContents, POST: getMultipleContents };
