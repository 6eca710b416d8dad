/**
 * The Iceberg REST benchmark (`npm run bench -- rest`): `floe serve` and — when its jar and Java 21+
 * are here — Nessie 0.99.0's Iceberg REST endpoint (`/iceberg`) side by side, both on one private
 * PostgreSQL (scripts/pg.sh; floe's store and Nessie's JDBC2 version store, each its own database)
 * with their warehouses on one private S3 server (scripts/s3.sh, SeaweedFS). Driven over HTTP from
 * this process with 1, 8 and 32 closed-loop clients: loadTable requests/s on one table, and commits/s
 * where each client commits a `set-properties` update to its own table (each commit writes a
 * metadata file to S3 and makes one version-store commit); then pyiceberg's append loop
 * (bench/rest_pyiceberg.py) against each. The rows alternate between the servers, so a change in the
 * machine's load hits both alike. Prints a Markdown section for bench/RESULTS.md.
 *
 *   npm run bench -- rest [--seconds N] [--no-nessie] [--write]
 *   (--write: section "iceberg-rest" of bench/RESULTS.md)
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { HttpClient } from "./lib/http.ts";
import { type ClientStep, type LoadResult, type Outcome, runLoad, timed } from "./lib/load.ts";
import { writeSection } from "./lib/results-file.ts";
import {
  NESSIE_JAR,
  NESSIE_VERSION,
  nessieJava,
  ROOT,
  type S3Server,
  type ServerProcess,
  startFloe,
  startNessie,
  startPg,
  startS3,
} from "./lib/servers.ts";
import { cpuSeconds, fmt, table } from "./lib/stats.ts";

const argv = process.argv.slice(2);
const secondsArg = argv.indexOf("--seconds");
const SECONDS = secondsArg >= 0 ? Number(argv[secondsArg + 1]) : 10;
const CLIENTS = [1, 8, 32];
const WARMUP_SECONDS = 16;
const R = "/v1/main";
const SCHEMA = {
  type: "struct",
  "schema-id": 0,
  fields: [{ id: 1, name: "id", required: true, type: "long" }],
};

const log = (s: string) =>
  process.stderr.write(`[bench rest ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

/** One server under test over its Iceberg REST endpoint. */
interface Target {
  readonly name: string;
  readonly server: ServerProcess;
  readonly client: HttpClient;
  /** The catalog URI a client is given (`http://…/iceberg`). */
  readonly uri: string;
  /** Catalog properties pyiceberg gets besides the URI. */
  readonly pyProps: Record<string, string>;
}

interface Row {
  readonly target: string;
  readonly workload: string;
  readonly result: LoadResult;
  readonly cpuMsPerOk: number;
  readonly load1: number;
}

const outcome = (status: number, ms: number, body: string): Outcome =>
  status === 200 || status === 204
    ? { kind: "ok", ms }
    : status === 409
      ? { kind: "conflict", ms }
      : { kind: "error", ms, detail: `${status} ${body.slice(0, 200)}` };

// `stage-create` is optional in the spec; Nessie 0.99 refuses a create request without it.
async function createTable(c: HttpClient, name: string): Promise<void> {
  await c.ok("POST", `${R}/namespaces/bench/tables`, { name, schema: SCHEMA, "stage-create": false });
}

function loadSteps(c: HttpClient, clients: number): ClientStep[] {
  return Array.from({ length: clients }, () => async () => {
    const { value, ms } = await timed(() => c.request("GET", `${R}/namespaces/bench/tables/load_t`));
    return outcome(value.status, ms, value.body);
  });
}

async function commitSteps(c: HttpClient, clients: number, prefix = "commit"): Promise<ClientStep[]> {
  const names = Array.from({ length: clients }, (_, i) => `${prefix}_${clients}_c${i}`);
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

async function measure(
  t: Target,
  workload: string,
  steps: readonly ClientStep[],
  rows: Row[],
): Promise<void> {
  await runLoad(steps, { maxRequests: 1_000_000, maxSeconds: Math.min(2, SECONDS) });
  const cpu0 = cpuSeconds(t.server.pid);
  const result = await runLoad(steps, { maxRequests: 1_000_000, maxSeconds: SECONDS });
  const cpu = cpuSeconds(t.server.pid) - cpu0;
  rows.push({
    target: t.name,
    workload,
    result,
    cpuMsPerOk: result.ok > 0 ? (cpu * 1000) / result.ok : NaN,
    load1: os.loadavg()[0]!,
  });
  if (result.firstError) log(`${t.name} ${workload} ${result.clients}: first error ${result.firstError}`);
  log(`${t.name} ${workload} ${result.clients} clients: ${fmt.rate(result.okPerSecond)}/s`);
}

function s3Props(s3: S3Server): Record<string, string> {
  return {
    "s3.endpoint": s3.endpoint,
    "s3.access-key-id": s3.accessKey,
    "s3.secret-access-key": s3.secretKey,
    "s3.region": "us-east-1",
    "s3.path-style-access": "true",
  };
}

/** Nessie's Iceberg REST catalog: a default warehouse on the S3 server, static keys as a Quarkus secret. */
function nessieCatalogProps(s3: S3Server, location: string): Record<string, string> {
  return {
    "nessie.catalog.default-warehouse": "bench",
    "nessie.catalog.warehouses.bench.location": location,
    "nessie.catalog.service.s3.default-options.endpoint": s3.endpoint,
    "nessie.catalog.service.s3.default-options.path-style-access": "true",
    "nessie.catalog.service.s3.default-options.region": "us-east-1",
    "nessie.catalog.service.s3.default-options.access-key": "urn:nessie-secret:quarkus:floe-bench-s3",
    "floe-bench-s3.name": s3.accessKey,
    "floe-bench-s3.secret": s3.secretKey,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), "floe-bench-rest-"));
  // their own directories under /tmp: `dir` is private to root, PostgreSQL runs as postgres
  const pgDir = mkdtempSync(join(os.tmpdir(), "floe-bench-rest-pg-"));
  const s3Dir = mkdtempSync(join(os.tmpdir(), "floe-bench-rest-s3-"));
  const load0 = os.loadavg();
  const run = Date.now().toString(36);
  const pg = await startPg(pgDir);
  const s3 = await startS3(s3Dir);
  const targets: Target[] = [];
  const notes: string[] = [];
  const rows: Row[] = [];
  const pyiceberg: Array<[string, string]> = [];
  try {
    const floe = await startFloe({
      store: await pg.database("bench_rest"),
      logFile: join(dir, "floe.log"),
      poolSize: 32,
      extraArgs: [
        "--warehouse",
        `s3://floe-test/bench-rest-floe-${run}`,
        "--s3-endpoint",
        s3.endpoint,
        "--s3-access-key-id",
        s3.accessKey,
        "--s3-secret-access-key",
        s3.secretKey,
      ],
    });
    const floeUri = floe.apiUrl.replace(/\/api\/v2$/, "/iceberg");
    targets.push({
      name: "floe",
      server: floe,
      client: new HttpClient(floeUri, 64),
      uri: floeUri,
      pyProps: {},
    });

    const java = nessieJava();
    if (argv.includes("--no-nessie")) notes.push("Nessie not run (--no-nessie).");
    else if (!java || !existsSync(NESSIE_JAR))
      notes.push(
        `Nessie not run: ${!java ? "no Java 21+ found" : `${NESSIE_JAR} missing`} (bench/README.md says how to fetch it).`,
      );
    else {
      log(
        `starting Nessie ${NESSIE_VERSION} (JDBC2 on the same PostgreSQL, warehouse on the same S3 server)`,
      );
      const jdbc = (await pg.database("bench_rest_nessie")).replace(
        /^postgres:\/\/([^@]*)@/,
        "jdbc:postgresql://",
      );
      const nessie = await startNessie({
        java,
        jar: NESSIE_JAR,
        jdbcUrl: jdbc,
        user: /^postgres:\/\/([^@:]*)/.exec(pg.url)![1]!,
        logFile: join(dir, "nessie.log"),
        heap: "2g",
        extraProps: nessieCatalogProps(s3, `s3://floe-test/bench-rest-nessie-${run}`),
      });
      const uri = nessie.apiUrl.replace(/\/api\/v2$/, "/iceberg");
      // Nessie hands clients S3 request signing, which pyiceberg's pyarrow FileIO does not do: keys instead
      targets.push({
        name: `Nessie ${NESSIE_VERSION}`,
        server: nessie,
        client: new HttpClient(uri, 64),
        uri,
        pyProps: s3Props(s3),
      });
    }

    for (const t of targets) {
      await t.client.ok("POST", `${R}/namespaces`, { namespace: ["bench"] });
      await createTable(t.client, "load_t");
      // unmeasured: the JVM's JIT (Nessie) and V8 (floe) compile their hot paths
      log(`${t.name}: ${WARMUP_SECONDS} s of unmeasured warm-up (loads, then commits, 8 clients)`);
      const warm = { maxRequests: 1_000_000, maxSeconds: WARMUP_SECONDS / 2 };
      await runLoad(loadSteps(t.client, 8), warm);
      await runLoad(await commitSteps(t.client, 8, "warm"), warm);
    }
    for (const n of CLIENTS)
      for (const t of targets) await measure(t, "loadTable", loadSteps(t.client, n), rows);
    for (const n of CLIENTS)
      for (const t of targets)
        await measure(t, "commit (own table each)", await commitSteps(t.client, n), rows);
    for (const t of targets) pyiceberg.push([t.name, pyicebergAppends(t)]);
  } finally {
    for (const t of targets) {
      t.client.close();
      await t.server.stop();
    }
    await s3.stop();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(pgDir, { recursive: true, force: true });
    rmSync(s3Dir, { recursive: true, force: true });
  }
  const avg = (l: number[]) => l.map((x) => x.toFixed(1)).join(" / ");
  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT }).toString().trim();
  const body = [
    "## Iceberg REST (`npm run bench -- rest`, bench/rest.ts)",
    "",
    `- date: ${new Date().toISOString()}; floe commit ${commit}; ${os.cpus().length} cores, shared with other agents' work; load average (1/5/15 min) at the start: ${avg(load0)}, at the end: ${avg(os.loadavg())}; the last column gives it per row`,
    `- ${targets.map((t) => t.name).join(" and ")} on one private PostgreSQL (scripts/pg.sh, fsync=off), each its own database${targets.length > 1 ? " (Nessie: JDBC2 version store, -Xmx2g)" : ""}; warehouses on one private S3 server (scripts/s3.sh, SeaweedFS); floe's pool 32 connections`,
    `- closed-loop clients over keep-alive HTTP; each server first gets ${WARMUP_SECONDS} s of unmeasured load (loadTable, then commits, 8 clients) so that the JIT (Nessie) and V8 (floe) have compiled their hot paths; then ${SECONDS} s per row after ${Math.min(2, SECONDS)} s unmeasured; the servers' rows alternate (floe, Nessie, floe, …)`,
    "- loadTable: every client loads the same table; commit: each client commits `set-properties` to its own table (one new metadata file on S3 + one version-store commit per request)",
    "- server CPU ms/ok: the server process's CPU (user+system) per successful request (PostgreSQL's and SeaweedFS's processes not included)",
    ...notes.map((n) => `- ${n}`),
    "",
    table(
      [
        "workload",
        "clients",
        "server",
        "ok/s",
        "p50 ms",
        "p99 ms",
        "409s",
        "errors",
        "server CPU ms/ok",
        "1-min load",
      ],
      rows.map((r) => [
        r.workload,
        String(r.result.clients),
        r.target,
        fmt.rate(r.result.okPerSecond),
        fmt.ms(r.result.p50),
        fmt.ms(r.result.p99),
        String(r.result.conflicts),
        String(r.result.errors),
        Number.isNaN(r.cpuMsPerOk) ? "—" : fmt.ms(r.cpuMsPerOk),
        r.load1.toFixed(1),
      ]),
      3,
    ),
    "",
    ...ratioTable(rows, targets),
    "pyiceberg append loop (bench/rest_pyiceberg.py, one client, 100 rows per append, end to end: Parquet file + manifest + manifest list on S3 + REST commit):",
    "",
    ...pyiceberg.map(([name, line]) => `- ${name}: ${line}`),
    ...(targets.length > 1
      ? [
          "- the snapshot count is what each server's loadTable lists afterwards: Nessie 0.99's Iceberg REST lists only the current snapshot; the row count shows whether every append landed",
        ]
      : []),
  ].join("\n");
  console.log(body);
  if (argv.includes("--write")) writeSection(join(ROOT, "bench/RESULTS.md"), "iceberg-rest", body);
}

/** floe's ok/s over Nessie's, row by row (> 1: floe does more per second). */
function ratioTable(rows: readonly Row[], targets: readonly Target[]): string[] {
  if (targets.length < 2) return [];
  const [a, b] = [targets[0]!.name, targets[1]!.name];
  const out: string[][] = [];
  for (const r of rows.filter((x) => x.target === a)) {
    const o = rows.find(
      (x) => x.target === b && x.workload === r.workload && x.result.clients === r.result.clients,
    );
    if (o && o.result.okPerSecond > 0)
      out.push([
        r.workload,
        String(r.result.clients),
        (r.result.okPerSecond / o.result.okPerSecond).toFixed(2),
      ]);
  }
  return [table(["workload", "clients", `${a} ÷ ${b} (ok/s)`], out, 2), ""];
}

/** The pyiceberg append loop against one target, if the venv of scripts/python-deps.sh can be had. */
function pyicebergAppends(t: Target): string {
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
  log(`${t.name}: pyiceberg append loop`);
  const out = execFileSync(python, [
    join(ROOT, "bench/rest_pyiceberg.py"),
    t.uri,
    String(SECONDS),
    JSON.stringify(t.pyProps),
  ]).toString();
  const r = JSON.parse(out.trim().split("\n").pop()!) as {
    appends: number;
    per_second: number;
    p50_ms: number;
    snapshots: number;
    rows: number;
  };
  return `${r.appends} appends in ${SECONDS} s, ${fmt.rate(r.per_second)} appends/s, p50 ${fmt.ms(r.p50_ms)} ms; the table then holds ${fmt.int(r.rows)} rows (${fmt.int((r.appends + 1) * 100)} appended) and shows ${r.snapshots} snapshots; 1-min load ${os.loadavg()[0]!.toFixed(1)}`;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
