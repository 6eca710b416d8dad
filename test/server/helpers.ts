import type { FastifyInstance } from "fastify";
import { buildApp } from "../../src/server/app.ts";
import { openKvStore } from "../../src/storage/open-kv.ts";
import { openVersionStore } from "../../src/versioning/version-store.ts";
import type { VersionStoreApi } from "../../src/versioning/api.ts";

/** One app over a fresh in-memory store; PGlite takes seconds to start, so share one per file. */
export async function openTestApp(opts: { bodyLimit?: number } = {}): Promise<{
  app: FastifyInstance;
  store: VersionStoreApi;
  close: () => Promise<void>;
}> {
  const kv = await openKvStore("pglite:memory");
  const store = await openVersionStore(kv);
  const app = await buildApp({ store, ...opts });
  return {
    app,
    store,
    close: async () => {
      await app.close();
      await store.close(); // closes the KV as well
    },
  };
}

export interface Res {
  status: number;
  // Tests read arbitrary JSON shapes.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: Record<string, unknown>;
  text: string;
}

export async function call(
  app: FastifyInstance,
  method: "GET" | "POST" | "PUT" | "DELETE" | "PATCH",
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Res> {
  const res = await app.inject({
    method,
    url,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    ...(body === undefined
      ? {}
      : { payload: typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body) }),
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body);
  } catch {
    parsed = undefined;
  }
  return { status: res.statusCode, body: parsed, headers: res.headers, text: res.body };
}

export const table = (location: string, snapshotId = 1) => ({
  type: "ICEBERG_TABLE",
  metadataLocation: location,
  snapshotId,
  schemaId: 0,
  specId: 0,
  sortOrderId: 0,
});

export const namespace = (...elements: string[]) => ({ type: "NAMESPACE", elements, properties: {} });

export const put = (key: string[], content: unknown) => ({ type: "PUT", key: { elements: key }, content });

/** Creates branch `name` from the default branch's HEAD and returns its hash. */
export async function branch(app: FastifyInstance, name: string, from = "main"): Promise<string> {
  const src = await call(app, "GET", `/api/v2/trees/${from}`);
  const res = await call(app, "POST", `/api/v2/trees?name=${name}&type=BRANCH`, src.body.reference);
  if (res.status !== 200) throw new Error(`create ${name}: ${res.status} ${res.text}`);
  return res.body.reference.hash as string;
}

/** Commits operations to `name` at `hash`; returns the new HEAD. */
export async function commitOps(
  app: FastifyInstance,
  name: string,
  hash: string,
  operations: unknown[],
  message = "test commit",
): Promise<string> {
  const res = await call(app, "POST", `/api/v2/trees/${name}@${hash}/history/commit`, {
    commitMeta: { message },
    operations,
  });
  if (res.status !== 200) throw new Error(`commit to ${name}: ${res.status} ${res.text}`);
  return res.body.targetBranch.hash as string;
}

/** The content id of `key` on `ref` (updates must name it, as in Nessie). */
export async function contentId(app: FastifyInstance, ref: string, key: string): Promise<string> {
  const res = await call(app, "GET", `/api/v2/trees/${ref}/contents/${key}`);
  if (res.status !== 200) throw new Error(`content ${key} on ${ref}: ${res.status} ${res.text}`);
  return res.body.content.id as string;
}
