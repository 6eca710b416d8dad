import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { badRequest } from "./errors.ts";

/**
 * floe's one configuration. Every setting has a file key (the property name), an environment
 * variable and a flag; later sources win: defaults < config file < `FLOE_*` environment < flags.
 * `docs/configuration.md` lists them; `floe config` prints the effective values and their sources.
 */
export interface FloeConfig {
  /** Metadata store URL: `pglite:<dir>`, `pglite:memory` or `postgres://…`. */
  readonly store: string;
  /** Connections per process when `store` is PostgreSQL. */
  readonly storePoolSize: number;
  /** Where table data lives: a local directory or an `s3://` URI. */
  readonly warehouse: string;
  /** Comma-separated prefixes besides the warehouse where clients may place tables and views. */
  readonly allowedLocations?: string;
  readonly host: string;
  /** 0 lets the operating system choose a free port. */
  readonly port: number;
  readonly defaultBranch: string;
  /** Largest accepted request body, in bytes. */
  readonly bodyLimit: number;
  readonly logLevel: LogLevel;
  /** Where the server's JSON log goes: a file path, or `-` for standard output. */
  readonly logFile: string;
  /** The server the client commands talk to; derived from host and port when not set. */
  readonly uri: string;
  /** `POST /api/v1/sql`: a statement's time limit unless the request asks for less; 0 = none. */
  readonly "sql.statement-timeout-ms": number;
  /** `POST /api/v1/sql`: the rows an answer holds at most unless the request asks otherwise. */
  readonly "sql.max-rows": number;
  /** S3 settings for `s3://` warehouses, used by floe and handed to Iceberg REST clients. */
  readonly "s3.endpoint"?: string;
  readonly "s3.region"?: string;
  readonly "s3.path-style-access"?: boolean;
  /** Without keys floe uses the AWS default credential chain (and hands clients none). */
  readonly "s3.access-key-id"?: string;
  readonly "s3.secret-access-key"?: string;
  /** How floe's SQL engine reads data files on S3: `auto`, `httpfs` or `cache`. */
  readonly "sql.s3-reads": "auto" | "httpfs" | "cache";
  /** DuckDB's extension directory (where `httpfs` is looked for); DuckDB's default when not set. */
  readonly "sql.extension-directory"?: string;
  /** Directory of the SQL engine's cache of S3 data files; a temporary one per process when not set. */
  readonly "sql.cache-directory"?: string;
  /** Most bytes the S3 data-file cache keeps (least recently used files evicted beyond it). */
  readonly "sql.cache-max-size": number;
}

export type ConfigKey = keyof FloeConfig;

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where a setting's value came from, for error messages and `floe config`. */
export type Source =
  | { readonly kind: "default" }
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "env"; readonly name: string }
  | { readonly kind: "flag"; readonly name: string }
  | { readonly kind: "derived" };

export interface LoadedConfig {
  readonly config: FloeConfig;
  readonly sources: Readonly<Record<ConfigKey, Source>>;
  /** The config file that was read, if any. */
  readonly file?: string;
}

/** A raw value as a source gives it: strings from the environment and flags, anything from a file. */
type Raw = unknown;

interface Setting<K extends ConfigKey> {
  readonly env: string;
  readonly flag: string;
  /** Checks and converts a raw value; returns an error description ("expected …") or the value. */
  readonly parse: (raw: Raw) => FloeConfig[K] | Invalid;
  readonly doc: string;
}

class Invalid {
  constructor(readonly expected: string) {}
}

export const DEFAULTS: Readonly<Omit<FloeConfig, "uri">> = {
  store: "pglite:./.floe/catalog",
  storePoolSize: 10,
  warehouse: "./.floe/warehouse",
  host: "127.0.0.1",
  port: 19120,
  defaultBranch: "main",
  bodyLimit: 10 * 1024 * 1024,
  logLevel: "info",
  logFile: "-",
  "sql.statement-timeout-ms": 300_000,
  "sql.max-rows": 10_000,
  "sql.s3-reads": "auto",
  "sql.cache-max-size": 4 * 1024 ** 3,
};

export const SETTINGS: { readonly [K in ConfigKey]: Setting<K> } = {
  store: {
    env: "FLOE_STORE",
    flag: "--store",
    doc: "metadata store: pglite:<dir>, pglite:memory or postgres://user:pass@host:port/db",
    parse: (raw) => {
      const s = text(raw);
      if (s === undefined) return new Invalid("a store URL");
      if (/^pglite:.+/.test(s) || /^postgres(ql)?:\/\/.+/.test(s)) return s;
      return new Invalid("a store URL (pglite:<dir>, pglite:memory or postgres://…)");
    },
  },
  storePoolSize: {
    env: "FLOE_STORE_POOL_SIZE",
    flag: "--store-pool-size",
    doc: "PostgreSQL connections per process",
    parse: (raw) => integer(raw, 1, 1000) ?? new Invalid("a number of connections 1-1000"),
  },
  warehouse: {
    env: "FLOE_WAREHOUSE",
    flag: "--warehouse",
    doc: "table data location: a local directory or s3://bucket/prefix",
    parse: (raw) => text(raw) ?? new Invalid("a directory or s3:// URI"),
  },
  allowedLocations: {
    env: "FLOE_ALLOWED_LOCATIONS",
    flag: "--allowed-locations",
    doc: "comma-separated prefixes (s3://bucket/prefix, directories) besides the warehouse where clients may place tables",
    parse: (raw) => {
      const list = Array.isArray(raw) ? raw.map(text) : text(raw)?.split(",");
      const items = list?.map((s) => s?.trim());
      if (items === undefined || items.some((s) => s === undefined || s === ""))
        return new Invalid("a comma-separated list of locations");
      return items.join(",");
    },
  },
  host: {
    env: "FLOE_HOST",
    flag: "--host",
    doc: "address the server listens on (0.0.0.0 for all interfaces)",
    parse: (raw) => {
      const s = text(raw);
      return s !== undefined && !/[\s/]/.test(s) ? s : new Invalid("a host name or IP address");
    },
  },
  port: {
    env: "FLOE_PORT",
    flag: "--port",
    doc: "port the server listens on (0 = any free port)",
    parse: (raw) => integer(raw, 0, 65535) ?? new Invalid("a port number 1-65535"),
  },
  defaultBranch: {
    env: "FLOE_DEFAULT_BRANCH",
    flag: "--default-branch",
    doc: "branch created in a new repository and used when a request names none",
    parse: (raw) => {
      const s = text(raw);
      return s !== undefined && isRefName(s) ? s : new Invalid("a branch name");
    },
  },
  bodyLimit: {
    env: "FLOE_BODY_LIMIT",
    flag: "--body-limit",
    doc: "largest accepted request body: bytes, or with a unit (512KiB, 10MiB, 1GB)",
    parse: (raw) => byteSize(raw) ?? new Invalid("a size in bytes such as 1048576 or 10MiB"),
  },
  logLevel: {
    env: "FLOE_LOG_LEVEL",
    flag: "--log-level",
    doc: `server log level: ${LOG_LEVELS.join(", ")}`,
    parse: (raw) => {
      const s = text(raw)?.toLowerCase();
      return (LOG_LEVELS as readonly string[]).includes(s ?? "")
        ? (s as LogLevel)
        : new Invalid(`one of ${LOG_LEVELS.join(", ")}`);
    },
  },
  logFile: {
    env: "FLOE_LOG_FILE",
    flag: "--log-file",
    doc: "where the server writes its JSON log: a file, or - for standard output",
    parse: (raw) => text(raw) ?? new Invalid("a file path or -"),
  },
  "s3.endpoint": {
    env: "FLOE_S3_ENDPOINT",
    flag: "--s3-endpoint",
    doc: "S3 endpoint (http(s)://host:port) of an S3-compatible server; AWS when not set",
    parse: (raw) => {
      const s = text(raw);
      try {
        if (s !== undefined && /^https?:$/.test(new URL(s).protocol)) return s.replace(/\/+$/, "");
      } catch {
        // reported below
      }
      return new Invalid("an http:// or https:// URL");
    },
  },
  "s3.region": {
    env: "FLOE_S3_REGION",
    flag: "--s3-region",
    doc: "S3 signing region (us-east-1 when not set)",
    parse: (raw) => text(raw) ?? new Invalid("a region name"),
  },
  "s3.path-style-access": {
    env: "FLOE_S3_PATH_STYLE_ACCESS",
    flag: "--s3-path-style-access",
    doc: "path-style S3 addressing (endpoint/bucket/key); default true when an endpoint is set",
    parse: (raw) => {
      if (typeof raw === "boolean") return raw;
      const s = text(raw)?.toLowerCase();
      return s === "true" ? true : s === "false" ? false : new Invalid("true or false");
    },
  },
  "s3.access-key-id": {
    env: "FLOE_S3_ACCESS_KEY_ID",
    flag: "--s3-access-key-id",
    doc: "S3 access key; without keys the AWS default credential chain is used",
    parse: (raw) => text(raw) ?? new Invalid("an access key id"),
  },
  "s3.secret-access-key": {
    env: "FLOE_S3_SECRET_ACCESS_KEY",
    flag: "--s3-secret-access-key",
    doc: "S3 secret key (shown redacted by floe config)",
    parse: (raw) => text(raw) ?? new Invalid("a secret access key"),
  },
  "sql.statement-timeout-ms": {
    env: "FLOE_SQL_STATEMENT_TIMEOUT_MS",
    flag: "--sql-statement-timeout-ms",
    doc: "time limit of a statement sent to POST /api/v1/sql, in milliseconds (0 = none)",
    parse: (raw) => integer(raw, 0, 2 ** 31 - 1) ?? new Invalid("milliseconds, 0 or more"),
  },
  "sql.max-rows": {
    env: "FLOE_SQL_MAX_ROWS",
    flag: "--sql-max-rows",
    doc: "rows an answer of POST /api/v1/sql holds unless the request gives maxRows",
    parse: (raw) => integer(raw, 0, Number.MAX_SAFE_INTEGER) ?? new Invalid("a number of rows, 0 or more"),
  },
  "sql.s3-reads": {
    env: "FLOE_SQL_S3_READS",
    flag: "--sql-s3-reads",
    doc: "how floe sql reads data files on S3: auto (httpfs when it loads and keys are set, else the cache), httpfs, cache",
    parse: (raw) => {
      const s = text(raw)?.toLowerCase();
      return s === "auto" || s === "httpfs" || s === "cache" ? s : new Invalid("auto, httpfs or cache");
    },
  },
  "sql.extension-directory": {
    env: "FLOE_SQL_EXTENSION_DIRECTORY",
    flag: "--sql-extension-directory",
    doc: "DuckDB extension directory holding httpfs (scripts/duckdb-extensions.sh fills one); DuckDB's default when not set",
    parse: (raw) => text(raw) ?? new Invalid("a directory"),
  },
  "sql.cache-directory": {
    env: "FLOE_SQL_CACHE_DIRECTORY",
    flag: "--sql-cache-directory",
    doc: "directory of the cache of S3 data files (kept across runs); a temporary one per process when not set",
    parse: (raw) => text(raw) ?? new Invalid("a directory"),
  },
  "sql.cache-max-size": {
    env: "FLOE_SQL_CACHE_MAX_SIZE",
    flag: "--sql-cache-max-size",
    doc: "most bytes the S3 data-file cache keeps; least recently used files are evicted beyond it",
    parse: (raw) => byteSize(raw) ?? new Invalid("a size in bytes such as 4GiB"),
  },
  uri: {
    env: "FLOE_URI",
    flag: "--uri",
    doc: "server the client commands talk to",
    parse: (raw) => {
      const s = text(raw);
      if (s === undefined) return new Invalid("an http:// or https:// URL");
      try {
        const url = new URL(s);
        if (url.protocol === "http:" || url.protocol === "https:") return s.replace(/\/+$/, "");
      } catch {
        // reported below
      }
      return new Invalid("an http:// or https:// URL");
    },
  },
};

export const CONFIG_KEYS = Object.keys(SETTINGS) as ConfigKey[];

/** The S3 settings of a configuration, as the object store takes them. */
export function s3Settings(c: FloeConfig): {
  endpoint?: string;
  region?: string;
  pathStyle?: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
} {
  const out: ReturnType<typeof s3Settings> = {};
  if (c["s3.endpoint"] !== undefined) out.endpoint = c["s3.endpoint"];
  if (c["s3.region"] !== undefined) out.region = c["s3.region"];
  if (c["s3.path-style-access"] !== undefined) out.pathStyle = c["s3.path-style-access"];
  if (c["s3.access-key-id"] !== undefined) out.accessKeyId = c["s3.access-key-id"];
  if (c["s3.secret-access-key"] !== undefined) out.secretAccessKey = c["s3.secret-access-key"];
  return out;
}

/** Config files looked for in the working directory when no `--config` / `FLOE_CONFIG` names one. */
export const CONFIG_FILE_NAMES = ["floe.yaml", "floe.yml", "floe.json"] as const;

export interface LoadOptions {
  /** Values from command-line flags, by config key; undefined = not given. */
  readonly flags?: Partial<Record<ConfigKey, Raw>>;
  /** A config file named on the command line (`--config`); it must exist. */
  readonly configFile?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** Replaces built-in defaults (`floe up` uses it to send the log to a file). */
  readonly defaults?: Partial<FloeConfig>;
}

/**
 * Loads the configuration: defaults, then the config file, then `FLOE_*` variables, then flags.
 * Throws a BAD_REQUEST `FloeError` with one line naming the setting and its source, e.g.
 * `FLOE_PORT: expected a port number 1-65535, got 'abc'`.
 */
export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const values: Record<string, unknown> = { ...DEFAULTS, ...opts.defaults };
  const sources: Partial<Record<ConfigKey, Source>> = {};
  for (const key of CONFIG_KEYS) sources[key] = { kind: "default" };

  const set = (key: ConfigKey, raw: Raw, source: Source) => {
    const parsed = SETTINGS[key].parse(raw);
    if (parsed instanceof Invalid) {
      throw badRequest(`${describe(source, key)}: expected ${parsed.expected}, got ${show(raw)}`);
    }
    values[key] = parsed;
    sources[key] = source;
  };

  const file = findConfigFile(opts.configFile ?? nonEmpty(env.FLOE_CONFIG), cwd);
  if (file) {
    for (const [key, raw] of flattenSections(readConfigFile(file))) {
      if (!(key in SETTINGS)) {
        throw badRequest(`${file.display}: unknown setting '${key}' (known: ${CONFIG_KEYS.join(", ")})`);
      }
      set(key as ConfigKey, raw, { kind: "file", path: file.display });
    }
  }
  for (const key of CONFIG_KEYS) {
    const name = SETTINGS[key].env;
    const raw = env[name];
    if (raw !== undefined && raw !== "") set(key, raw, { kind: "env", name });
  }
  for (const key of CONFIG_KEYS) {
    const raw = opts.flags?.[key];
    if (raw !== undefined) set(key, raw, { kind: "flag", name: SETTINGS[key].flag });
  }
  if (values.uri === undefined) {
    values.uri = serverUrl(values.host as string, values.port as number);
    sources.uri = { kind: "derived" };
  }
  return {
    config: values as unknown as FloeConfig,
    sources: sources as Record<ConfigKey, Source>,
    ...(file ? { file: file.path } : {}),
  };
}

/** The URL a client on this machine uses to reach a server listening on `host:port`. */
export function serverUrl(host: string, port: number): string {
  const reachable = host === "0.0.0.0" ? "127.0.0.1" : host === "::" || host === "[::]" ? "[::1]" : host;
  const bracketed = reachable.includes(":") && !reachable.startsWith("[") ? `[${reachable}]` : reachable;
  return `http://${bracketed}:${port}`;
}

/** `default`, `floe.yaml`, `FLOE_PORT`, `--port`, `derived from host and port`. */
export function describeSource(source: Source): string {
  switch (source.kind) {
    case "default":
      return "default";
    case "file":
      return source.path;
    case "env":
      return source.name;
    case "flag":
      return source.name;
    case "derived":
      return "derived from host and port";
  }
}

function describe(source: Source, key: ConfigKey): string {
  return source.kind === "file" ? `${source.path}: ${key}` : describeSource(source);
}

interface ConfigFile {
  readonly path: string;
  /** As the user would recognise it in a message: the name given, or the base name found. */
  readonly display: string;
}

function findConfigFile(named: string | undefined, cwd: string): ConfigFile | undefined {
  if (named !== undefined) {
    const path = resolve(cwd, named);
    if (!existsSync(path)) throw badRequest(`config file '${named}' does not exist`);
    return { path, display: named };
  }
  for (const name of CONFIG_FILE_NAMES) {
    const path = resolve(cwd, name);
    if (existsSync(path)) return { path, display: name };
  }
  return undefined;
}

/** `s3: {endpoint: …}` in a file is the same as `s3.endpoint: …`. */
function flattenSections(doc: Record<string, unknown>): Array<[string, unknown]> {
  return Object.entries(doc).flatMap(([key, v]): Array<[string, unknown]> =>
    v !== null && typeof v === "object" && !Array.isArray(v) && !(key in SETTINGS)
      ? Object.entries(v as Record<string, unknown>).map(([sub, x]): [string, unknown] => [
          `${key}.${sub}`,
          x,
        ])
      : [[key, v]],
  );
}

function readConfigFile(file: ConfigFile): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file.path, "utf8");
  } catch (e) {
    throw badRequest(`${file.display}: cannot read: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = file.path.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    const first = ((e as Error).message.split("\n")[0] ?? "").trim();
    throw badRequest(`${file.display}: not valid ${file.path.endsWith(".json") ? "JSON" : "YAML"}: ${first}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw badRequest(`${file.display}: expected a mapping of settings, got ${show(doc)}`);
  }
  return doc as Record<string, unknown>;
}

function text(raw: Raw): string | undefined {
  if (typeof raw === "number" && Number.isFinite(raw)) return String(raw);
  if (typeof raw !== "string") return undefined;
  const s = raw.trim();
  return s === "" ? undefined : s;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === "" ? undefined : s;
}

function integer(raw: Raw, min: number, max: number): number | undefined {
  const s = text(raw);
  if (s === undefined || !/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  return n >= min && n <= max ? n : undefined;
}

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

function byteSize(raw: Raw): number | undefined {
  const s = text(raw);
  const m = s === undefined ? null : /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(s);
  if (!m) return undefined;
  const unit = UNITS[(m[2] ?? "").toLowerCase() || "b"];
  if (unit === undefined) return undefined;
  const n = Math.floor(Number(m[1]) * unit);
  return n >= 1 && Number.isSafeInteger(n) ? n : undefined;
}

// Nessie's reference-name rule (versioning/ref-spec.ts has the authoritative check; core/ may not
// import it, and the store rejects a bad name anyway — this only gives an early, clearer message).
function isRefName(s: string): boolean {
  return s.length <= 200 && /^[A-Za-z](((?![.][.])[A-Za-z0-9./_-])*[A-Za-z0-9_-])?$/.test(s);
}

function show(raw: Raw): string {
  if (typeof raw === "string") return `'${raw}'`;
  return JSON.stringify(raw) ?? String(raw);
}

/** A store URL with its password hidden, for messages and logs. */
export function redactStoreUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}
