import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import net from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const run = promisify(execFile);

/** A server under test, started as a child process of the benchmark. */
export interface ServerProcess {
  readonly name: string;
  /** Base URL of the Nessie API v2, e.g. http://127.0.0.1:PORT/api/v2 */
  readonly apiUrl: string;
  readonly pid: number;
  readonly startSeconds: number;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null) res();
    else child.once("exit", () => res());
  });
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited(child);
  clearTimeout(timer);
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => res(port));
    });
  });
}

/**
 * Starts `floe serve` on a free port with a quiet log (warn) and waits for its "floe serving"
 * line. `cpuProfDir` runs it under `node --cpu-prof` (the profile is written when it stops).
 */
export async function startFloe(opts: {
  store: string;
  logFile: string;
  cpuProfDir?: string;
  poolSize?: number;
  /** More `floe serve` arguments, e.g. `--warehouse DIR`. */
  extraArgs?: readonly string[];
}): Promise<ServerProcess> {
  const t0 = Date.now();
  const args = [
    ...(opts.cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${opts.cpuProfDir}`] : []),
    join(ROOT, "bin/floe.js"),
    "serve",
    "--store",
    opts.store,
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--log-level",
    "warn",
    ...(opts.poolSize ? ["--store-pool-size", String(opts.poolSize)] : []),
    ...(opts.extraArgs ?? []),
  ];
  // Run from the log's directory so that no floe.yaml of the caller's directory is picked up.
  const child = spawn(process.execPath, args, {
    cwd: dirname(opts.logFile),
    stdio: ["ignore", "pipe", "pipe"],
    env: withoutFloeEnv(),
  });
  const log = createWriteStream(opts.logFile);
  child.stdout!.pipe(log);
  let stderr = "";
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`floe did not start in 180 s:\n${stderr}`)), 180_000);
    child.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString();
      log.write(d);
      const m = /floe serving (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      rej(new Error(`floe exited with ${code} before serving:\n${stderr}`));
    });
  });
  return {
    name: "floe",
    apiUrl: `${url}/api/v2`,
    pid: child.pid!,
    startSeconds: (Date.now() - t0) / 1000,
    stop: () => stopChild(child, 60_000),
  };
}

function withoutFloeEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("FLOE_")) env[k] = v;
  return env;
}

export const NESSIE_VERSION = "0.99.0";
export const NESSIE_JAR = join(
  process.env.HOME ?? "/root",
  `.cache/floe/nessie/nessie-quarkus-${NESSIE_VERSION}-runner.jar`,
);
/** Nessie 0.99 is built for Java 21 (class file 65); Debian's default java is 17. */
export const NESSIE_JAVA_CANDIDATES = [
  process.env.NESSIE_JAVA,
  "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java",
  "/usr/lib/jvm/java-21-openjdk-amd64/bin/java",
].filter((p): p is string => !!p);

export function nessieJava(): string | undefined {
  return NESSIE_JAVA_CANDIDATES.find((p) => existsSync(p));
}

/** Starts Nessie's Quarkus server on the JDBC2 version store (PostgreSQL), heap `heap`. */
export async function startNessie(opts: {
  java: string;
  jar: string;
  jdbcUrl: string;
  user: string;
  logFile: string;
  heap: string;
  /** More Quarkus / Nessie settings, e.g. the Iceberg REST catalog's warehouse and object store. */
  extraProps?: Readonly<Record<string, string>>;
}): Promise<ServerProcess> {
  const t0 = Date.now();
  const [port, mgmt] = [await freePort(), await freePort()];
  const props = {
    "quarkus.http.host": "127.0.0.1",
    "quarkus.http.port": port,
    "quarkus.management.host": "127.0.0.1",
    "quarkus.management.port": mgmt,
    "quarkus.log.level": "WARN",
    "quarkus.http.access-log.enabled": "false",
    "quarkus.otel.sdk.disabled": "true",
    "nessie.version.store.type": "JDBC2",
    "nessie.version.store.persist.jdbc.datasource": "postgresql",
    "quarkus.datasource.postgresql.active": "true",
    "quarkus.datasource.postgresql.jdbc.url": opts.jdbcUrl,
    "quarkus.datasource.postgresql.username": opts.user,
    "quarkus.datasource.postgresql.password": "unused",
    ...opts.extraProps,
  };
  const args = [
    `-Xmx${opts.heap}`,
    ...Object.entries(props).map(([k, v]) => `-D${k}=${v}`),
    "-jar",
    opts.jar,
  ];
  const child = spawn(opts.java, args, { cwd: dirname(opts.logFile), stdio: ["ignore", "pipe", "pipe"] });
  const log = createWriteStream(opts.logFile);
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  let exitedEarly = false;
  child.once("exit", () => (exitedEarly = true));
  const apiUrl = `http://127.0.0.1:${port}/api/v2`;
  const deadline = Date.now() + 240_000;
  for (;;) {
    if (exitedEarly) throw new Error(`Nessie exited before serving; see ${opts.logFile}`);
    if (Date.now() > deadline) {
      await stopChild(child, 10_000);
      throw new Error(`Nessie did not answer in 240 s; see ${opts.logFile}`);
    }
    try {
      const r = await fetch(`${apiUrl}/config`);
      if (r.ok) break;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    name: `Nessie ${NESSIE_VERSION}`,
    apiUrl,
    pid: child.pid!,
    startSeconds: (Date.now() - t0) / 1000,
    stop: () => stopChild(child, 30_000),
  };
}

/** A private PostgreSQL server from scripts/pg.sh. */
export interface PgServer {
  readonly url: string;
  readonly dir: string;
  /** URL of another (new) database on the same server. */
  database(name: string): Promise<string>;
  settings(): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

export async function startPg(dir: string): Promise<PgServer> {
  const { stdout } = await run("bash", [join(ROOT, "scripts/pg.sh"), "start", dir], { cwd: ROOT });
  const url = stdout.trim().split("\n").pop()!;
  const query = async <T extends object>(sql: string): Promise<T[]> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    url,
    dir,
    database: async (name: string) => {
      await query(`DROP DATABASE IF EXISTS ${name}`);
      await query(`CREATE DATABASE ${name}`);
      return url.replace(/\/[^/]*$/, `/${name}`);
    },
    settings: async () => {
      const rows = await query<{ name: string; setting: string; unit: string | null }>(
        `SELECT name, setting, unit FROM pg_settings WHERE name IN
           ('server_version','fsync','synchronous_commit','full_page_writes','shared_buffers','max_connections',
            'work_mem','wal_level','max_wal_size','checkpoint_timeout','effective_cache_size')
         ORDER BY name`,
      );
      const out: Record<string, string> = {};
      for (const r of rows) out[r.name] = withUnit(r.setting, r.unit);
      return out;
    },
    stop: async () => {
      await run("bash", [join(ROOT, "scripts/pg.sh"), "stop", dir], { cwd: ROOT });
    },
  };
}

function withUnit(setting: string, unit: string | null): string {
  if (unit === "8kB") return `${(Number(setting) * 8) / 1024} MB`;
  if (unit === "kB") return `${Number(setting) / 1024} MB`;
  if (unit === "MB") return `${setting} MB`;
  if (unit === "s") return `${setting} s`;
  return setting;
}

/** A private S3 server from scripts/s3.sh (SeaweedFS) with the bucket `floe-test`. */
export interface S3Server {
  readonly endpoint: string;
  readonly accessKey: string;
  readonly secretKey: string;
  stop(): Promise<void>;
}

export async function startS3(dir: string): Promise<S3Server> {
  const { stdout } = await run("bash", [join(ROOT, "scripts/s3.sh"), "start", dir], { cwd: ROOT });
  const [endpoint, accessKey, secretKey] = stdout.trim().split("\n").pop()!.split(" ");
  if (!endpoint || !accessKey || !secretKey) throw new Error(`scripts/s3.sh start printed '${stdout}'`);
  return {
    endpoint,
    accessKey,
    secretKey,
    stop: async () => {
      await run("bash", [join(ROOT, "scripts/s3.sh"), "stop", dir], { cwd: ROOT });
    },
  };
}
