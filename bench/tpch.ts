/**
 * The TPC-H benchmark: the 22 queries on floe's Iceberg tables through floe's SQL engine, against
 * plain DuckDB over the same Parquet files, Spark 3.5 local[2] and Trino through floe's REST catalog.
 * Prints the figures and writes the "TPC-H" section of bench/RESULTS.md. See bench/README.md.
 *
 *   npm run bench:tpch                         SF1, floe and DuckDB 5 runs each, Spark and Trino; writes the section
 *   npm run bench:tpch -- --sf 0.1             another scale factor; prints only (add --write)
 *   npm run bench:tpch -- --runs N             measured runs per query for floe and DuckDB (median)
 *   npm run bench:tpch -- --spark-runs N       measured runs per query for Spark and Trino (default 1)
 *   npm run bench:tpch -- --warmup 0           no unmeasured run per query for Spark and Trino (default 1)
 *   npm run bench:tpch -- --no-spark --no-trino
 *   npm run bench:tpch -- --queries 1,6,9      some queries only
 *   npm run bench:tpch -- --keep               keep the work directory (warehouse, logs)
 */
import { execFile } from "node:child_process";
import { writeFileSync, mkdirSync, mkdtempSync, rmSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Json } from "@duckdb/node-api";
import { writeSection } from "./lib/results-file.ts";
import { ROOT, type ServerProcess, startFloe, startPg } from "./lib/servers.ts";
import { table } from "./lib/stats.ts";
import { duckdbEngine, floeEngine, type LocalEngine, qualify, sameRows, TABLES } from "./tpch/local.ts";
import { trinoDialect, trinoQuery } from "./tpch/trino.ts";

const run = promisify(execFile);
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const value = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const SF = value("--sf") ?? "1";
const RUNS = Number(value("--runs") ?? 5);
const OTHER_RUNS = Number(value("--spark-runs") ?? 1);
const WARMUP = Number(value("--warmup") ?? 1);
const SPARK = !flag("--no-spark");
const TRINO = !flag("--no-trino");
const KEEP = flag("--keep");
const WRITE = flag("--write") || (value("--sf") === undefined && value("--queries") === undefined);
const ONLY = value("--queries")
  ?.split(",")
  .map((q) => Number(q));
const CACHE = join(os.homedir(), ".cache/floe/tpch");

const log = (s: string) =>
  process.stderr.write(`[bench:tpch ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
const load = () =>
  os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(" / ");
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const ms = (v: number | undefined) =>
  v === undefined ? "–" : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;

interface QueryFigures {
  n: number;
  rows: number;
  floe: number[];
  duckdb: number[];
  same: string | undefined;
  spark?: { rows: number; ms: number } | { error: string };
  trino?: { rows: number; ms: number } | { error: string };
}

/** Generates the data (cached per scale factor) with scripts/tpch-deps.sh's DuckDB and its tpch extension. */
async function generate(): Promise<{ dir: string; queries: string[]; duckdbVersion: string }> {
  const python = (await run("bash", [join(ROOT, "scripts/tpch-deps.sh")], { cwd: ROOT })).stdout
    .trim()
    .split("\n")
    .pop()!;
  const dir = join(CACHE, `sf${SF}`);
  log(`TPC-H SF${SF} in ${dir} (generated once)`);
  await run(python, [join(ROOT, "bench/tpch/gen.py"), SF, dir], { cwd: ROOT, timeout: 60 * 60_000 });
  const q = JSON.parse(readFileSync(join(dir, "queries.json"), "utf8")) as {
    queries: string[];
    duckdb: string;
  };
  return { dir, queries: q.queries.map((s) => s.trim().replace(/;\s*$/, "")), duckdbVersion: q.duckdb };
}

/**
 * Loads the tables with one `floe sql` process (CREATE TABLE … AS SELECT * FROM read_parquet(…)):
 * one commit each; returns the process's wall time in seconds.
 */
async function loadTables(store: string, warehouse: string, dir: string): Promise<number> {
  const statements = [
    "CREATE NAMESPACE tpch",
    ...TABLES.map(
      (t) => `CREATE TABLE tpch.${t} AS SELECT * FROM read_parquet('${join(dir, `${t}.parquet`)}')`,
    ),
  ];
  const t0 = performance.now();
  const { stdout } = await run(
    process.execPath,
    [
      join(ROOT, "bin/floe.js"),
      "sql",
      "--store",
      store,
      "--warehouse",
      warehouse,
      "-e",
      statements.join(";\n"),
    ],
    { cwd: warehouse, maxBuffer: 16 << 20, timeout: 60 * 60_000 },
  );
  for (const line of stdout.trim().split("\n")) log(`  ${line}`);
  return (performance.now() - t0) / 1000;
}

async function timed(engine: LocalEngine, sql: string): Promise<{ ms: number; rows: Json[][] }> {
  const t0 = performance.now();
  const rows = await engine.query(sql);
  return { ms: performance.now() - t0, rows };
}

async function main() {
  const started = Date.now();
  const loadStart = load();
  const uptimeStart = (await run("uptime")).stdout.trim();
  const { dir, queries: allQueries, duckdbVersion } = await generate();
  const numbers = ONLY ?? allQueries.map((_, i) => i + 1);

  const work = mkdtempSync(join(os.tmpdir(), "floe-bench-tpch-"));
  const warehouse = join(work, "warehouse");
  mkdirSync(warehouse);
  const pg = await startPg(mkdtempSync(join(os.tmpdir(), "floe-bench-tpch-pg-")));
  const servers: ServerProcess[] = [];
  const figures: QueryFigures[] = [];
  const notes: string[] = [];
  const loads: string[] = [`start ${loadStart}`];
  let loadSeconds = 0;
  let sparkSession: number | undefined;
  try {
    const store = await pg.database("bench_tpch");
    log(`loading the tables into floe (PostgreSQL catalog, warehouse ${warehouse})`);
    loadSeconds = await loadTables(store, warehouse, dir);

    // floe's engine and plain DuckDB, alternating query by query
    const qualified = await qualify(allQueries);
    const floe = await floeEngine(store, warehouse);
    const duck = await duckdbEngine(dir);
    try {
      log(`floe and DuckDB: ${numbers.length} queries, 1 warm-up + ${RUNS} runs each (load ${load()})`);
      for (const n of numbers) {
        const sql = qualified[n - 1]!;
        const a = await timed(floe, sql);
        const b = await timed(duck, sql);
        const f: QueryFigures = {
          n,
          rows: b.rows.length,
          floe: [],
          duckdb: [],
          same: sameRows(a.rows, b.rows),
        };
        for (let r = 0; r < RUNS; r++) {
          f.floe.push((await timed(floe, sql)).ms);
          f.duckdb.push((await timed(duck, sql)).ms);
        }
        figures.push(f);
        log(
          `  Q${n}: floe ${ms(median(f.floe))}, DuckDB ${ms(median(f.duckdb))} (${f.rows} rows${f.same ? `; DIFFERENT: ${f.same}` : ""})`,
        );
      }
    } finally {
      await floe.close();
      await duck.close();
    }
    loads.push(`after floe and DuckDB ${load()}`);

    const floeServer = await startFloe({
      store,
      logFile: join(work, "floe.log"),
      extraArgs: ["--warehouse", warehouse],
    });
    servers.push(floeServer);
    const base = floeServer.apiUrl.replace(/\/api\/v2$/, "");
    const texts = numbers.map((n) => allQueries[n - 1]!);

    if (SPARK) {
      log(
        `Spark local[2]: ${numbers.length} queries, ${WARMUP} warm-up + ${OTHER_RUNS} run(s) each (load ${load()})`,
      );
      try {
        sparkSession = await runSpark(`${base}/iceberg/main`, texts, work, numbers, figures);
      } catch (e) {
        notes.push(`Spark: failed: ${(e as Error).message.split("\n").slice(-3).join(" ")}`);
      }
      loads.push(`after Spark ${load()}`);
    } else notes.push("Spark: not run (--no-spark).");

    if (TRINO) {
      log(`Trino: ${numbers.length} queries, ${WARMUP} warm-up + ${OTHER_RUNS} run(s) each (load ${load()})`);
      try {
        await runTrino(floeServer.apiUrl, `${base}/iceberg`, warehouse, work, texts, numbers, figures);
      } catch (e) {
        notes.push(`Trino: failed: ${(e as Error).message.split("\n").slice(-3).join(" ")}`);
      }
      loads.push(`after Trino ${load()}`);
    } else notes.push("Trino: not run (--no-trino).");
  } finally {
    for (const s of servers) await s.stop();
    await pg.stop();
    rmSync(pg.dir, { recursive: true, force: true });
    if (KEEP) log(`work directory kept: ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  await report({
    started,
    uptimeStart,
    loads,
    loadSeconds,
    figures,
    notes,
    dir,
    duckdbVersion,
    sparkSession,
  });
}

async function runSpark(
  restUri: string,
  texts: string[],
  work: string,
  numbers: number[],
  figures: QueryFigures[],
): Promise<number> {
  const depsLine = (
    await run("bash", [join(ROOT, "scripts/spark-deps.sh")], { cwd: ROOT, maxBuffer: 16 << 20 })
  ).stdout
    .trim()
    .split("\n")
    .pop()!;
  const [python, jars] = depsLine.split(" ") as [string, string];
  const file = join(work, "spark-queries.json");
  writeFileSync(file, JSON.stringify({ queries: texts }));
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile(
      python,
      [join(ROOT, "bench/tpch/spark.py"), file, String(OTHER_RUNS), String(WARMUP)],
      {
        cwd: ROOT,
        env: { ...process.env, FLOE_SPARK_JARS: jars, FLOE_REST_URI: restUri },
        maxBuffer: 64 << 20,
        timeout: 120 * 60_000,
      },
      (err, out) => (err ? reject(err) : resolve(out)),
    );
    child.stdout?.on("data", (d: Buffer) => {
      for (const line of d.toString().split("\n")) if (line.startsWith("{")) log(`  Spark ${line.trim()}`);
    });
  });
  let session = 0;
  for (const line of stdout.trim().split("\n")) {
    if (!line.startsWith("{")) continue;
    const r = JSON.parse(line) as {
      sessionSeconds?: number;
      query?: number;
      rows?: number;
      seconds?: number[];
    };
    if (r.sessionSeconds !== undefined) session = r.sessionSeconds;
    if (r.query === undefined) continue;
    const f = figures.find((x) => x.n === numbers[r.query! - 1]);
    if (f) f.spark = { rows: r.rows!, ms: median(r.seconds!) * 1000 };
  }
  return session;
}

async function runTrino(
  nessieUri: string,
  restUri: string,
  warehouse: string,
  work: string,
  texts: string[],
  numbers: number[],
  figures: QueryFigures[],
): Promise<void> {
  const dir = join(work, "trino");
  const script = join(ROOT, "interop/trino/server.sh");
  const url = (
    await run("bash", [script, "start", dir, nessieUri, warehouse, restUri], {
      cwd: ROOT,
      timeout: 10 * 60_000,
    })
  ).stdout
    .trim()
    .split("\n")
    .pop()!;
  try {
    for (const [i, text] of texts.entries()) {
      const sql = trinoDialect(text);
      const f = figures.find((x) => x.n === numbers[i])!;
      try {
        for (let r = 0; r < WARMUP; r++) await trinoQuery(url, sql, { catalog: "rest", schema: "tpch" });
        let rows = 0;
        const times: number[] = [];
        for (let r = 0; r < OTHER_RUNS; r++) {
          const t0 = performance.now();
          rows = (await trinoQuery(url, sql, { catalog: "rest", schema: "tpch" })).length;
          times.push(performance.now() - t0);
        }
        f.trino = { rows, ms: median(times) };
        log(`  Trino Q${f.n}: ${ms(f.trino.ms)} (${rows} rows)`);
      } catch (e) {
        f.trino = { error: (e as Error).message.split("\n")[0]!.slice(0, 200) };
        log(`  Trino Q${f.n}: ${f.trino.error}`);
      }
    }
  } finally {
    await run("bash", [script, "stop", dir], { cwd: ROOT });
  }
}

interface Report {
  started: number;
  uptimeStart: string;
  loads: string[];
  loadSeconds: number;
  figures: QueryFigures[];
  notes: string[];
  dir: string;
  duckdbVersion: string;
  sparkSession: number | undefined;
}

async function report(r: Report): Promise<void> {
  const uptimeEnd = (await run("uptime")).stdout.trim();
  const commit = (await run("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT })).stdout.trim();
  const nodeDuck = (
    JSON.parse(readFileSync(join(ROOT, "node_modules/@duckdb/node-api/package.json"), "utf8")) as {
      version: string;
    }
  ).version;
  const F = r.figures;
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const floeTotal = sum(F.map((f) => median(f.floe)));
  const duckTotal = sum(F.map((f) => median(f.duckdb)));
  const other = (pick: (f: QueryFigures) => QueryFigures["spark"]) => {
    const ok = F.map(pick).filter((x): x is { rows: number; ms: number } => x !== undefined && "ms" in x);
    return ok.length === F.length ? sum(ok.map((x) => x.ms)) : undefined;
  };
  const sparkTotal = other((f) => f.spark);
  const trinoTotal = other((f) => f.trino);
  const ratio = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? "–" : `${(a / b).toFixed(2)}×`;
  const cell = (x: QueryFigures["spark"], rows: number) =>
    x === undefined
      ? "–"
      : "error" in x
        ? "failed"
        : `${ms(x.ms)}${x.rows === rows ? "" : ` (${x.rows} rows!)`}`;
  const timeOf = (x: QueryFigures["spark"]) => (x && "ms" in x ? x.ms : undefined);
  const perQuery = table(
    [
      "query",
      "rows",
      "floe",
      "DuckDB",
      "floe ÷ DuckDB",
      "same rows",
      "Spark",
      "Spark ÷ floe",
      "Trino",
      "Trino ÷ floe",
    ],
    [
      ...F.map((f) => [
        `Q${f.n}`,
        String(f.rows),
        ms(median(f.floe)),
        ms(median(f.duckdb)),
        ratio(median(f.floe), median(f.duckdb)),
        f.same === undefined ? "yes" : `NO: ${f.same}`,
        cell(f.spark, f.rows),
        ratio(timeOf(f.spark), median(f.floe)),
        cell(f.trino, f.rows),
        ratio(timeOf(f.trino), median(f.floe)),
      ]),
      [
        "total",
        "",
        ms(floeTotal),
        ms(duckTotal),
        ratio(floeTotal, duckTotal),
        F.every((f) => f.same === undefined) ? "all" : "NOT ALL",
        ms(sparkTotal),
        ratio(sparkTotal, floeTotal),
        ms(trinoTotal),
        ratio(trinoTotal, floeTotal),
      ],
    ],
    1,
  );
  const verdict = (ok: boolean | undefined) => (ok === undefined ? "not run" : ok ? "met" : "NOT MET");
  const targets = table(
    ["target", "measured", "verdict"],
    [
      [
        "floe ≤ 1.2× DuckDB on the same Parquet files (total of the 22 medians)",
        `${ms(floeTotal)} vs ${ms(duckTotal)} = ${ratio(floeTotal, duckTotal)}`,
        verdict(floeTotal <= 1.2 * duckTotal),
      ],
      [
        "floe ≥ 5× faster than Spark local[2] (total)",
        sparkTotal === undefined
          ? "–"
          : `${ms(sparkTotal)} vs ${ms(floeTotal)} = ${ratio(sparkTotal, floeTotal)}`,
        verdict(sparkTotal === undefined ? undefined : sparkTotal >= 5 * floeTotal),
      ],
      [
        "Trino single node (no target; shown)",
        trinoTotal === undefined
          ? "–"
          : `${ms(trinoTotal)} vs ${ms(floeTotal)} = ${ratio(trinoTotal, floeTotal)}`,
        trinoTotal === undefined ? "not run" : "–",
      ],
    ],
    1,
  );
  const rowsOf = (t: string) => statSync(join(r.dir, `${t}.parquet`)).size / 2 ** 20;
  const text = `## TPC-H

Written by \`npm run bench:tpch\` (bench/tpch.ts); how it runs and what each figure means: bench/README.md.

- date: ${new Date(r.started).toISOString()} (run took ${((Date.now() - r.started) / 60_000).toFixed(1)} min); floe commit ${commit}
- machine: \`nproc\` = ${os.cpus().length}, ${os.cpus()[0]?.model.trim() ?? "?"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB RAM, shared with other agents' work
- \`uptime\` at start: ${r.uptimeStart}
- \`uptime\` at end: ${uptimeEnd}
- 1/5/15-min load: ${r.loads.join("; ")}
- data: TPC-H SF${SF} from DuckDB ${r.duckdbVersion}'s tpch extension (dbgen; PyPI \`duckdb-extension-tpch\`), one Parquet file per table (${TABLES.map((t) => `${t} ${rowsOf(t).toFixed(0)} MB`).join(", ")}); the 22 queries are \`tpch_queries()\`'s text
- floe: catalog on PostgreSQL (scripts/pg.sh, fsync=off), local-disk warehouse; tables loaded with \`floe sql -e "CREATE TABLE tpch.t AS SELECT * FROM read_parquet(…)"\` (one commit each), all 8 in one \`floe sql\` process in ${r.loadSeconds.toFixed(0)} s
- floe's engine: a \`SqlSession\` (what \`floe sql\` runs) in the benchmark's process, @duckdb/node-api ${nodeDuck}; DuckDB: the same @duckdb/node-api, views over \`read_parquet\` of the generated files; both with DuckDB's defaults (2 threads); query by query, 1 warm-up then ${RUNS} runs each, alternating; the median, from the statement to its last row
- Spark 3.5 \`local[2]\` (driver 2 GB), Iceberg 1.11, through floe's Iceberg REST catalog (scripts/spark-deps.sh), one session: per query ${WARMUP} warm-up run(s) then ${OTHER_RUNS} run(s), \`collect()\`; session start ${r.sparkSession === undefined ? "–" : `${r.sparkSession.toFixed(1)} s`} (not counted)
- Trino 476 single node (interop/trino/server.sh: 1 GB heap, Java 25), Iceberg connector on floe's REST catalog: per query ${WARMUP} warm-up run(s) then ${OTHER_RUNS} run(s), over its HTTP protocol; Q15 groups by \`l_suppkey\` instead of its alias \`supplier_no\` (Trino resolves no select-list alias in GROUP BY)
- "same rows": floe's rows equal DuckDB's (numbers within 1e-9 relative); Spark and Trino are checked on their row counts

${targets}

${perQuery}
${r.notes.length ? `\n${r.notes.map((n) => `- ${n}`).join("\n")}\n` : ""}`;
  process.stdout.write(`${text}\n`);
  if (WRITE) {
    writeSection(join(ROOT, "bench/RESULTS.md"), "tpch", text);
    log("wrote the TPC-H section of bench/RESULTS.md");
  }
}

await main();
