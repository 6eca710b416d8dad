/**
 * Seeds a floe repository with N tables, one commit each (N keys and N commits on `main`), through
 * the version store API in this process — much faster than HTTP — so that a server can then be
 * started on the same database.
 *
 *   node --import tsx bench/seed.ts <store-url> <count> [concurrency]
 *   node --import tsx bench/seed.ts <store-url> --copy-from <seeded-store-url>
 *
 * The second form copies every KV entry of an already seeded (and closed) store into a new one —
 * the same repository, byte for byte, on another backend — which takes seconds instead of minutes.
 *
 * Prints one JSON line on stdout: {"commits":N,"seconds":S,…}; progress on stderr.
 */
import { performance } from "node:perf_hooks";
import { openKvStore } from "../src/storage/open-kv.ts";
import { openVersionStore } from "../src/versioning/version-store.ts";
import { tableContent } from "./lib/workloads.ts";

const NAMESPACE = "seed";

async function copy(url: string, from: string): Promise<void> {
  const t0 = performance.now();
  const [src, dst] = [await openKvStore(from), await openKvStore(url)];
  let after: string | undefined;
  let rows = 0;
  let commits = 0;
  for (;;) {
    const page = await src.scan("", { ...(after !== undefined ? { after } : {}), limit: 2000 });
    if (page.length === 0) break;
    await dst.putIfAbsent(page);
    rows += page.length;
    for (const [k] of page) if (k.startsWith("c:")) commits++;
    after = page[page.length - 1]![0];
  }
  await Promise.all([src.close(), dst.close()]);
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ commits, rows, seconds, copiedFrom: src.description }) + "\n");
}

async function main(): Promise<void> {
  const [url, countArg, concArg] = process.argv.slice(2);
  if (url && countArg === "--copy-from" && concArg) return copy(url, concArg);
  if (!url || !countArg) throw new Error("usage: seed.ts <store-url> <count> [concurrency]");
  const count = Number(countArg);
  const concurrency = Number(concArg ?? 400);
  const store = await openVersionStore(await openKvStore(url));
  const t0 = performance.now();
  let head = (await store.getReference(store.defaultBranch)).hash;
  head = (
    await store.commit(store.defaultBranch, head, { message: "seed: namespace" }, [
      { type: "PUT", key: [NAMESPACE], content: { type: "NAMESPACE", elements: [NAMESPACE] } },
    ])
  ).targetBranch.hash;
  let next = 0;
  let done = 0;
  let lastReport = t0;
  // Each worker commits one new table at a time, passing the newest head it has seen as the
  // expected hash (a close ancestor of the real head: the check walks from head back to it).
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const name = `t${String(i).padStart(6, "0")}`;
        const key = [NAMESPACE, name];
        const r = await store.commit(store.defaultBranch, head, { message: `seed ${name}` }, [
          { type: "PUT", key, content: tableContent(key, 1) as never },
        ]);
        head = r.targetBranch.hash;
        done++;
        const now = performance.now();
        if (now - lastReport > 5000) {
          lastReport = now;
          const s = (now - t0) / 1000;
          process.stderr.write(`seed: ${done}/${count} commits in ${s.toFixed(0)} s\n`);
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const stats = store.stats;
  await store.close();
  process.stdout.write(JSON.stringify({ commits: done + 1, seconds, head, retries: stats.retries }) + "\n");
}

main().catch((e: unknown) => {
  process.stderr.write(`seed failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
