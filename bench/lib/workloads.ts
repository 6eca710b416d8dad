import type { HttpClient } from "./http.ts";
import { type ClientStep, type Outcome, timed } from "./load.ts";

/**
 * The Nessie API v2 workloads of the benchmark. They only use what Nessie itself serves, so the
 * same code runs against floe and against a real Nessie server.
 */

const BRANCH = "main";
export const NAMESPACE = "bench";

interface CommitResponse {
  targetBranch: { hash: string };
  addedContents?: Array<{ key: { elements: string[] }; contentId: string }>;
}

interface ContentResponse {
  content: { id: string };
  effectiveReference: { hash: string };
}

export function tableContent(key: readonly string[], n: number, id?: string): Record<string, unknown> {
  return {
    type: "ICEBERG_TABLE",
    ...(id !== undefined ? { id } : {}),
    metadataLocation: `s3://bench/${key.join("/")}/metadata/${String(n).padStart(5, "0")}.json`,
    snapshotId: n,
    schemaId: 0,
    specId: 0,
    sortOrderId: 0,
  };
}

function commitBody(message: string, ops: unknown[]): unknown {
  return { commitMeta: { message, authors: ["floe-bench"] }, operations: ops };
}

const commitPath = (expectedHash: string) => `/trees/${BRANCH}@${expectedHash}/history/commit`;
const contentPath = (key: readonly string[]) => `/trees/${BRANCH}/contents/${key.join(".")}`;

export async function headHash(c: HttpClient): Promise<string> {
  const r = await c.ok<{ reference?: { hash: string }; hash?: string }>("GET", `/trees/${BRANCH}`);
  return r.reference?.hash ?? r.hash!;
}

/** Commits the benchmark's namespace unless it is there. */
export async function ensureNamespace(c: HttpClient): Promise<void> {
  const r = await c.request("GET", contentPath([NAMESPACE]));
  if (r.status === 200) return;
  await c.ok(
    "POST",
    commitPath(await headHash(c)),
    commitBody("bench: namespace", [
      { type: "PUT", key: { elements: [NAMESPACE] }, content: { type: "NAMESPACE", elements: [NAMESPACE] } },
    ]),
  );
}

/** Creates tables `bench.<name>` (in commits of up to 500 keys); returns their ids and the head. */
export async function createTables(
  c: HttpClient,
  names: readonly string[],
): Promise<{ ids: Map<string, string>; hash: string }> {
  const ids = new Map<string, string>();
  let hash = await headHash(c);
  for (let i = 0; i < names.length; i += 500) {
    const chunk = names.slice(i, i + 500);
    const ops = chunk.map((n) => ({
      type: "PUT",
      key: { elements: [NAMESPACE, n] },
      content: tableContent([NAMESPACE, n], 0),
    }));
    const r = await c.ok<CommitResponse>("POST", commitPath(hash), commitBody("bench: create tables", ops));
    hash = r.targetBranch.hash;
    for (const a of r.addedContents ?? []) ids.set(a.key.elements[a.key.elements.length - 1]!, a.contentId);
  }
  for (const n of names) if (!ids.has(n)) throw new Error(`no content id returned for table ${n}`);
  return { ids, hash };
}

function classify(status: number): Outcome["kind"] {
  return status === 200 ? "ok" : status === 409 ? "conflict" : "error";
}

/**
 * Distinct keys: client i updates its own table `bench.<tag>_c<i>` again and again, passing the
 * hash it last saw (its previous commit) as the expected hash; the server rebases over the other
 * clients' commits. A 409 here would be unexpected: the client re-reads the head and goes on.
 */
export async function distinctKeyClients(c: HttpClient, tag: string, clients: number): Promise<ClientStep[]> {
  const names = Array.from({ length: clients }, (_, i) => `${tag}_c${i}`);
  const { ids, hash } = await createTables(c, names);
  return names.map((name) => {
    const key = [NAMESPACE, name];
    const id = ids.get(name)!;
    let last = hash;
    let n = 0;
    return async (): Promise<Outcome> => {
      n++;
      const body = commitBody(`bench: ${name} #${n}`, [
        { type: "PUT", key: { elements: key }, content: tableContent(key, n, id) },
      ]);
      const { value: r, ms } = await timed(() => c.request("POST", commitPath(last), body));
      const kind = classify(r.status);
      if (kind === "ok") last = (JSON.parse(r.body) as CommitResponse).targetBranch.hash;
      else if (kind === "conflict") last = await headHash(c);
      return { kind, ms, ...(kind === "error" ? { detail: `${r.status} ${r.body.slice(0, 300)}` } : {}) };
    };
  });
}

/**
 * One key: every client updates the same table `bench.<tag>_hot`, with the hash it last saw as
 * expected hash. When another client changed the table since, the server answers 409; the client
 * then re-reads the table (as an Iceberg client would: new metadata, new expected hash) and tries
 * again. The re-read is not part of the measured commit latency.
 */
export async function oneKeyClients(c: HttpClient, tag: string, clients: number): Promise<ClientStep[]> {
  const name = `${tag}_hot`;
  const key = [NAMESPACE, name];
  const { ids, hash } = await createTables(c, [name]);
  const id = ids.get(name)!;
  let n = 0;
  return Array.from({ length: clients }, (_, i) => {
    let last = hash;
    return async (): Promise<Outcome> => {
      n++;
      const body = commitBody(`bench: ${name} by client ${i}`, [
        { type: "PUT", key: { elements: key }, content: tableContent(key, n, id) },
      ]);
      const { value: r, ms } = await timed(() => c.request("POST", commitPath(last), body));
      const kind = classify(r.status);
      if (kind === "ok") last = (JSON.parse(r.body) as CommitResponse).targetBranch.hash;
      else if (kind === "conflict") {
        const fresh = await c.ok<ContentResponse>("GET", contentPath(key));
        last = fresh.effectiveReference.hash;
      }
      return { kind, ms, ...(kind === "error" ? { detail: `${r.status} ${r.body.slice(0, 300)}` } : {}) };
    };
  });
}

/** Content reads: each client reads `GET /trees/main/contents/bench.<tag>_<k>` over `tables` tables. */
export async function readClients(
  c: HttpClient,
  tag: string,
  clients: number,
  tables: number,
): Promise<ClientStep[]> {
  const names = Array.from({ length: tables }, (_, i) => `${tag}_${i}`);
  await createTables(c, names);
  return Array.from({ length: clients }, (_, i) => {
    let n = i;
    return async (): Promise<Outcome> => {
      n += 7;
      const key = [NAMESPACE, names[n % names.length]!];
      const { value: r, ms } = await timed(() => c.request("GET", contentPath(key)));
      const kind = r.status === 200 ? "ok" : "error";
      return { kind, ms, ...(kind === "error" ? { detail: `${r.status} ${r.body.slice(0, 300)}` } : {}) };
    };
  });
}
