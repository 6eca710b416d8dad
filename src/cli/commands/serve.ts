import { mkdirSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import type { FastifyInstance } from "fastify";
import {
  type ConfigKey,
  type FloeConfig,
  loadConfig,
  redactStoreUrl,
  s3Settings,
  serverUrl,
} from "../../core/config.ts";
import { CliError, examples, reportError } from "../common.ts";

/** Flags shared by `serve`, `up` and `config`, named as commander stores them. */
export interface ServerFlags {
  readonly config?: string;
  readonly store?: string;
  readonly storePoolSize?: string;
  readonly warehouse?: string;
  readonly allowedLocations?: string;
  readonly host?: string;
  readonly port?: string;
  readonly defaultBranch?: string;
  readonly bodyLimit?: string;
  readonly logLevel?: string;
  readonly logFile?: string;
  readonly s3Endpoint?: string;
  readonly s3Region?: string;
  readonly s3PathStyleAccess?: string;
  readonly s3AccessKeyId?: string;
  readonly s3SecretAccessKey?: string;
  readonly sqlStatementTimeoutMs?: string;
  readonly sqlMaxRows?: string;
  readonly sqlS3Reads?: string;
  readonly sqlExtensionDirectory?: string;
  readonly sqlCacheDirectory?: string;
  readonly sqlCacheMaxSize?: string;
}

export function serverOptions(cmd: Command): Command {
  return cmd
    .option("--config <file>", "config file (default floe.yaml / floe.json in the current directory)")
    .option("--store <url>", "metadata store: pglite:<dir>, pglite:memory or postgres://…")
    .option("--store-pool-size <n>", "PostgreSQL connections per process")
    .option("--warehouse <location>", "table data location: a directory or s3://bucket/prefix")
    .option(
      "--allowed-locations <list>",
      "comma-separated prefixes besides the warehouse for table locations",
    )
    .option("--host <address>", "address to listen on")
    .option("--port <port>", "port to listen on (0 = any free port)")
    .option("--default-branch <name>", "default branch of a new repository")
    .option("--body-limit <size>", "largest request body (e.g. 10MiB)")
    .option("--log-level <level>", "trace, debug, info, warn, error, fatal or silent")
    .option("--log-file <file>", "write the JSON log to this file (- = standard output)")
    .option("--s3-endpoint <url>", "S3 endpoint of an S3-compatible server (s3:// warehouses)")
    .option("--s3-region <region>", "S3 signing region")
    .option("--s3-path-style-access <bool>", "path-style S3 addressing: true or false")
    .option("--s3-access-key-id <key>", "S3 access key (default: the AWS credential chain)")
    .option("--s3-secret-access-key <key>", "S3 secret key")
    .option("--sql-statement-timeout-ms <ms>", "time limit of a POST /api/v1/sql statement (0 = none)")
    .option("--sql-max-rows <n>", "rows a POST /api/v1/sql answer holds unless the request says")
    .option("--sql-s3-reads <mode>", "how SQL reads data files on S3: auto, httpfs or cache")
    .option("--sql-extension-directory <dir>", "DuckDB extension directory holding httpfs")
    .option("--sql-cache-directory <dir>", "directory of the S3 data-file cache (kept across runs)")
    .option("--sql-cache-max-size <size>", "most bytes the S3 data-file cache keeps (e.g. 4GiB)");
}

export function serverFlags(opts: ServerFlags): Partial<Record<ConfigKey, string>> {
  return {
    store: opts.store,
    storePoolSize: opts.storePoolSize,
    warehouse: opts.warehouse,
    allowedLocations: opts.allowedLocations,
    host: opts.host,
    port: opts.port,
    defaultBranch: opts.defaultBranch,
    bodyLimit: opts.bodyLimit,
    logLevel: opts.logLevel,
    logFile: opts.logFile,
    "s3.endpoint": opts.s3Endpoint,
    "s3.region": opts.s3Region,
    "s3.path-style-access": opts.s3PathStyleAccess,
    "s3.access-key-id": opts.s3AccessKeyId,
    "s3.secret-access-key": opts.s3SecretAccessKey,
    "sql.statement-timeout-ms": opts.sqlStatementTimeoutMs,
    "sql.max-rows": opts.sqlMaxRows,
    "sql.s3-reads": opts.sqlS3Reads,
    "sql.extension-directory": opts.sqlExtensionDirectory,
    "sql.cache-directory": opts.sqlCacheDirectory,
    "sql.cache-max-size": opts.sqlCacheMaxSize,
  };
}

/** `floe serve`: the catalog server, configured by file, environment and flags. */
export function registerServe(program: Command): void {
  examples(
    serverOptions(
      program
        .command("serve")
        .description("run the catalog server (Nessie API v2, health, metrics) until SIGINT / SIGTERM"),
    ),
    [
      "floe serve",
      "floe serve --store postgres://floe:secret@db:5432/floe --host 0.0.0.0",
      "FLOE_STORE=pglite:/var/lib/floe FLOE_PORT=8080 floe serve --log-level warn",
    ],
  ).action(async (opts: ServerFlags) => {
    const { config } = loadConfig({ flags: serverFlags(opts), configFile: opts.config });
    await serveUntilStopped(config, {
      ready: (server) => {
        process.stderr.write(`floe serving ${server.url} (store ${server.storeDescription})\n`);
      },
    });
  });
}

export interface RunningServer {
  readonly app: FastifyInstance;
  /** Where a client on this machine reaches the server. */
  readonly url: string;
  readonly storeDescription: string;
  /** Stops accepting connections, lets in-flight requests finish, then closes the store. */
  close(): Promise<void>;
}

/**
 * Opens the store named by the configuration, builds the HTTP app and listens. Failures are
 * `CliError`s with one line (bad store, port in use); whatever was opened is closed again.
 */
export async function startServer(config: FloeConfig): Promise<RunningServer> {
  // Loaded here, not at the top, so the client commands start without the server's dependencies.
  const [{ openKvStore }, { openVersionStore }, { buildApp }, { ObjectStoreResolver }] = await Promise.all([
    import("../../storage/open-kv.ts"),
    import("../../versioning/version-store.ts"),
    import("../../server/app.ts"),
    import("../../storage/open-object-store.ts"),
  ]);
  const { engineFilesFromConfig } = await import("../../engine/duck-files.ts");
  // Before the store: a second `floe up` must not open an embedded store another process has open.
  if (config.port !== 0) await checkPortFree(config.host, config.port);
  const kv = await openKvStore(config.store, { poolSize: config.storePoolSize }).catch((e: unknown) => {
    throw new CliError(`cannot open store ${redactStoreUrl(config.store)}: ${errorText(e)}`);
  });
  const closeKv = () => kv.close().catch(() => undefined);
  const store = await openVersionStore(kv, { defaultBranch: config.defaultBranch }).catch(
    async (e: unknown) => {
      await closeKv();
      throw new CliError(`cannot open the version store in ${kv.description}: ${errorText(e)}`);
    },
  );
  const objects = new ObjectStoreResolver({ s3: s3Settings(config) });
  // The version store closes the KV under it.
  const closeStore = () =>
    Promise.all([store.close().catch(() => undefined), objects.close().catch(() => undefined)]);

  let app: FastifyInstance;
  try {
    if (config.logFile !== "-") mkdirSync(dirname(resolve(config.logFile)), { recursive: true });
    app = await buildApp({
      store,
      logger: { level: config.logLevel, ...(config.logFile !== "-" ? { file: config.logFile } : {}) },
      bodyLimit: config.bodyLimit,
      iceberg: {
        objects,
        warehouse: config.warehouse,
        allowedLocations: config.allowedLocations?.split(",") ?? [],
        s3: s3Settings(config),
        sqlFiles: await engineFilesFromConfig(config, objects),
      },
      sql: { statementTimeoutMs: config["sql.statement-timeout-ms"], maxRows: config["sql.max-rows"] },
    });
  } catch (e) {
    await closeStore();
    throw new CliError(`cannot start the server: ${errorText(e)}`);
  }
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (e) {
    await app.close().catch(() => undefined);
    await closeStore();
    throw new CliError(`cannot listen on ${config.host}:${config.port}: ${listenError(e)}`);
  }
  const port = (app.server.address() as AddressInfo).port;
  app.log.info(
    { store: kv.description, warehouse: config.warehouse, defaultBranch: store.defaultBranch },
    "floe started",
  );
  return {
    app,
    url: serverUrl(config.host, port),
    storeDescription: kv.description,
    close: async () => {
      await app.close();
      await closeStore();
    },
  };
}

/**
 * Starts the server and runs it until SIGINT / SIGTERM: then it stops accepting connections, lets
 * in-flight requests finish, closes the store and exits 0. A signal during start-up (an embedded
 * store may take seconds to initialise) waits for the start to finish, so a store is never left
 * half-written. A second signal, or requests still running after 30 s, end the process at once
 * (exit 1). `ready` runs once the server listens, unless a stop was already asked for.
 */
export async function serveUntilStopped(
  config: FloeConfig,
  hooks: {
    /** Runs once the signal handlers are in place, before the store is opened. */
    readonly starting?: () => void;
    readonly ready: (server: RunningServer) => void;
  },
): Promise<void> {
  let server: RunningServer | undefined;
  let stopping: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`error: ${signal} again, exiting without waiting\n`);
      process.exit(1);
    }
    stopping = signal;
    if (server) stop(server, signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    hooks.starting?.();
    server = await startServer(config);
  } catch (e) {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    throw e;
  }
  if (stopping) stop(server, stopping);
  else hooks.ready(server);
}

function stop(server: RunningServer, signal: NodeJS.Signals): void {
  server.app.log.info({ signal }, "closing: finishing in-flight requests");
  setTimeout(() => {
    process.stderr.write("error: requests still running 30 s after the stop signal, exiting\n");
    process.exit(1);
  }, 30_000).unref();
  server.close().then(
    () => process.exit(0),
    (e: unknown) => process.exit(reportError(e)),
  );
}

/** Fails like `listen` would when something already listens on host:port. */
async function checkPortFree(host: string, port: number): Promise<void> {
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once("error", reject);
      probe.listen({ host, port, exclusive: true }, resolve);
    });
  } catch (e) {
    throw new CliError(`cannot listen on ${host}:${port}: ${listenError(e)}`);
  } finally {
    await new Promise((resolve) => probe.close(resolve));
  }
}

function listenError(e: unknown): string {
  switch ((e as { code?: string }).code) {
    case "EADDRINUSE":
      return "address already in use (is another floe running? choose another port with --port)";
    case "EACCES":
      return "permission denied (ports below 1024 need privileges; choose another with --port)";
    case "EADDRNOTAVAIL":
      return "address not available on this machine (check --host)";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "unknown host (check --host)";
    default:
      return errorText(e);
  }
}

/** One line for any error, including AggregateErrors (whose own message may be empty). */
function errorText(e: unknown): string {
  if (e instanceof AggregateError && e.message === "" && e.errors.length > 0) return errorText(e.errors[0]);
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    const text = e.message || (typeof code === "string" ? code : e.name);
    return text.split("\n")[0] ?? text;
  }
  return String(e);
}
