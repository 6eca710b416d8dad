import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { mkdir, readdir, rename, stat, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ObjectStore } from "../storage/object-store.ts";

interface Entry {
  readonly path: string;
  readonly size: number;
  /** Statements using the file; a pinned file is never evicted. */
  pins: number;
}

/** A cached file, pinned until `release`. */
export interface CachedFile {
  readonly path: string;
  release(): void;
}

export interface FileCacheOptions {
  /**
   * The cache's directory. A directory given here is kept and its files reused by the next process
   * (one process per directory at a time); without it, a private temporary directory is used and
   * removed when the process exits.
   */
  readonly dir?: string;
  /** The most bytes the cache keeps; least recently used files are evicted beyond it. */
  readonly maxBytes: number;
}

/**
 * Local copies of data files on object storage, for DuckDB when it cannot read the storage itself
 * (no httpfs extension). Files are kept by location, least recently used evicted once the cache
 * holds more than `maxBytes`; a file a running statement uses is pinned and evicted only after it
 * is released (the cache may exceed its limit while everything in it is pinned). Iceberg never
 * rewrites a data file in place, so a copy cached by its location stays valid. A file is written
 * aside and renamed, so a reader never sees a partial copy; concurrent requests for one location
 * share one download.
 */
export class FileCache {
  /** In least-recently-used order: the first entry is evicted first. */
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();
  private bytes = 0;

  private constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {}

  static async open(opts: FileCacheOptions): Promise<FileCache> {
    if (opts.dir === undefined) {
      const dir = join(tmpdir(), `floe-files-${process.pid}-${randomUUID().slice(0, 8)}`);
      mkdirSync(dir, { recursive: true });
      process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
      return new FileCache(dir, opts.maxBytes);
    }
    const cache = new FileCache(opts.dir, opts.maxBytes);
    await mkdir(opts.dir, { recursive: true });
    // Files a previous process left: reused, oldest first in the eviction order; partial ones removed.
    const found: Array<{ key: string; path: string; size: number; mtime: number }> = [];
    for (const name of await readdir(opts.dir)) {
      const path = join(opts.dir, name);
      if (name.startsWith(".")) {
        await unlink(path).catch(() => undefined);
        continue;
      }
      const st = await stat(path).catch(() => undefined);
      if (st?.isFile()) found.push({ key: name, path, size: st.size, mtime: st.mtimeMs });
    }
    found.sort((a, b) => a.mtime - b.mtime);
    for (const f of found) {
      cache.entries.set(f.key, { path: f.path, size: f.size, pins: 0 });
      cache.bytes += f.size;
    }
    await cache.evict();
    return cache;
  }

  /** Bytes the cached files take. */
  get usedBytes(): number {
    return this.bytes;
  }

  /** The local copy of `location`, downloaded through `store` unless cached; pinned until released. */
  async acquire(store: ObjectStore, location: string): Promise<CachedFile> {
    const key = `${createHash("sha256").update(location).digest("hex").slice(0, 32)}.parquet`;
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key); // most recently used: last
      this.entries.set(key, entry);
    } else {
      let pending = this.loading.get(key);
      if (!pending) {
        pending = this.download(store, location, key).finally(() => this.loading.delete(key));
        this.loading.set(key, pending);
      }
      entry = await pending;
    }
    entry.pins++;
    const pinned = entry;
    let released = false;
    return {
      path: pinned.path,
      release: () => {
        if (released) return;
        released = true;
        pinned.pins--;
        if (this.bytes > this.maxBytes) void this.evict();
      },
    };
  }

  private async download(store: ObjectStore, location: string, key: string): Promise<Entry> {
    const path = join(this.dir, key);
    const tmp = join(this.dir, `.${key}.${randomUUID()}.tmp`);
    const bytes = await store.get(location);
    await writeFile(tmp, bytes);
    await rename(tmp, path);
    const entry: Entry = { path, size: bytes.length, pins: 0 };
    this.entries.set(key, entry);
    this.bytes += entry.size;
    await this.evict(entry);
    return entry;
  }

  /** Removes unpinned files, least recently used first, until the cache fits (`keep` stays). */
  private async evict(keep?: Entry): Promise<void> {
    // chosen at once, so that `usedBytes` is right as soon as a file is released
    const victims: string[] = [];
    for (const [key, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      if (e.pins > 0 || e === keep) continue;
      this.entries.delete(key);
      this.bytes -= e.size;
      victims.push(e.path);
    }
    await Promise.all(victims.map((path) => unlink(path).catch(() => undefined)));
  }
}
