import type { DuckDBConnection } from "@duckdb/node-api";
import type { FloeConfig } from "../core/config.ts";
import { badRequest } from "../core/errors.ts";
import { parseLocation } from "../storage/location.ts";
import type { ObjectStoreResolver } from "../storage/open-object-store.ts";
import type { S3Settings } from "../storage/s3-object-store.ts";
import { sqlString } from "./duck-types.ts";
import { type CachedFile, FileCache } from "./file-cache.ts";

/**
 * How DuckDB reads data files on S3: `httpfs` — itself, through its httpfs extension (an error
 * when the extension cannot be loaded); `cache` — local copies in a `FileCache`; `auto` — httpfs
 * when it loads, else the cache.
 */
export type S3ReadMode = "auto" | "httpfs" | "cache";

/** A process's settings for reading data files, shared by its DuckDB connections. */
export interface EngineFiles {
  readonly s3Reads: S3ReadMode;
  readonly cache: FileCache;
  readonly objects: ObjectStoreResolver;
  /** Where DuckDB finds extensions (its `extension_directory`); DuckDB's default when absent. */
  readonly extensionDirectory?: string;
  /** Set once httpfs failed to load in `auto` mode, so later connections do not try again. */
  httpfsUnavailable?: string;
}

export interface EngineFilesOptions {
  readonly objects: ObjectStoreResolver;
  readonly s3Reads?: S3ReadMode;
  readonly extensionDirectory?: string;
  /** The file cache's directory; a private temporary one when absent. */
  readonly cacheDir?: string;
  readonly cacheMaxBytes?: number;
}

/** The file cache's size limit when none is configured. */
export const DEFAULT_CACHE_MAX_BYTES = 4 * 1024 ** 3;

/** The reading settings a configuration gives (`sql.*`). */
export function engineFilesFromConfig(c: FloeConfig, objects: ObjectStoreResolver): Promise<EngineFiles> {
  return engineFiles({
    objects,
    s3Reads: c["sql.s3-reads"],
    cacheMaxBytes: c["sql.cache-max-size"],
    ...(c["sql.extension-directory"] === undefined
      ? {}
      : { extensionDirectory: c["sql.extension-directory"] }),
    ...(c["sql.cache-directory"] === undefined ? {} : { cacheDir: c["sql.cache-directory"] }),
  });
}

const caches = new Map<string, Promise<FileCache>>();

/**
 * Reading settings for a process's DuckDB connections. Connections with the same cache directory
 * (or none) share one `FileCache`, so a server's statements reuse each other's copies.
 */
export async function engineFiles(opts: EngineFilesOptions): Promise<EngineFiles> {
  const key = opts.cacheDir ?? "";
  let cache = caches.get(key);
  if (!cache) {
    const maxBytes = opts.cacheMaxBytes ?? DEFAULT_CACHE_MAX_BYTES;
    cache = FileCache.open({ ...(opts.cacheDir === undefined ? {} : { dir: opts.cacheDir }), maxBytes });
    caches.set(key, cache);
    cache.catch(() => caches.delete(key));
  }
  return {
    s3Reads: opts.s3Reads ?? "auto",
    cache: await cache,
    objects: opts.objects,
    ...(opts.extensionDirectory === undefined ? {} : { extensionDirectory: opts.extensionDirectory }),
  };
}

/**
 * The paths one DuckDB connection reads for data-file locations: a local file's path, an `s3://`
 * URL when httpfs serves the connection, else the path of a cached copy. Copies used by a statement
 * stay pinned in the cache until `release` (once its rows are read, or at the next statement).
 */
export class DuckFiles {
  private readonly paths = new Map<string, string>();
  private leases: CachedFile[] = [];
  private readonly copies = new Set<string>();
  private httpfs: Promise<boolean> | undefined;

  constructor(
    private readonly duck: DuckDBConnection,
    private readonly files: EngineFiles | undefined,
  ) {}

  /** Makes `locations` readable by DuckDB; returns the path to read for each, in order. */
  async resolve(locations: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (const location of locations) {
      let path = this.paths.get(location);
      if (path === undefined) {
        path = await this.pathFor(location);
        this.paths.set(location, path);
      }
      out.push(path);
    }
    return out;
  }

  /** The path resolved for `location` (or, for a location not resolved yet, its local path or itself). */
  pathOf(location: string): string {
    const known = this.paths.get(location);
    if (known !== undefined) return known;
    const loc = parseLocation(location);
    return loc.kind === "file" ? loc.path : location;
  }

  /** Whether any of `locations` is read from a cached copy (whose path is good only until `release`). */
  readsCopies(locations: readonly string[]): boolean {
    return locations.some((l) => this.copies.has(l));
  }

  /** Unpins the cached copies used so far. */
  release(): void {
    for (const lease of this.leases) lease.release();
    this.leases = [];
    this.paths.clear();
    this.copies.clear();
  }

  private async pathFor(location: string): Promise<string> {
    const loc = parseLocation(location);
    if (loc.kind === "file") return loc.path;
    const files = this.files;
    if (files === undefined) return location; // DuckDB's own handling (its httpfs, if loaded)
    if (await this.useHttpfs(files)) return `s3://${loc.bucket}/${loc.key}`;
    const lease = await files.cache.acquire(files.objects.storeFor(location), location);
    this.leases.push(lease);
    this.copies.add(location);
    return lease.path;
  }

  private useHttpfs(files: EngineFiles): Promise<boolean> {
    if (files.s3Reads === "cache") return Promise.resolve(false);
    if (files.s3Reads === "auto") {
      // httpfs is given floe's static keys; without them the AWS SDK's credential chain (and so the cache) serves
      if (files.httpfsUnavailable !== undefined || files.objects.s3Settings?.accessKeyId === undefined)
        return Promise.resolve(false);
    }
    this.httpfs ??= loadHttpfs(this.duck, files.objects.s3Settings).then(
      () => true,
      (e: unknown) => {
        const why = e instanceof Error ? e.message.split("\n")[0] : String(e);
        if (files.s3Reads === "httpfs")
          throw badRequest(
            `Cannot read from S3 with DuckDB's httpfs extension (sql.s3-reads=httpfs): ${why}. ` +
              "Install it with scripts/duckdb-extensions.sh and point sql.extension-directory at it, or set sql.s3-reads=auto",
          );
        files.httpfsUnavailable = why ?? "httpfs did not load";
        return false;
      },
    );
    return this.httpfs;
  }
}

/** Loads httpfs (installing it if DuckDB can reach its extension site) and gives it floe's S3 settings. */
async function loadHttpfs(duck: DuckDBConnection, s3: S3Settings | undefined): Promise<void> {
  await duck.run("LOAD httpfs").catch(async () => {
    await duck.run("INSTALL httpfs");
    await duck.run("LOAD httpfs");
  });
  const options: string[] = ["TYPE s3"];
  if (s3?.accessKeyId !== undefined) options.push(`KEY_ID ${sqlString(s3.accessKeyId)}`);
  if (s3?.secretAccessKey !== undefined) options.push(`SECRET ${sqlString(s3.secretAccessKey)}`);
  if (s3?.sessionToken !== undefined) options.push(`SESSION_TOKEN ${sqlString(s3.sessionToken)}`);
  options.push(`REGION ${sqlString(s3?.region ?? "us-east-1")}`);
  if (s3?.endpoint !== undefined) {
    const url = new URL(s3.endpoint);
    options.push(`ENDPOINT ${sqlString(url.host)}`, `USE_SSL ${url.protocol === "https:"}`);
  }
  if (s3?.pathStyle ?? s3?.endpoint !== undefined) options.push("URL_STYLE 'path'");
  await duck.run(`CREATE OR REPLACE SECRET floe_s3 (${options.join(", ")})`);
}

const connections = new WeakMap<DuckDBConnection, DuckFiles>();

/** Sets how `duck` reads data files on object storage (see `DuckFiles`). */
export function attachFiles(duck: DuckDBConnection, files: EngineFiles | undefined): DuckFiles {
  const f = new DuckFiles(duck, files);
  connections.set(duck, f);
  return f;
}

/**
 * How `duck` reads data files: what `attachFiles` set, else local paths for local files and other
 * locations as they are.
 */
export function duckFiles(duck: DuckDBConnection): DuckFiles {
  let f = connections.get(duck);
  if (!f) connections.set(duck, (f = new DuckFiles(duck, undefined)));
  return f;
}
