/**
 * `floe ingest` benchmark: generates a CSV of 10 million rows, ingests it into a table partitioned
 * by `day(ts)` with the real `floe ingest` (a child process), and writes the same CSV with
 * DuckDB's own `COPY … TO … (FORMAT parquet, PARTITION_BY …)` (also a child process) in the same
 * run. Prints rows/s and peak RSS (VmHWM of /proc/<pid>/status, sampled while each process runs)
 * and writes the "Ingest" section of bench/RESULTS.md. See bench/README.md.
 *
 *   npm run bench:ingest                      10 million rows, writes the section
 *   npm run bench:ingest -- --rows 1000000    fewer rows; prints only (add --write)
 *   npm run bench:ingest -- --keep            keep the work directory
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { writeSection } from "./lib/results-file.ts";
import { ROOT, startPg } from "./lib/servers.ts";
import { cpuSeconds, fmt, table } from "./lib/stats.ts";

const argv = process.argv.slice(2);
const value = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const ROWS = Number(value("--rows") ?? 10_000_000);
const WRITE = argv.includes("--write") || value("--rows") === undefined;
const KEEP = argv.includes("--keep");
const TARGET_RSS_MB = 1024;

const log = (s: string) =>
  process.stderr.write(`[bench:ingest ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
const load = () =>
  os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(" / ");

/** VmHWM (peak resident set) of a process in MB; NaN once it is gone. */
function hwmMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

interface Measured {
  readonly seconds: number;
  readonly peakMb: number;
  readonly cpu: number;
  readonly stdout: string;
}

/** Runs a child process to completion, sampling its VmHWM and CPU every 100 ms. */
function measure(cmd: string, args: readonly string[]): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let peak = 0;
    let cpu = 0;
    const sample = () => {
      const h = hwmMb(child.pid as number);
      if (h > peak) peak = h;
      const c = cpuSeconds(child.pid as number);
      if (c > cpu) cpu = c;
    };
    const timer = setInterval(sample, 100);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      clearInterval(timer);
      const seconds = (performance.now() - t0) / 1000;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(" ")} exited with ${code}: ${stderr}`));
      else resolve({ seconds, peakMb: peak, cpu, stdout });
    });
  });
}

function dirStats(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".parquet")) {
        files++;
        bytes += statSync(p).size;
      }
    }
  };
  walk(dir);
  return { files, bytes };
}

const work = mkdtempSync(join(os.tmpdir(), "floe-bench-ingest-"));
const csv = join(work, "events.csv");
const DUCK_COPY = `
import { DuckDBInstance } from "@duckdb/node-api";
const [csv, out] = process.argv.slice(1);
const db = await DuckDBInstance.create(":memory:");
const c = await db.connect();
await c.run(\`COPY (SELECT *, CAST(ts AS DATE) AS ts_day FROM read_csv('\${csv}'))
  TO '\${out}' (FORMAT parquet, PARTITION_BY (ts_day))\`);
c.closeSync();
db.closeSync();
`;

try {
  const loadStart = load();
  log(`work directory ${work}; load ${loadStart}`);
  log(`generating ${ROWS.toLocaleString("en-US")} CSV rows`);
  {
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    await c.run(
      `COPY (SELECT range AS id,
                    TIMESTAMP '2026-10-01 00:00:00' + to_seconds(CAST(hash(range) % 2592000 AS BIGINT)) AS ts,
                    'category-' || (range % 50) AS category,
                    round((hash(range * 7) % 100000) / 100.0, 2) AS amount,
                    range % 3 = 0 AS flag
             FROM range(${ROWS}))
       TO '${csv}' (HEADER)`,
    );
    c.closeSync();
    db.closeSync();
  }
  const csvBytes = statSync(csv).size;
  log(`CSV: ${(csvBytes / 1e6).toFixed(0)} MB; building the bundle`);
  execFileSync("node", ["scripts/build.mjs"], { cwd: ROOT, stdio: "inherit" });
  // Not under `work` (mode 0700): PostgreSQL may run as another user, who must reach its directory.
  const pgDir = mkdtempSync(join(os.tmpdir(), "floe-bench-ingest-pg-"));
  const pgServer = await startPg(pgDir);
  interface FloeRun extends Measured {
    readonly label: string;
    readonly summary: { rows: number; dataFiles: number; dataBytes: number; seconds: number };
    readonly load: string;
  }
  const floeRuns: FloeRun[] = [];
  try {
    const stores: Array<[string, string]> = [
      ["PostgreSQL (scripts/pg.sh)", await pgServer.database("ingest_bench")],
      ["PGlite (embedded, the `floe up` default)", `pglite:${join(work, "catalog")}`],
    ];
    for (const [label, store] of stores) {
      const floe = (args: string[]) => [
        "bin/floe.js",
        ...args,
        "--store",
        store,
        "--warehouse",
        join(work, `warehouse-${floeRuns.length}`),
      ];
      execFileSync("node", floe(["sql", "-e", "CREATE NAMESPACE bench"]), { cwd: ROOT, stdio: "ignore" });
      log(`floe ingest, catalog on ${label}`);
      const m = await measure(
        "node",
        floe(["ingest", csv, "bench.events", "--partition-by", "day(ts)", "--json"]),
      );
      const summary = JSON.parse(m.stdout) as FloeRun["summary"];
      floeRuns.push({ ...m, label, summary, load: load() });
      log(
        `floe: ${m.seconds.toFixed(1)} s (ingest ${summary.seconds.toFixed(1)} s), peak RSS ${fmt.mb(m.peakMb)}`,
      );
    }
  } finally {
    await pgServer.stop();
    rmSync(pgDir, { recursive: true, force: true });
  }
  log("DuckDB COPY");
  const duckOut = join(work, "duckdb-out");
  const d = await measure("node", ["--input-type=module", "-e", DUCK_COPY, csv, duckOut]);
  const duckFiles = dirStats(duckOut);
  const loadDuck = load();
  log(`DuckDB: ${d.seconds.toFixed(1)} s, peak RSS ${fmt.mb(d.peakMb)}`);
  const f = floeRuns[0] as FloeRun;

  const rate = (s: number) => fmt.rate(ROWS / s);
  const rows = [
    ...floeRuns.map((r) => [
      `\`floe ingest\`, catalog on ${r.label}`,
      `${r.seconds.toFixed(1)} s`,
      `${r.summary.seconds.toFixed(1)} s`,
      rate(r.seconds),
      `${r.cpu.toFixed(1)} s`,
      fmt.mb(r.peakMb),
      String(r.summary.dataFiles),
      fmt.mb(Number(r.summary.dataBytes) / 1048576),
      `${(r.seconds / f.seconds).toFixed(2)}×`,
    ]),
    [
      "DuckDB `COPY (SELECT *, CAST(ts AS DATE) AS ts_day FROM read_csv(…)) TO … (FORMAT parquet, PARTITION_BY (ts_day))`, its default settings",
      `${d.seconds.toFixed(1)} s`,
      "",
      rate(d.seconds),
      `${d.cpu.toFixed(1)} s`,
      fmt.mb(d.peakMb),
      String(duckFiles.files),
      fmt.mb(duckFiles.bytes / 1048576),
      `${(d.seconds / f.seconds).toFixed(2)}×`,
    ],
  ];
  const verdict = (r: FloeRun) => (r.peakMb < TARGET_RSS_MB ? "met" : "NOT MET");
  const body = [
    "## Ingest (`npm run bench:ingest`, bench/ingest.ts)",
    "",
    `- date: ${new Date().toISOString()}; floe commit ${execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim()}`,
    `- machine: \`nproc\` = ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, shared with other agents' work; load average (1/5/15 min) at start ${loadStart}, ${floeRuns.map((r) => `after floe on ${r.label.split(" ")[0]} ${r.load}`).join(", ")}, after DuckDB ${loadDuck}`,
    `- Node.js ${process.version}; both writers are child processes (\`node bin/floe.js ingest … --json\` from the bundle; \`node -e\` running DuckDB's COPY through \`@duckdb/node-api\`), timed from spawn to exit; peak RSS = VmHWM of /proc/<pid>/status, sampled every 100 ms; CPU = user + system of the process`,
    `- input: one CSV of ${ROWS.toLocaleString("en-US")} rows, ${(csvBytes / 1e6).toFixed(0)} MB — \`id\` bigint, \`ts\` timestamp over 30 days, \`category\` (50 strings), \`amount\` 2-decimal double, \`flag\` boolean — generated by DuckDB before the clocks start; partitioned by day: 30 partitions`,
    "- floe: DuckDB with `memory_limit = 512MB` (the default of `--memory-limit`), a spill directory, `preserve_insertion_order = false`; time = spawn to exit (start-up, opening the catalog store, schema inference, data files, Iceberg metadata, commit); ingest = the summary's `seconds` (after the store is open). The catalog's store is in the process's RSS for PGlite (an embedded PostgreSQL in WebAssembly, a few hundred MB by itself), not for PostgreSQL. DuckDB alone: its defaults (memory limit 80% of RAM)",
    "",
    "| target | measured | verdict |",
    "|---|---:|---:|",
    ...floeRuns.map(
      (r) =>
        `| \`floe ingest\` of ${ROWS.toLocaleString("en-US")} CSV rows, catalog on ${r.label}: peak RSS < 1 GB | ${fmt.mb(r.peakMb)} | ${verdict(r)} |`,
    ),
    "",
    table(["writer", "time", "ingest", "rows/s", "CPU", "peak RSS", "files", "size", "time ÷ floe's"], rows),
  ].join("\n");
  process.stdout.write(`\n${body}\n`);
  if (WRITE) {
    writeSection(join(ROOT, "bench", "RESULTS.md"), "ingest", body);
    log("wrote the Ingest section of bench/RESULTS.md");
  }
} finally {
  if (KEEP) log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
