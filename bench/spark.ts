/**
 * The Spark benchmark: the wall time of a Spark 3.5 job (local[2]) that creates a partitioned Iceberg
 * table and inserts generated rows into it, with floe as the catalog — over Iceberg REST and over
 * NessieCatalog — and with Nessie 0.99.0's own server over NessieCatalog side by side. Prints the
 * figures and writes the "Spark" section of bench/RESULTS.md. See bench/README.md.
 *
 *   npm run bench:spark                       1,000,000 rows, writes the section
 *   npm run bench:spark -- --rows 100000      other counts; prints only (add --write)
 *   npm run bench:spark -- --no-nessie        floe only
 *   npm run bench:spark -- --keep             keep the work directory (server logs, warehouses)
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { writeSection } from "./lib/results-file.ts";
import {
  NESSIE_JAR,
  NESSIE_VERSION,
  nessieJava,
  ROOT,
  type ServerProcess,
  startFloe,
  startNessie,
  startPg,
} from "./lib/servers.ts";
import { table } from "./lib/stats.ts";

const run = promisify(execFile);
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const value = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const ROWS = Number(value("--rows") ?? 1_000_000);
const WRITE = flag("--write") || value("--rows") === undefined;
const NESSIE = !flag("--no-nessie");
const KEEP = flag("--keep");

const log = (s: string) =>
  process.stderr.write(`[bench:spark ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
const load = () =>
  os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(" / ");
const secs = (v: number) => `${v.toFixed(1)} s`;

interface JobResult {
  mode: string;
  rows: number;
  counted: number;
  files: number;
  sessionSeconds: number;
  createSeconds: number;
  insertSeconds: number;
  countSeconds: number;
  jobSeconds: number;
}
interface Row extends JobResult {
  server: string;
  catalog: string;
  processSeconds: number;
  loadAfter: string;
}

/** Runs bench/spark_insert.py once in a fresh Python + JVM; the process's wall time is measured here. */
async function sparkJob(
  python: string,
  jars: string,
  mode: "rest" | "nessie",
  env: Record<string, string>,
): Promise<JobResult & { processSeconds: number }> {
  const t0 = performance.now();
  const { stdout } = await run(python, [join(ROOT, "bench/spark_insert.py"), mode, String(ROWS)], {
    cwd: ROOT,
    env: { ...process.env, FLOE_SPARK_JARS: jars, ...env },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 30 * 60_000,
  });
  const processSeconds = (performance.now() - t0) / 1000;
  const line = stdout.trim().split("\n").pop()!;
  return { ...(JSON.parse(line) as JobResult), processSeconds };
}

async function main() {
  const started = Date.now();
  const loadStart = load();
  const uptimeStart = (await run("uptime")).stdout.trim();
  log(`Spark: scripts/spark-deps.sh (load ${loadStart})`);
  const depsLine = (
    await run("bash", [join(ROOT, "scripts/spark-deps.sh")], { cwd: ROOT, maxBuffer: 16 << 20 })
  ).stdout
    .trim()
    .split("\n")
    .pop()!;
  const [python, jars] = depsLine.split(" ") as [string, string];

  const work = mkdtempSync(join(os.tmpdir(), "floe-bench-spark-"));
  const pg = await startPg(mkdtempSync(join(os.tmpdir(), "floe-bench-spark-pg-")));
  const rows: Row[] = [];
  const notes: string[] = [];
  const servers: ServerProcess[] = [];
  try {
    const measure = async (
      server: string,
      catalog: string,
      mode: "rest" | "nessie",
      env: Record<string, string>,
    ) => {
      log(`${server}, ${catalog}: ${ROWS.toLocaleString("en-US")} rows`);
      const r = await sparkJob(python, jars, mode, env);
      if (r.counted !== ROWS)
        throw new Error(`${server} ${catalog}: counted ${r.counted} rows, inserted ${ROWS}`);
      rows.push({ ...r, server, catalog, loadAfter: load() });
      log(`  job ${secs(r.jobSeconds)} (insert ${secs(r.insertSeconds)}), process ${secs(r.processSeconds)}`);
    };

    // floe on PostgreSQL; its own warehouse for REST, NessieCatalog's warehouse for the Nessie API
    const floeWarehouse = join(work, "floe-warehouse");
    mkdirSync(floeWarehouse);
    const floe = await startFloe({
      store: await pg.database("bench_spark_floe"),
      logFile: join(work, "floe.log"),
      extraArgs: ["--warehouse", floeWarehouse],
    });
    servers.push(floe);
    const floeBase = floe.apiUrl.replace(/\/api\/v2$/, "");
    await measure("floe / PostgreSQL", "Iceberg REST", "rest", { FLOE_REST_URI: `${floeBase}/iceberg/main` });
    // a second floe on a fresh database for the NessieCatalog run: both runs create bench.events
    await floe.stop();
    servers.pop();
    const floe2 = await startFloe({
      store: await pg.database("bench_spark_floe2"),
      logFile: join(work, "floe2.log"),
      extraArgs: ["--warehouse", floeWarehouse],
    });
    servers.push(floe2);
    const nessieWarehouse = join(work, "nessie-catalog-warehouse");
    mkdirSync(nessieWarehouse);
    await measure("floe / PostgreSQL", "NessieCatalog", "nessie", {
      FLOE_NESSIE_URI: floe2.apiUrl,
      FLOE_WAREHOUSE: nessieWarehouse,
    });
    await floe2.stop();
    servers.pop();

    const java = nessieJava();
    if (!NESSIE) notes.push("Nessie: not run (--no-nessie).");
    else if (!java) notes.push("Nessie: not run (no Java 21+; see bench/README.md).");
    else {
      const nessie = await startNessie({
        java,
        jar: NESSIE_JAR,
        jdbcUrl: (await pg.database("bench_spark_nessie")).replace(
          /^postgres(ql)?:\/\/[^@]*@/,
          "jdbc:postgresql://",
        ),
        user: new URL(pg.url).username || "postgres",
        logFile: join(work, "nessie.log"),
        heap: "2g",
      });
      servers.push(nessie);
      const w = join(work, "nessie-warehouse");
      mkdirSync(w);
      await measure(`Nessie ${NESSIE_VERSION} / PostgreSQL`, "NessieCatalog", "nessie", {
        FLOE_NESSIE_URI: nessie.apiUrl,
        FLOE_WAREHOUSE: w,
      });
      notes.push(
        `Nessie over Iceberg REST: not run (Nessie's REST catalog needs its warehouse and object-store configuration; not set up here).`,
      );
    }
  } finally {
    for (const s of servers) await s.stop();
    await pg.stop();
    rmSync(pg.dir, { recursive: true, force: true });
    if (KEEP) log(`work directory kept: ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }

  const uptimeEnd = (await run("uptime")).stdout.trim();
  const commit = (await run("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT })).stdout.trim();
  const figures = table(
    [
      "server",
      "catalog",
      "job (excl. JVM start)",
      "insert",
      "create table",
      "count back",
      "JVM + session start",
      "process (incl. JVM start)",
      "rows counted",
      "data files",
      "1-min load after",
    ],
    rows.map((r) => [
      r.server,
      r.catalog,
      secs(r.jobSeconds),
      secs(r.insertSeconds),
      secs(r.createSeconds),
      secs(r.countSeconds),
      secs(r.sessionSeconds),
      secs(r.processSeconds),
      r.counted.toLocaleString("en-US"),
      String(r.files),
      r.loadAfter.split(" / ")[0]!,
    ]),
    2,
  );
  const text = `## Spark

Written by \`npm run bench:spark\` (bench/spark.ts, the job bench/spark_insert.py); what each figure means: bench/README.md.

- date: ${new Date(started).toISOString()} (run took ${((Date.now() - started) / 60_000).toFixed(1)} min); floe commit ${commit}
- machine: \`nproc\` = ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB RAM, shared with other agents' work
- \`uptime\` at start: ${uptimeStart}
- \`uptime\` at end: ${uptimeEnd}
- Spark 3.5 \`local[2]\`, driver 1 GB, Iceberg 1.11 (scripts/spark-deps.sh); local warehouse directories; floe and Nessie on one private PostgreSQL (scripts/pg.sh, fsync=off)
- the job: \`CREATE TABLE … PARTITIONED BY (days(ts))\` (10 days), then \`spark.range(${ROWS.toLocaleString("en-US")})\` → 4 columns → \`writeTo(…).append()\`, then \`SELECT count(*)\`; one run per row, each in a fresh JVM and a fresh catalog database
- "create table" is the session's first use of the catalog (Iceberg's and the catalog client's classes load then), so most of it is Spark's, not the catalog's; with one run per row on a loaded machine, differences between the rows of less than about 2× are noise

${figures}
${notes.length ? `\n${notes.map((n) => `- ${n}`).join("\n")}\n` : ""}`;
  process.stdout.write(`${text}\n`);
  if (WRITE) {
    writeSection(join(ROOT, "bench/RESULTS.md"), "spark", text);
    log("wrote the Spark section of bench/RESULTS.md");
  }
}

await main();
