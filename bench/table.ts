/**
 * floe's table-format benchmark: appends, scan planning and manifests, each side by side with
 * DuckDB's own Parquet writer and pyiceberg in the same run; prints the figures and writes the
 * "Table format" section of bench/RESULTS.md. See bench/README.md.
 *
 *   npm run bench:table                        full run (~5 minutes), writes the section
 *   npm run bench:table -- --quick             1 million rows, 100 manifests; prints only (add --write)
 *   npm run bench:table -- --only append,plan  some of: append, plan, manifest
 *   npm run bench:table -- --wait-load 1.5     first wait (at most 15 minutes) for a 1-minute load average below 1.5
 *   npm run bench:table -- --no-pyiceberg      floe and DuckDB only
 *   npm run bench:table -- --keep              keep the work directory
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { appendRows, createTable } from "../src/engine/append.ts";
import { and, gtEq, lt } from "../src/iceberg/expressions/expression.ts";
import { readManifest, writeManifest } from "../src/iceberg/manifest.ts";
import { ManifestContent, readManifestList } from "../src/iceberg/manifest-list.ts";
import { planScan } from "../src/iceberg/scan/plan-scan.ts";
import { LocalObjectStore } from "../src/storage/local-object-store.ts";
import { writeSection } from "./lib/results-file.ts";
import { ROOT } from "./lib/servers.ts";
import { fmt, table } from "./lib/stats.ts";
import {
  addedEntries,
  DAY_SPEC,
  DAY_US,
  EVENTS_SCHEMA,
  FIRST_DAY,
  ROWS_PER_FILE,
  synthFile,
  synthTable,
} from "./lib/synth-table.ts";

// ---- options ---------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const value = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const QUICK = flag("--quick");
const WRITE = flag("--write") || !QUICK;
const ONLY = new Set((value("--only") ?? "append,plan,manifest").split(","));
const PYICEBERG = !flag("--no-pyiceberg");
const CFG = {
  rows: Number(value("--rows") ?? (QUICK ? 1_000_000 : 10_000_000)),
  appendRounds: QUICK ? 1 : 3,
  pyAppendRounds: QUICK ? 1 : 2,
  manifests: QUICK ? 100 : 1_000,
  filesPerManifest: 100,
  days: 100,
  planRounds: 5,
  pyPlanRounds: QUICK ? 1 : 3,
  manifestEntries: 10_000,
  manifestRounds: QUICK ? 3 : 10,
};

const log = (s: string) =>
  process.stderr.write(`[bench:table ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
const load = () =>
  os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(" / ");
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const seconds = (v: number) => (v < 1 ? `${(v * 1000).toFixed(0)} ms` : `${v.toFixed(2)} s`);
const ratio = (v: number) => `${v.toFixed(2)}×`;

// ---- results ---------------------------------------------------------------------------------

interface Target {
  readonly what: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}
const targets: Target[] = [];
const sections: string[] = [];
const notes: string[] = [];
const versions: Record<string, string> = {};
const loads: string[] = [];

function python(): string {
  const out = execFileSync("bash", [join(ROOT, "scripts/python-deps.sh")], { encoding: "utf8" });
  return out.trim().split("\n").at(-1)!;
}

/** Runs a command of bench/table_pyiceberg.py; its JSON answer. */
function pyiceberg<T>(args: string[]): T {
  const out = execFileSync(python(), [join(ROOT, "bench/table_pyiceberg.py"), ...args], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const answer = JSON.parse(out.trim().split("\n").at(-1)!) as T & { pyiceberg: string };
  versions.pyiceberg = answer.pyiceberg;
  return answer;
}

function dirStats(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith(".parquet")) continue;
    files++;
    bytes += statSync(join(e.parentPath, e.name)).size;
  }
  return { files, bytes };
}

/** Wall time and this process's CPU time (all its threads, DuckDB's included), in seconds. */
async function timed<T>(f: () => Promise<T> | T): Promise<{ s: number; cpu: number; value: T }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const v = await f();
  const c = process.cpuUsage(c0);
  return { s: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6, value: v };
}

interface Run {
  readonly s: number;
  readonly cpu: number;
  readonly files: number;
  readonly bytes: number;
}

// ---- 1. append -------------------------------------------------------------------------------

async function benchAppend(work: string): Promise<void> {
  mkdirSync(join(work, "duckdb"), { recursive: true });
  const instance = await DuckDBInstance.create(":memory:");
  const duck = await instance.connect();
  try {
    await duck.run("SET TimeZone = 'UTC'");
    versions.duckdb = String((await duck.runAndReadAll("SELECT version()")).getRows()[0]?.[0]);
    versions.duckdbThreads = String(
      (await duck.runAndReadAll("SELECT current_setting('threads')")).getRows()[0]?.[0],
    );
    // The rows, generated once and kept in DuckDB's memory (not timed): 30 days of events.
    await duck.run(`CREATE TABLE bench_rows AS SELECT
        i AS id,
        TIMESTAMPTZ '2026-10-01 00:00:00+00' + to_microseconds((hash(i) % ${30n * DAY_US})::BIGINT) AS ts,
        'cat_' || lpad((hash(i * 7) % 50)::VARCHAR, 2, '0') AS category,
        round((hash(i * 13) % 1000000) / 100.0, 2)::DOUBLE AS amount
      FROM range(${CFG.rows}) AS r(i)`);
    const source = join(work, "source.parquet");
    if (PYICEBERG) await duck.run(`COPY bench_rows TO '${source}' (FORMAT parquet)`);
    log(`${fmt.int(CFG.rows)} rows generated; load ${load()}`);

    const store = new LocalObjectStore(join(work, "floe"));
    const floeRuns: Run[] = [];
    const duckRuns: Run[] = [];
    for (let r = 0; r < CFG.appendRounds; r++) {
      const dir = join(work, "duckdb", `events_${r}`);
      const d = await timed(() =>
        duck.run(
          `COPY (SELECT *, CAST(ts AS DATE) AS ts_day FROM bench_rows) TO '${dir}' (FORMAT parquet, PARTITION_BY (ts_day))`,
        ),
      );
      duckRuns.push({ s: d.s, cpu: d.cpu, ...dirStats(dir) });
      log(`DuckDB COPY round ${r + 1}: ${seconds(d.s)}; load ${load()}`);
      const t0 = await createTable(store, {
        schema: EVENTS_SCHEMA,
        spec: DAY_SPEC,
        location: pathToFileURL(join(work, "floe", `events_${r}`)).href,
      });
      const f = await timed(() => appendRows({ duck, store, table: t0, source: "SELECT * FROM bench_rows" }));
      const summary = f.value.metadata.snapshots.at(-1)?.summary;
      if (summary?.["added-records"] !== String(CFG.rows))
        throw new Error(`floe appended ${summary?.["added-records"]} rows, not ${CFG.rows}`);
      floeRuns.push({
        s: f.s,
        cpu: f.cpu,
        files: Number(summary["added-data-files"]),
        bytes: Number(summary["added-files-size"]),
      });
      log(`floe appendRows round ${r + 1}: ${seconds(f.s)}; load ${load()}`);
      rmSync(dir, { recursive: true, force: true });
    }
    type Py = { runs: { seconds: number; cpu: number; files: number; rows: number; bytes: number }[] };
    let py: Py | undefined;
    if (PYICEBERG) {
      py = pyiceberg<Py>(["append", source, join(work, "pyiceberg"), String(CFG.pyAppendRounds)]);
      for (const run of py.runs)
        if (run.rows !== CFG.rows) throw new Error(`pyiceberg appended ${run.rows} rows, not ${CFG.rows}`);
      log(`pyiceberg append: ${py.runs.map((x) => seconds(x.seconds)).join(", ")}; load ${load()}`);
    }
    loads.push(`append: ${load()} at its end`);

    const floeS = median(floeRuns.map((x) => x.s));
    const duckS = median(duckRuns.map((x) => x.s));
    const pyS = py ? median(py.runs.map((x) => x.seconds)) : undefined;
    const row = (name: string, runs: readonly Run[], s: number) => [
      name,
      seconds(s),
      fmt.int(Math.round(CFG.rows / s)),
      runs.map((x) => x.s.toFixed(2)).join(", "),
      `${median(runs.map((x) => x.cpu)).toFixed(1)} s`,
      fmt.int(runs[0]!.files),
      fmt.mb(runs[0]!.bytes / 1024 / 1024),
      ratio(floeS === s ? 1 : s / floeS),
    ];
    const rows = [
      row(
        "floe `appendRows` (Iceberg table: data files, manifest, manifest list, metadata)",
        floeRuns,
        floeS,
      ),
      row(
        "DuckDB `COPY … TO … (FORMAT parquet, PARTITION_BY (ts_day))` (Parquet files only)",
        duckRuns,
        duckS,
      ),
    ];
    if (py && pyS !== undefined)
      rows.push(
        row(
          `pyiceberg ${versions.pyiceberg} \`table.append(pyarrow table)\` (SQL catalog on SQLite)`,
          py.runs.map((x) => ({ s: x.seconds, cpu: x.cpu, files: x.files, bytes: x.bytes })),
          pyS,
        ),
      );
    sections.push(
      `### Append ${fmt.int(CFG.rows)} rows into a table partitioned by \`day(ts)\`\n\n` +
        `Rows: \`id\` long (0 … ${fmt.int(CFG.rows - 1)}), \`ts\` timestamptz spread over 30 days (2026-10-01 … 10-30), ` +
        "`category` string (50 values), `amount` double — generated once by DuckDB and kept in its memory " +
        "(pyiceberg: read from a Parquet copy before the clock starts). The table is partitioned by `day(ts)`: " +
        "30 partitions of ~333,000 rows, one file each. Every writer writes to a new directory on the same " +
        `local disk; DuckDB ${versions.duckdb} with ${versions.duckdbThreads} threads. floe's time covers the whole ` +
        "append (data files, their metrics, manifest, manifest list, metadata file); DuckDB's only the Parquet files. " +
        "Median of the runs. CPU = the writing process's user + system CPU during the call, all its threads " +
        "(floe's includes DuckDB's, which runs inside it) — less sensitive to the machine's load than the wall time.\n\n" +
        table(["writer", "median", "rows/s", "runs (s)", "CPU", "files", "size", "time ÷ floe's"], rows) +
        "\n",
    );
    targets.push({
      what: "append: floe ≥ 0.8× DuckDB's `COPY … PARTITION_BY` (rows/s)",
      measured: `${fmt.int(Math.round(CFG.rows / floeS))} vs ${fmt.int(Math.round(CFG.rows / duckS))} rows/s = ${ratio(duckS / floeS)}`,
      met: duckS / floeS >= 0.8,
    });
    if (pyS !== undefined)
      targets.push({
        what: "append: floe ≥ 3× pyiceberg (rows/s)",
        measured: `${fmt.int(Math.round(CFG.rows / floeS))} vs ${fmt.int(Math.round(CFG.rows / pyS))} rows/s = ${ratio(pyS / floeS)}`,
        met: pyS / floeS >= 3,
      });
  } finally {
    duck.closeSync();
    instance.closeSync();
  }
}

// ---- 2. scan planning ------------------------------------------------------------------------

async function benchPlan(work: string): Promise<void> {
  mkdirSync(work, { recursive: true });
  const { manifests, filesPerManifest, days } = CFG;
  const store = new LocalObjectStore(work);
  const location = pathToFileURL(join(work, "planned")).href;
  const made = await timed(() => synthTable(store, location, manifests, filesPerManifest, days));
  const { table: t, manifestBytes } = made.value;
  log(`${fmt.int(manifests)} manifests of ${filesPerManifest} files written in ${seconds(made.s)}`);

  // One day of the 100, and the ids of the first tenth of the manifests: 0.1% of the files.
  const day = BigInt(FIRST_DAY + 37);
  const dayStart = day * DAY_US;
  const idEnd = BigInt((manifests / 10) * filesPerManifest) * ROWS_PER_FILE;
  const expected = (manifests / 10) * (filesPerManifest / days);
  const filter = and(gtEq("ts", dayStart), lt("ts", dayStart + DAY_US), gtEq("id", 0n), lt("id", idEnd));
  const runs: number[] = [];
  const cpus: number[] = [];
  for (let r = 0; r < CFG.planRounds; r++) {
    const p = await timed(async () => {
      let n = 0;
      for await (const task of planScan({ metadata: t.metadata, store, filter })) if (task.file) n++;
      return n;
    });
    if (p.value !== expected) throw new Error(`floe planned ${p.value} files, not ${expected}`);
    runs.push(p.s);
    cpus.push(p.cpu);
  }
  log(`floe planScan: ${runs.map(seconds).join(", ")}; load ${load()}`);
  type Py = { runs: { seconds: number; cpu: number; files: number }[] };
  let py: Py | undefined;
  if (PYICEBERG) {
    const path = new URL(t.location).pathname;
    py = pyiceberg<Py>([
      "plan",
      path,
      String(dayStart),
      String(dayStart + DAY_US),
      String(idEnd),
      String(CFG.pyPlanRounds),
    ]);
    for (const run of py.runs)
      if (run.files !== expected) throw new Error(`pyiceberg planned ${run.files} files, not ${expected}`);
    log(`pyiceberg plan_files: ${py.runs.map((x) => seconds(x.seconds)).join(", ")}; load ${load()}`);
  }
  loads.push(`plan: ${load()} at its end`);

  const files = manifests * filesPerManifest;
  const floeS = median(runs);
  const row = (name: string, rs: readonly number[], cs: readonly number[]) => {
    const s = median(rs);
    return [
      name,
      seconds(s),
      seconds(rs[0]!),
      rs.map((x) => (x * 1000).toFixed(0)).join(", "),
      seconds(median(cs)),
      fmt.int(Math.round(files / s)),
      ratio(s / floeS),
    ];
  };
  const rows = [row("floe `planScan` (8 manifests read at a time)", runs, cpus)];
  if (py)
    rows.push(
      row(
        `pyiceberg ${versions.pyiceberg} \`scan(row_filter).plan_files()\``,
        py.runs.map((x) => x.seconds),
        py.runs.map((x) => x.cpu),
      ),
    );
  sections.push(
    `### Plan a selective scan over ${fmt.int(manifests)} manifests and ${fmt.int(files)} data files\n\n` +
      `One snapshot of ${fmt.int(manifests)} manifests (${fmt.mb(manifestBytes / 1024 / 1024)} of Avro, deflate) of ` +
      `${filesPerManifest} data files each, written with floe's \`writeManifest\` (no Parquet files exist). ` +
      `Partitioned by \`day(ts)\`; every manifest holds files of all ${days} days, so the manifest list's ` +
      "partition summaries rule none out and every manifest is read (the planner's worst case). Each file has " +
      "full metrics on its four columns (value, null and NaN counts, sizes, bounds). Filter: " +
      `\`ts >= day 37 AND ts < day 38 AND id >= 0 AND id < ${fmt.int(Number(idEnd))}\`, matched by the partition of ` +
      `1 file in ${days} and the \`id\` bounds of 1 in 10: ${fmt.int(expected)} files. ` +
      "Both planners read the same metadata files (pyiceberg through `StaticTable.from_metadata`, not timed) and " +
      "return the same files; the time runs until the last file is produced. CPU = the process's CPU time " +
      "during the call (median).\n\n" +
      table(
        ["planner", "median", "first run", "runs (ms)", "CPU", "files considered/s", "time ÷ floe's"],
        rows,
      ) +
      "\n",
  );
  targets.push({
    what: `plan: floe \`planScan\` < 1 s over ${fmt.int(manifests)} manifests, ${fmt.int(files)} files`,
    measured:
      `${seconds(floeS)} (median of ${runs.length}; slowest ${seconds(Math.max(...runs))}; CPU ${seconds(median(cpus))})` +
      (py ? `; pyiceberg ${seconds(median(py.runs.map((x) => x.seconds)))}` : ""),
    met: manifests === 1_000 && filesPerManifest * manifests === 100_000 ? floeS < 1 : undefined,
  });
}

// ---- 3. manifests ----------------------------------------------------------------------------

async function benchManifest(work: string): Promise<void> {
  mkdirSync(work, { recursive: true });
  const n = CFG.manifestEntries;
  const store = new LocalObjectStore(work);
  const location = pathToFileURL(join(work, "one-manifest")).href;
  const { table: t, schema, spec } = await synthTable(store, location, 1, n, CFG.days);
  const listPath = t.metadata.snapshots[0]!.manifestList!;
  const listed = readManifestList(await store.get(listPath), listPath).manifests[0]!;
  const bytes = await store.get(listed.manifestPath);
  const entries = addedEntries(
    Array.from({ length: n }, (_, j) => synthFile(location, 0, j, n, CFG.days)),
    1n,
  );
  const encode: number[] = [];
  const decode: number[] = [];
  for (let r = 0; r < CFG.manifestRounds; r++) {
    const w = await timed(() =>
      writeManifest({
        location: listed.manifestPath,
        content: ManifestContent.DATA,
        snapshotId: 1n,
        schema,
        spec,
        entries,
      }),
    );
    encode.push(w.s);
    const d = await timed(() => readManifest(bytes, listed.manifestPath, { manifest: listed }));
    if (d.value.entries.length !== n) throw new Error(`read ${d.value.entries.length} entries, not ${n}`);
    decode.push(d.s);
  }
  log(`manifest encode ${seconds(median(encode))}, decode ${seconds(median(decode))}; load ${load()}`);
  type Py = { runs: { seconds: number; entries: number }[] };
  let py: Py | undefined;
  if (PYICEBERG) {
    py = pyiceberg<Py>(["manifest", new URL(t.location).pathname, String(CFG.manifestRounds)]);
    log(`pyiceberg manifest read: ${seconds(median(py.runs.map((x) => x.seconds)))}`);
  }
  loads.push(`manifest: ${load()} at its end`);
  const mb = bytes.length / 1e6;
  const row = (name: string, rs: readonly number[]) => {
    const s = median(rs);
    return [name, seconds(s), fmt.int(Math.round(n / s)), (mb / s).toFixed(1)];
  };
  const rows = [
    row("floe `writeManifest` (encode + deflate)", encode),
    row("floe `readManifest` (inflate + decode, fields by id)", decode),
  ];
  if (py)
    rows.push(
      row(
        `pyiceberg ${versions.pyiceberg} \`ManifestFile.fetch_manifest_entry\` (read + decode)`,
        py.runs.map((x) => x.seconds),
      ),
    );
  sections.push(
    `### Manifest encode and decode\n\n` +
      `One manifest of ${fmt.int(n)} data files with full metrics on four columns (the entries of the plan ` +
      `benchmark): ${(bytes.length / 1e6).toFixed(2)} MB of Avro (deflate), ${fmt.int(Math.round(bytes.length / n))} bytes an entry. ` +
      `Median of ${CFG.manifestRounds} runs; MB/s counts the Avro file's bytes. floe decodes bytes already in memory; ` +
      "pyiceberg reads the file too (from the page cache).\n\n" +
      table(["", "median", "entries/s", "MB/s"], rows) +
      "\n",
  );
}

// ---- report ----------------------------------------------------------------------------------

function revision(): string {
  try {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = git("status", "--porcelain", "--", "src", "bench").split("\n").filter(Boolean).length;
    return `commit ${git("rev-parse", "--short", "HEAD")}${dirty > 0 ? ` plus ${dirty} uncommitted change(s)` : ""}`;
  } catch {
    return "commit unknown";
  }
}

function report(started: Date, load0: string, minutes: number): string {
  const verdict = (m: boolean | undefined) => (m === undefined ? "– (quick run)" : m ? "met" : "NOT MET");
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  return [
    "## Table format\n",
    "Written by `npm run bench:table` (bench/table.ts, pyiceberg's side bench/table_pyiceberg.py); " +
      "what each figure means: bench/README.md. The three writers and the two planners run in the same run, " +
      "one after the other, so their ratios are what to compare.\n",
    [
      `- date: ${started.toISOString()} (run took ${minutes.toFixed(1)} min); floe ${revision()}`,
      `- machine: \`nproc\` = ${os.cpus().length}, ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, shared with other agents' work`,
      `- load average (1/5/15 min) at start: ${load0}; ${loads.join("; ")}`,
      `- Node.js ${process.version}; DuckDB ${versions.duckdb ?? "–"} (\`@duckdb/node-api\`); pyiceberg ${versions.pyiceberg ?? "not run"}`,
    ].join("\n") + "\n",
    "### Targets\n\n" +
      table(
        ["target", "measured", "verdict"],
        targets.map((t) => [t.what, t.measured, verdict(t.met)]),
      ) +
      "\n",
    ...sections,
    ...(notes.length > 0 ? [`### Notes\n\n${notes.map((n) => `- ${n}`).join("\n")}\n`] : []),
  ].join("\n");
}

async function waitForQuiet(): Promise<void> {
  const below = Number(value("--wait-load") ?? Number.NaN);
  if (Number.isNaN(below)) return;
  const until = Date.now() + 15 * 60_000;
  while (os.loadavg()[0]! >= below && Date.now() < until) {
    log(`load ${load()}; waiting for < ${below}`);
    await new Promise((r) => setTimeout(r, 15_000));
  }
}

async function main(): Promise<void> {
  await waitForQuiet();
  const started = new Date();
  const load0 = load();
  const work = mkdtempSync(join(os.tmpdir(), "floe-bench-table-"));
  log(`work directory ${work}; load average ${load0}`);
  try {
    if (ONLY.has("append")) await benchAppend(join(work, "append"));
    if (ONLY.has("plan")) await benchPlan(join(work, "plan"));
    if (ONLY.has("manifest")) await benchManifest(join(work, "manifest"));
  } finally {
    if (!flag("--keep")) rmSync(work, { recursive: true, force: true });
    else log(`kept ${work}`);
  }
  const text = report(started, load0, (Date.now() - started.getTime()) / 60_000);
  process.stdout.write(`\n${text}\n`);
  if (WRITE) {
    writeSection(join(ROOT, "bench/RESULTS.md"), "table-format", text);
    log("wrote the table-format section of bench/RESULTS.md");
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:table failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
