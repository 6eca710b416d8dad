/**
 * floe's benchmark: starts `floe serve` on PostgreSQL (a private server from scripts/pg.sh) and on
 * PGlite, and — when its jar is in ~/.cache/floe/nessie — a real Nessie server on the same
 * PostgreSQL, drives each through HTTP from this process, prints the figures and writes
 * bench/RESULTS.md. See bench/README.md.
 *
 *   npm run bench                      full run (~10 minutes), writes bench/RESULTS.md
 *   npm run bench -- --quick           smaller counts, prints only (add --write to write RESULTS.md)
 *   npm run bench -- --only pg,nessie  some of: pg, pglite, nessie
 *   npm run bench -- --cpu-prof        floe servers run under node --cpu-prof; top functions printed
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { HttpClient } from "./lib/http.ts";
import { type ClientStep, type LoadResult, type PhaseBounds, mergeResults, runLoad } from "./lib/load.ts";
import { topFunctions } from "./lib/profile.ts";
import { markedSections } from "./lib/results-file.ts";
import {
  NESSIE_JAR,
  NESSIE_VERSION,
  type PgServer,
  ROOT,
  type ServerProcess,
  nessieJava,
  startFloe,
  startNessie,
  startPg,
} from "./lib/servers.ts";
import { RssSampler, cpuSeconds, fmt, rssMb, table } from "./lib/stats.ts";
import { distinctKeyClients, ensureNamespace, oneKeyClients, readClients } from "./lib/workloads.ts";

// ---- options ---------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const value = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const QUICK = flag("--quick");
const CPU_PROF = flag("--cpu-prof");
const WRITE = flag("--write") || !QUICK;
const ONLY = new Set((value("--only") ?? "pg,pglite,nessie").split(","));
const CFG = QUICK
  ? {
      seqRounds: 2,
      seqPerRound: 50,
      seqWarmup: 20,
      seconds: 2,
      warmupSeconds: 0.5,
      serverWarmupSeconds: 2,
      maxRequests: 20_000,
      seed: 5_000,
      tables: 100,
    }
  : {
      seqRounds: 5,
      seqPerRound: 100,
      seqWarmup: 50,
      seconds: 6,
      warmupSeconds: 1,
      serverWarmupSeconds: 8,
      maxRequests: 100_000,
      seed: 100_000,
      tables: 100,
    };
const CLIENTS = [1, 8, 32] as const;

// ---- results ---------------------------------------------------------------------------------

interface Row {
  readonly scenario: string;
  readonly result: LoadResult;
  /** Server CPU seconds per successful request (ms), from /proc/<pid>/stat. */
  readonly cpuMsPerOk: number;
  /** The load generator's own CPU per request (ms). */
  readonly clientCpuMsPerReq: number;
  readonly loadAvg: number;
}

interface BackendResult {
  readonly name: string;
  readonly store: string;
  readonly startSeconds: number;
  readonly idleRss: number;
  readonly peakRss32: number;
  readonly rows: Row[];
  idleRss100k?: number;
  seed?: Seeded;
  error?: string;
}

const started = new Date();
const load0 = os.loadavg();
const results: BackendResult[] = [];
let pgSettings: Record<string, string> = {};
const profiles: Array<{ name: string; top: string }> = [];
const notes: string[] = [];
interface Seeded {
  readonly commits: number;
  readonly seconds: number;
  readonly method: string;
}
/** Large repositories made ahead of their backend's turn, by store URL. */
const prepared = new Map<string, Seeded>();

const log = (s: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function find(b: BackendResult | undefined, scenario: string): Row | undefined {
  return b?.rows.find((r) => r.scenario === scenario);
}

// ---- one server ------------------------------------------------------------------------------

interface Measured {
  readonly result: LoadResult;
  /** Server CPU seconds and the load generator's CPU microseconds during the phase. */
  readonly serverCpu: number;
  readonly ownCpuUs: number;
}

/** Runs a load phase against a server, with the CPU both sides used. */
async function runMeasured(
  server: ServerProcess,
  steps: readonly ClientStep[],
  bounds: PhaseBounds,
  warmup?: PhaseBounds,
  sampler?: RssSampler,
): Promise<Measured> {
  if (warmup) await runLoad(steps, warmup);
  sampler?.start();
  const own0 = process.cpuUsage();
  const cpu0 = cpuSeconds(server.pid);
  const result = await runLoad(steps, bounds);
  const serverCpu = cpuSeconds(server.pid) - cpu0;
  const own = process.cpuUsage(own0);
  sampler?.stop();
  return { result, serverCpu, ownCpuUs: own.user + own.system };
}

/** Records a row (from one phase, or merged phases). */
function record(server: ServerProcess, rows: Row[], scenario: string, parts: readonly Measured[]): Row {
  const result = parts.length === 1 ? parts[0]!.result : mergeResults(parts.map((p) => p.result));
  const serverCpu = parts.reduce((a, p) => a + p.serverCpu, 0);
  const ownCpuUs = parts.reduce((a, p) => a + p.ownCpuUs, 0);
  const row: Row = {
    scenario,
    result,
    cpuMsPerOk: result.ok > 0 ? (serverCpu * 1000) / result.ok : Number.NaN,
    clientCpuMsPerReq: ownCpuUs / 1000 / Math.max(1, result.requests),
    loadAvg: os.loadavg()[0]!,
  };
  rows.push(row);
  log(
    `${server.name} ${scenario}: ${fmt.rate(result.okPerSecond)}/s ok, p50 ${fmt.ms(result.p50)} ms, ` +
      `p99 ${fmt.ms(result.p99)} ms, ${result.ok} ok, ${result.conflicts} × 409, ${result.errors} errors` +
      (result.firstError ? ` (first: ${result.firstError})` : ""),
  );
  return row;
}

/** Runs one concurrent workload against a running server and records it. */
async function measure(
  server: ServerProcess,
  rows: Row[],
  scenario: string,
  clients: number,
  build: (c: HttpClient) => Promise<ClientStep[]>,
  sampler?: RssSampler,
): Promise<Row> {
  const c = new HttpClient(server.apiUrl, clients);
  try {
    const steps = await build(c);
    const m = await runMeasured(
      server,
      steps,
      { maxRequests: CFG.maxRequests, maxSeconds: CFG.seconds },
      { maxRequests: CFG.maxRequests, maxSeconds: CFG.warmupSeconds },
      sampler,
    );
    return record(server, rows, scenario, [m]);
  } finally {
    c.close();
  }
}

/**
 * Sequential commits (1 client) on two servers started together — one on an empty repository, one
 * on the large one — in alternating rounds, so that a change in the machine's load hits both alike.
 */
async function pairedSequential(
  empty: ServerProcess,
  big: ServerProcess,
  rows: Row[],
  bigLabel: string,
): Promise<void> {
  const clients = [new HttpClient(empty.apiUrl, 1), new HttpClient(big.apiUrl, 1)];
  try {
    const steps: ClientStep[][] = [];
    for (const c of clients) {
      await ensureNamespace(c);
      steps.push(await distinctKeyClients(c, "seq", 1));
    }
    for (let i = 0; i < 2; i++) await runLoad(steps[i]!, { maxRequests: CFG.seqWarmup, maxSeconds: 60 });
    const parts: Measured[][] = [[], []];
    const servers = [empty, big];
    for (let round = 0; round < CFG.seqRounds; round++) {
      for (let i = 0; i < 2; i++) {
        parts[i]!.push(
          await runMeasured(servers[i]!, steps[i]!, { maxRequests: CFG.seqPerRound, maxSeconds: 60 }),
        );
      }
    }
    record(empty, rows, "sequential commits, empty repository", parts[0]!);
    record(big, rows, bigLabel, parts[1]!);
  } finally {
    clients.forEach((c) => c.close());
  }
}

/** The workloads every server runs: commits on distinct keys and on one key, content reads. */
async function workloads(server: ServerProcess, rows: Row[]): Promise<number> {
  const setup = new HttpClient(server.apiUrl, 1);
  await ensureNamespace(setup);
  setup.close();
  const peak = new RssSampler(server.pid);
  await warmUp(server);
  for (const n of CLIENTS) {
    await measure(
      server,
      rows,
      `commits, distinct keys, ${n} clients`,
      n,
      (c) => distinctKeyClients(c, `d${n}`, n),
      n === 32 ? peak : undefined,
    );
  }
  for (const n of CLIENTS) {
    await measure(
      server,
      rows,
      `commits, one key, ${n} clients`,
      n,
      (c) => oneKeyClients(c, `k${n}`, n),
      n === 32 ? peak : undefined,
    );
  }
  await measure(
    server,
    rows,
    "content reads, 32 clients",
    32,
    (c) => readClients(c, "r", 32, CFG.tables),
    peak,
  );
  return peak.peak;
}

/**
 * Unrecorded load before the throughput figures, the same for every server, so that a JVM's JIT
 * (and V8's) has compiled the hot paths: commits from 8 clients, then reads from 8 clients.
 */
async function warmUp(server: ServerProcess): Promise<void> {
  const c = new HttpClient(server.apiUrl, 8);
  try {
    const bounds = { maxRequests: CFG.maxRequests, maxSeconds: CFG.serverWarmupSeconds / 2 };
    await runLoad(await distinctKeyClients(c, "warm", 8), bounds);
    await runLoad(await readClients(c, "warmr", 8, CFG.tables), bounds);
  } finally {
    c.close();
  }
}

async function idleRss(server: ServerProcess): Promise<number> {
  await sleep(2000);
  return rssMb(server.pid);
}

/** Runs bench/seed.ts in its own process; returns its report. */
function seedRun(args: string[]): { commits: number; seconds: number } {
  const out = execFileSync(process.execPath, ["--import", "tsx", join(ROOT, "bench/seed.ts"), ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split("\n").pop()!) as { commits: number; seconds: number };
}

async function stopFloe(server: ServerProcess, name: string, profDir: string | undefined): Promise<void> {
  await server.stop();
  if (!profDir) return;
  // tsx's module loader runs in a worker thread with its own profile: keep the main thread's, the largest.
  const files = readdirSync(profDir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => join(profDir, f))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  if (files[0]) {
    profiles.push({ name, top: topFunctions(files[0], 25) });
    log(`CPU profile of ${name}: ${files[0]}`);
  }
}

async function benchFloe(
  name: string,
  storeOf: (what: "main" | "seeded" | "empty") => Promise<string>,
  work: string,
) {
  const rows: Row[] = [];
  const store = await storeOf("main");
  const slug = name.replace(/\W+/g, "-");
  const profDir = (phase: string) => {
    if (!CPU_PROF) return {};
    const dir = join(work, `prof-${slug}-${phase}`);
    mkdirSync(dir, { recursive: true });
    return { cpuProfDir: dir };
  };
  log(`${name}: starting floe on ${store.replace(/\/\/[^@]*@/, "//")}`);
  const emptyProf = profDir("empty");
  const server = await startFloe({ store, logFile: join(work, `${slug}.log`), ...emptyProf });
  const result: BackendResult = {
    name,
    store: store.startsWith("pglite:") ? "PGlite (directory)" : "PostgreSQL (scripts/pg.sh)",
    startSeconds: server.startSeconds,
    idleRss: await idleRss(server),
    peakRss32: 0,
    rows,
  };
  results.push(result);
  try {
    (result as { peakRss32: number }).peakRss32 = await workloads(server, rows);
  } finally {
    await stopFloe(server, `${name}, empty repository`, emptyProf.cpuProfDir);
  }

  // Sequential commits on a repository of CFG.seed keys and commits against an empty one.
  const seeded = await storeOf("seeded");
  let seed = prepared.get(seeded);
  if (!seed) {
    log(`${name}: seeding ${fmt.int(CFG.seed)} keys / commits through the store API (bench/seed.ts)`);
    seed = { ...seedRun([seeded, String(CFG.seed)]), method: "store API, 400 concurrent commits" };
    // PGlite gets a copy of this repository, taken before any server touched it (seconds, not minutes).
    if (!seeded.startsWith("pglite:") && ONLY.has("pglite")) {
      const copy = `pglite:${join(work, "pglite-seeded")}`;
      log(`copying the ${fmt.int(CFG.seed)}-commit repository to PGlite (bench/seed.ts --copy-from)`);
      prepared.set(copy, {
        ...seedRun([copy, "--copy-from", seeded]),
        method: "copied from the PostgreSQL repository",
      });
    }
  }
  result.seed = seed;
  log(`${name}: ${fmt.int(seed.commits)} commits ready in ${seed.seconds.toFixed(0)} s (${seed.method})`);
  const seededProf = profDir("seeded");
  const fresh = await storeOf("empty");
  const bigServer = await startFloe({
    store: seeded,
    logFile: join(work, `${slug}-seeded.log`),
    ...seededProf,
  });
  let emptyServer: ServerProcess | undefined;
  try {
    emptyServer = await startFloe({ store: fresh, logFile: join(work, `${slug}-empty.log`) });
    result.idleRss100k = await idleRss(bigServer);
    await pairedSequential(emptyServer, bigServer, rows, `sequential commits, ${fmt.int(CFG.seed)} keys`);
  } finally {
    await emptyServer?.stop();
    await stopFloe(bigServer, `${name}, ${fmt.int(CFG.seed)} keys`, seededProf.cpuProfDir);
  }
}

async function benchNessie(pgServer: PgServer, work: string): Promise<void> {
  const java = nessieJava();
  const jar = NESSIE_JAR;
  if (!java || !execOk("test", ["-f", jar])) {
    notes.push(
      `Nessie not run: ${!java ? "no Java 21+ found" : `${jar} missing`} (see bench/README.md for how to fetch it).`,
    );
    return;
  }
  const jdbc = (await pgServer.database("nessie")).replace(/^postgres:\/\/([^@]*)@/, "jdbc:postgresql://");
  const user = /^postgres:\/\/([^@:]*)/.exec(pgServer.url)![1]!;
  const heap = "2g";
  log(`Nessie ${NESSIE_VERSION}: starting (${java}, -Xmx${heap}, JDBC2 on the same PostgreSQL)`);
  const server = await startNessie({
    java,
    jar,
    jdbcUrl: jdbc,
    user,
    logFile: join(work, "nessie.log"),
    heap,
  });
  const rows: Row[] = [];
  const result: BackendResult = {
    name: `Nessie ${NESSIE_VERSION}`,
    store: `PostgreSQL (same server), JDBC2 version store, ${javaVersion(java)}, -Xmx${heap}`,
    startSeconds: server.startSeconds,
    idleRss: await idleRss(server),
    peakRss32: 0,
    rows,
  };
  results.push(result);
  try {
    (result as { peakRss32: number }).peakRss32 = await workloads(server, rows);
  } finally {
    await server.stop();
  }
}

function execOk(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function javaVersion(java: string): string {
  const r = spawnSync(java, ["-version"], { encoding: "utf8" });
  return (r.stderr || r.stdout || "java").split("\n")[0]!.trim();
}

// ---- report ----------------------------------------------------------------------------------

function backendTable(b: BackendResult): string {
  return table(
    [
      "scenario",
      "ok/s",
      "p50 ms",
      "p99 ms",
      "ok",
      "409",
      "errors",
      "server CPU ms/ok",
      "bench CPU ms/req",
      "load avg",
    ],
    b.rows.map((r) => [
      r.scenario,
      fmt.rate(r.result.okPerSecond),
      fmt.ms(r.result.p50),
      fmt.ms(r.result.p99),
      fmt.int(r.result.ok),
      fmt.int(r.result.conflicts),
      fmt.int(r.result.errors),
      fmt.ms(r.cpuMsPerOk),
      fmt.ms(r.clientCpuMsPerReq),
      r.loadAvg.toFixed(1),
    ]),
  );
}

function memoryTable(): string {
  return table(
    [
      "server",
      "start s",
      "idle RSS",
      "peak RSS, 32 clients",
      `idle RSS, ${fmt.int(CFG.seed)} keys`,
      "seeding",
    ],
    results.map((b) => [
      b.name,
      b.startSeconds.toFixed(1),
      fmt.mb(b.idleRss),
      fmt.mb(b.peakRss32),
      fmt.mb(b.idleRss100k),
      b.seed !== undefined
        ? `${fmt.int(b.seed.commits)} commits in ${b.seed.seconds.toFixed(0)} s (${b.seed.method})`
        : "–",
    ]),
  );
}

function comparisonTable(): string | undefined {
  const floe = results.find((b) => b.name === "floe / PostgreSQL");
  const nessie = results.find((b) => b.name.startsWith("Nessie"));
  if (!floe || !nessie) return undefined;
  const rows: string[][] = [];
  for (const r of nessie.rows) {
    const f = find(floe, r.scenario);
    if (!f) continue;
    rows.push([
      r.scenario,
      fmt.rate(f.result.okPerSecond),
      fmt.rate(r.result.okPerSecond),
      `${(f.result.okPerSecond / r.result.okPerSecond).toFixed(2)}×`,
      `${fmt.ms(f.result.p99)} / ${fmt.ms(r.result.p99)}`,
    ]);
  }
  rows.push([
    "idle RSS (MB)",
    fmt.mb(floe.idleRss),
    fmt.mb(nessie.idleRss),
    `${(floe.idleRss / nessie.idleRss).toFixed(2)}×`,
    "",
  ]);
  rows.push([
    "peak RSS, 32 clients",
    fmt.mb(floe.peakRss32),
    fmt.mb(nessie.peakRss32),
    `${(floe.peakRss32 / nessie.peakRss32).toFixed(2)}×`,
    "",
  ]);
  return table(["figure", "floe / PostgreSQL", nessie.name, "floe ÷ Nessie", "p99 ms floe / Nessie"], rows);
}

interface Target {
  readonly backend: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

function targets(): Target[] {
  const out: Target[] = [];
  for (const b of results.filter((r) => r.name.startsWith("floe"))) {
    const d32 = find(b, "commits, distinct keys, 32 clients");
    const reads = find(b, "content reads, 32 clients");
    const empty = find(b, "sequential commits, empty repository");
    const big = find(b, `sequential commits, ${fmt.int(CFG.seed)} keys`);
    const pgOnly = b.name === "floe / PostgreSQL" ? "" : " (target is for PostgreSQL; shown for reference)";
    out.push({
      backend: b.name,
      target: `≥ 1,000 commits/s, 32 clients, distinct keys${pgOnly}`,
      measured: d32 ? `${fmt.rate(d32.result.okPerSecond)}/s` : "–",
      met: d32 ? d32.result.okPerSecond >= 1000 : undefined,
    });
    out.push({
      backend: b.name,
      target: `p99 < 50 ms, 32 clients, distinct keys${pgOnly}`,
      measured: d32 ? `${fmt.ms(d32.result.p99)} ms` : "–",
      met: d32 ? d32.result.p99 < 50 : undefined,
    });
    out.push({
      backend: b.name,
      target: "≥ 10,000 content reads/s (32 clients)",
      measured: reads ? `${fmt.rate(reads.result.okPerSecond)}/s` : "–",
      met: reads ? reads.result.okPerSecond >= 10_000 : undefined,
    });
    out.push({
      backend: b.name,
      target: `commit latency at ${fmt.int(CFG.seed)} keys ≤ 1.5× empty (p50; p99 shown too)`,
      measured:
        empty && big
          ? `p50 ${fmt.ms(big.result.p50)} vs ${fmt.ms(empty.result.p50)} ms = ${(big.result.p50 / empty.result.p50).toFixed(2)}×; ` +
            `p99 ${fmt.ms(big.result.p99)} vs ${fmt.ms(empty.result.p99)} ms = ${(big.result.p99 / empty.result.p99).toFixed(2)}×`
          : "–",
      met: empty && big ? big.result.p50 <= 1.5 * empty.result.p50 : undefined,
    });
    out.push({
      backend: b.name,
      target: "idle RSS < 150 MB",
      measured: fmt.mb(b.idleRss),
      met: b.idleRss < 150,
    });
  }
  return out;
}

function targetTable(): string {
  return table(
    ["backend", "target", "measured", "verdict"],
    targets().map((t) => [
      t.backend,
      t.target,
      t.measured,
      t.met === undefined ? "not measured" : t.met ? "met" : "NOT MET",
    ]),
    4,
  );
}

function machine(): string[] {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const nproc = (() => {
    try {
      return execFileSync("nproc", { encoding: "utf8" }).trim();
    } catch {
      return String(os.availableParallelism());
    }
  })();
  const load1 = os.loadavg();
  return [
    `- date: ${started.toISOString()} (run took ${((Date.now() - started.getTime()) / 60000).toFixed(1)} min)${QUICK ? " — **quick run** (smaller counts)" : ""}`,
    `- machine: \`nproc\` = ${nproc}, ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB RAM, ${os.type()} ${os.release()}`,
    `- load average (1/5/15 min) at start: ${load0.map((v) => v.toFixed(2)).join(" / ")}; at end: ${load1.map((v) => v.toFixed(2)).join(" / ")} ` +
      `(other engineers' test suites share the machine; each row also shows the 1-min load when it ended)`,
    `- Node.js ${process.version}; the load generator is this process (keep-alive \`http.Agent\`, one socket per client), the servers are child processes`,
    `- PostgreSQL (scripts/pg.sh, 127.0.0.1): ${Object.entries(pgSettings)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ")}`,
    `- floe: ${revision()}; \`floe serve --log-level warn\`, default pool of 10 PostgreSQL connections; commit queue batches up to 100 commits per ref swap`,
  ];
}

/** The commit the servers ran, and whether the working tree had uncommitted changes under src/. */
function revision(): string {
  try {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
    const head = git("rev-parse", "--short", "HEAD");
    const dirty = git("status", "--porcelain", "--", "src", "bin").split("\n").filter(Boolean).length;
    return `commit ${head}${dirty > 0 ? ` plus ${dirty} uncommitted change(s) under src/ and bin/ (shared working tree)` : ""}`;
  } catch {
    return "commit unknown";
  }
}

function report(): string {
  const parts: string[] = [];
  parts.push(`# floe benchmark results\n`);
  parts.push(`Written by \`npm run bench\` (bench/run.ts); what each figure means: bench/README.md.\n`);
  parts.push(machine().join("\n") + "\n");
  parts.push(
    `Counts: sequential = ${CFG.seqRounds} rounds of ${CFG.seqPerRound} commits on each of the two servers, alternating, after ${CFG.seqWarmup} unmeasured; concurrent = ${CFG.seconds} s ` +
      `(at most ${fmt.int(CFG.maxRequests)} requests) after ${CFG.warmupSeconds} s unmeasured; ` +
      `reads over ${CFG.tables} tables; large repository = ${fmt.int(CFG.seed)} keys in ${fmt.int(CFG.seed)} commits.\n`,
  );
  parts.push(`## Targets\n\n${targetTable()}\n`);
  const cmp = comparisonTable();
  parts.push(`## floe vs Nessie\n\n${cmp ?? "Nessie was not run in this run."}\n`);
  parts.push(`## Memory and start-up\n\n${memoryTable()}\n`);
  parts.push(
    "RSS is VmRSS of the server process: for floe on PGlite it includes the embedded database, " +
      "for floe and Nessie on PostgreSQL it does not include the PostgreSQL server's processes.\n",
  );
  for (const b of results) {
    parts.push(
      `## ${b.name}\n\nStore: ${b.store}.${b.error ? ` **Failed:** ${b.error}` : ""}\n\n${backendTable(b)}\n`,
    );
  }
  if (notes.length > 0) parts.push(`## Notes\n\n${notes.map((n) => `- ${n}`).join("\n")}\n`);
  for (const p of profiles) parts.push(`## CPU profile: ${p.name}\n\n\`\`\`\n${p.top}\n\`\`\`\n`);
  return parts.join("\n");
}

// ---- main ------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const work = mkdtempSync(join(os.tmpdir(), "floe-bench-"));
  log(`work directory ${work}; load average ${load0.map((v) => v.toFixed(2)).join(" ")}`);
  let pgServer: PgServer | undefined;
  try {
    if (ONLY.has("pg") || ONLY.has("nessie")) {
      // Its own directory under /tmp: the work directory is private to root, PostgreSQL runs as postgres.
      pgServer = await startPg(mkdtempSync(join(os.tmpdir(), "floe-bench-pg-")));
      pgSettings = await pgServer.settings();
      log(`PostgreSQL at ${pgServer.url}`);
    }
    const guard = async (name: string, f: () => Promise<void>) => {
      try {
        await f();
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        log(`${name} failed: ${msg}`);
        const b = results.find((r) => r.name === name);
        if (b) b.error = msg.split("\n")[0];
        else notes.push(`${name} failed: ${msg.split("\n")[0]}`);
      }
    };
    if (ONLY.has("pg")) {
      const pgs = pgServer!;
      await guard("floe / PostgreSQL", () =>
        benchFloe("floe / PostgreSQL", (what) => pgs.database(`floe_${what}`), work),
      );
    }
    if (ONLY.has("pglite")) {
      await guard("floe / PGlite", () =>
        benchFloe("floe / PGlite", async (what) => `pglite:${join(work, `pglite-${what}`)}`, work),
      );
    }
    if (ONLY.has("nessie")) await guard(`Nessie ${NESSIE_VERSION}`, () => benchNessie(pgServer!, work));
  } finally {
    await pgServer?.stop().catch(() => undefined);
    if (pgServer) rmSync(pgServer.dir, { recursive: true, force: true });
  }

  const text = report();
  process.stdout.write("\n" + text + "\n");
  if (WRITE) {
    // the other benchmarks' sections (bench/table.ts) are kept
    const kept = markedSections(join(ROOT, "bench/RESULTS.md"));
    writeFileSync(join(ROOT, "bench/RESULTS.md"), [text, ...kept].join("\n"));
    log("wrote bench/RESULTS.md");
  }
  if (!flag("--keep") && !CPU_PROF) rmSync(work, { recursive: true, force: true });
  else log(`kept ${work}`);
}

// `npm run bench -- rest`: the Iceberg REST benchmark (bench/rest.ts) instead
if (argv[0] === "rest") await import("./rest.ts");
else
  main().catch((e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
