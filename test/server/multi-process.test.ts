import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FloeServer,
  commit,
  head,
  killLeftovers,
  namespace,
  startFloe,
  table,
} from "../cli/floe-process.ts";
import { freshPgDatabase } from "../support/pg.ts";

/**
 * Two `floe serve` processes on one PostgreSQL database, each taking concurrent commits on the
 * same branch. Correctness must not depend on a process being alone: every acknowledged commit
 * lands exactly once, and nothing else does.
 */

const CLIENTS = 8;
const COMMITS_PER_CLIENT = 25;

let servers: FloeServer[] = [];

beforeAll(async () => {
  const db = await freshPgDatabase();
  const args = ["--store", db, "--port", "0", "--log-level", "warn"];
  // Started one after the other: the first one creates the schema and the repository.
  servers.push(await startFloe("serve", args));
  servers.push(await startFloe("serve", args));
});

afterAll(async () => {
  try {
    const codes = await Promise.all(servers.map((s) => s.stop("SIGTERM")));
    servers = [];
    expect(codes).toEqual([0, 0]);
  } finally {
    await killLeftovers();
  }
});

interface Outcome {
  readonly acknowledged: string[];
  readonly failures: string[];
}

/**
 * One client: commits its own keys to `main`, each time naming the hash it last saw as expected
 * hash. Other clients move `main` in between, so that hash is usually stale; the commits touch
 * unrelated keys, so the server must rebase rather than refuse.
 */
async function client(n: number, url: string, start: string): Promise<Outcome> {
  const acknowledged: string[] = [];
  const failures: string[] = [];
  let seen = start;
  for (let i = 0; i < COMMITS_PER_CLIENT; i++) {
    const key = ["ns", `c${n}_${i}`];
    try {
      const res = await commit(url, "main", seen, `client ${n} commit ${i}`, [table(key, n * 1000 + i)]);
      seen = res.hash;
      acknowledged.push(key.join("."));
    } catch (e) {
      failures.push(`${key.join(".")}: ${(e as Error).message}`);
    }
  }
  return { acknowledged, failures };
}

async function allPages<T>(url: string, field: string): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const sep = url.includes("?") ? "&" : "?";
    const res = await fetch(token ? `${url}${sep}page-token=${encodeURIComponent(token)}` : url);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    out.push(...((body[field] as T[]) ?? []));
    token = body.hasMore ? (body.token as string) : undefined;
  } while (token);
  return out;
}

describe("two floe serve processes on one PostgreSQL", () => {
  it("keep every acknowledged commit of concurrent clients on one branch", async () => {
    const [a, b] = servers as [FloeServer, FloeServer];
    const setup = await commit(a.url, "main", await head(a.url, "main"), "create namespace ns", [
      namespace("ns"),
    ]);
    // Both processes see the same repository.
    expect(await head(b.url, "main")).toBe(setup.hash);

    const outcomes = await Promise.all(
      Array.from({ length: CLIENTS }, (_, n) => client(n, n % 2 === 0 ? a.url : b.url, setup.hash)),
    );
    const acknowledged = outcomes.flatMap((o) => o.acknowledged);
    const failures = outcomes.flatMap((o) => o.failures);
    // Distinct keys never conflict: every commit is expected to succeed.
    expect(failures).toEqual([]);
    expect(acknowledged).toHaveLength(CLIENTS * COMMITS_PER_CLIENT);

    for (const server of servers) {
      const entries = await allPages<{ name: { elements: string[] } }>(
        `${server.url}/api/v2/trees/main/entries`,
        "entries",
      );
      const keys = new Set(entries.map((e) => e.name.elements.join(".")));
      expect(keys.size).toBe(acknowledged.length + 1);
      for (const key of acknowledged) expect(keys.has(key), key).toBe(true);

      const log = await allPages<{ commitMeta: { message: string } }>(
        `${server.url}/api/v2/trees/main/history`,
        "logEntries",
      );
      expect(log).toHaveLength(acknowledged.length + 1);
      expect(new Set(log.map((e) => e.commitMeta.message)).size).toBe(log.length);
    }
  });
});
