import { randomUUID } from "node:crypto";
import type { Dirent } from "node:fs";
import { constants } from "node:fs";
import {
  copyFile,
  link,
  mkdir,
  open,
  readFile,
  readdir,
  rename,
  rmdir,
  stat,
  unlink,
} from "node:fs/promises";
import { dirname, join } from "node:path";
import { FloeError } from "../core/errors.ts";
import { formatLocation, keyWithin, type Location, parseRoot, TEMP_PREFIX } from "./location.ts";
import {
  checkListLimit,
  checkRange,
  decodePageToken,
  encodePageToken,
  type ObjectInfo,
  type ObjectPage,
  type ObjectStore,
} from "./object-store.ts";

/**
 * Objects as files under a root directory; a key's `/` segments are directories. Writes go to a
 * temporary file in the target's directory and are renamed (put) or hard-linked (putIfAbsent, which
 * fails when the name exists) into place, so readers never see a partial object and exactly one
 * of racing putIfAbsent calls wins. Directories left empty by a delete are removed.
 * A location cannot be both an object and a directory of other objects here (S3 allows it).
 */
export class LocalObjectStore implements ObjectStore {
  readonly root: string;
  readonly description: string;
  private readonly dir: string;
  private readonly rootLoc: Location;

  constructor(root: string) {
    const loc = parseRoot(root);
    this.rootLoc = loc;
    if (loc.kind !== "file") throw new FloeError("BAD_REQUEST", `Not a local location: '${root}'`);
    this.dir = loc.path;
    this.root = formatLocation(loc);
    this.description = `local disk ${loc.path}`;
  }

  async get(path: string): Promise<Uint8Array> {
    const file = this.file(path);
    try {
      const buf = await readFile(file);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (e) {
      throw missingOr(e, path);
    }
  }

  async getRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    checkRange(offset, length);
    const file = this.file(path);
    let handle;
    try {
      handle = await open(file, "r");
    } catch (e) {
      throw missingOr(e, path);
    }
    try {
      const size = (await handle.stat()).size;
      const out = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
      let done = 0;
      while (done < out.length) {
        const { bytesRead } = await handle.read(out, done, out.length - done, offset + done);
        if (bytesRead === 0) return out.subarray(0, done);
        done += bytesRead;
      }
      return out;
    } finally {
      await handle.close();
    }
  }

  async put(path: string, bytes: Uint8Array): Promise<void> {
    const file = this.file(path);
    await this.writeVia(file, writeBytes(bytes), async (tmp) => {
      await rename(tmp, file);
      return true;
    });
  }

  async putFile(path: string, source: string): Promise<void> {
    const file = this.file(path);
    await this.writeVia(file, copyFrom(source), async (tmp) => {
      await rename(tmp, file);
      return true;
    });
  }

  async putIfAbsent(path: string, bytes: Uint8Array): Promise<boolean> {
    const file = this.file(path);
    return this.writeVia(file, writeBytes(bytes), async (tmp) => {
      try {
        await link(tmp, file);
        return true;
      } catch (e) {
        if (code(e) === "EEXIST") return false;
        throw e;
      } finally {
        await unlink(tmp).catch(() => undefined);
      }
    });
  }

  async list(prefix: string, opts: { pageToken?: string; limit?: number } = {}): Promise<ObjectPage> {
    const key = keyWithin(this.rootLoc, prefix, { prefix: true });
    const limit = checkListLimit(opts.limit);
    const found: Array<ObjectInfo & { key: string }> = [];
    const slash = key.lastIndexOf("/");
    await this.walk(
      slash < 0 ? "" : key.slice(0, slash),
      key,
      decodePageToken(opts.pageToken),
      found,
      limit + 1,
    );
    const items = found.slice(0, limit).map(({ key, size, lastModified }) => ({
      path: this.locationOf(key),
      size,
      lastModified,
    }));
    return found.length > limit ? { items, nextToken: encodePageToken(found[limit - 1]!.key) } : { items };
  }

  async delete(path: string): Promise<void> {
    const file = this.file(path);
    try {
      await unlink(file);
    } catch (e) {
      if (["ENOENT", "ENOTDIR", "EISDIR", "EPERM"].includes(code(e) ?? "")) return;
      throw e;
    }
    // prune directories the delete left empty; rmdir refuses non-empty ones, and a put racing with
    // this retries when its directory vanishes
    for (let d = dirname(file); d.startsWith(`${this.dir}/`); d = dirname(d)) {
      if (
        !(await rmdir(d).then(
          () => true,
          () => false,
        ))
      )
        break;
    }
  }

  async head(path: string): Promise<ObjectInfo | undefined> {
    const file = this.file(path);
    try {
      const st = await stat(file);
      return st.isFile() ? { size: st.size, lastModified: st.mtime } : undefined;
    } catch (e) {
      if (code(e) === "ENOENT" || code(e) === "ENOTDIR") return undefined;
      throw e;
    }
  }

  async close(): Promise<void> {}

  private file(path: string): string {
    return join(this.dir, keyWithin(this.rootLoc, path));
  }

  private locationOf(key: string): string {
    return this.dir === "/" ? `file:///${key}` : `${this.root}/${key}`;
  }

  /** Writes a new temporary file beside `file` with `fill` and hands it to `commit`. */
  private async writeVia(
    file: string,
    fill: (tmp: string) => Promise<void>,
    commit: (tmp: string) => Promise<boolean>,
  ) {
    for (let attempt = 0; ; attempt++) {
      const tmp = join(dirname(file), `${TEMP_PREFIX}${randomUUID()}`);
      try {
        await mkdir(dirname(file), { recursive: true });
        await fill(tmp);
      } catch (e) {
        // a concurrent delete pruned the directory between mkdir and open
        if (code(e) === "ENOENT" && attempt < 10) continue;
        await unlink(tmp).catch(() => undefined);
        if (code(e) === "ENOTDIR" || code(e) === "EEXIST") throw conflict(file);
        throw unwritable(e, file);
      }
      try {
        return await commit(tmp);
      } catch (e) {
        await unlink(tmp).catch(() => undefined);
        if (code(e) === "EISDIR" || code(e) === "ENOTDIR") throw conflict(file);
        throw e;
      }
    }
  }

  /**
   * Appends to `out` the objects under directory `dirKey` whose key starts with `prefix` and sorts
   * after `after`, in byte order, until `out` holds `max`. A directory sorts as its name plus `/`,
   * so a depth-first walk over sorted entries yields keys in byte order, and subtrees that hold no
   * key after `after` are skipped unread.
   */
  private async walk(
    dirKey: string,
    prefix: string,
    after: string | undefined,
    out: Array<ObjectInfo & { key: string }>,
    max: number,
  ): Promise<void> {
    let dirents: Dirent[];
    try {
      dirents = await readdir(join(this.dir, dirKey), { withFileTypes: true });
    } catch (e) {
      if (code(e) === "ENOENT" || code(e) === "ENOTDIR") return;
      throw e;
    }
    const entries: Array<{ key: string; dir: boolean; sortKey: Buffer }> = [];
    for (const d of dirents) {
      if (d.name.startsWith(TEMP_PREFIX)) continue;
      let dir = d.isDirectory();
      if (d.isSymbolicLink())
        dir = (await stat(join(this.dir, dirKey, d.name)).catch(() => undefined))?.isDirectory() ?? false;
      else if (!dir && !d.isFile()) continue;
      entries.push({
        key: dirKey === "" ? d.name : `${dirKey}/${d.name}`,
        dir,
        sortKey: Buffer.from(dir ? `${d.name}/` : d.name),
      });
    }
    entries.sort((a, b) => Buffer.compare(a.sortKey, b.sortKey));
    for (const e of entries) {
      if (out.length >= max) return;
      if (e.dir) {
        const sub = `${e.key}/`;
        if (!sub.startsWith(prefix) && !prefix.startsWith(sub)) continue;
        if (after !== undefined && before(sub, after) && !after.startsWith(sub)) continue;
        await this.walk(e.key, prefix, after, out, max);
      } else {
        if (!e.key.startsWith(prefix)) continue;
        if (after !== undefined && !before(after, e.key)) continue;
        const st = await stat(join(this.dir, e.key)).catch(() => undefined);
        if (st?.isFile()) out.push({ key: e.key, size: st.size, lastModified: st.mtime });
      }
    }
  }
}

function before(a: string, b: string): boolean {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0;
}

function code(e: unknown): string | undefined {
  return (e as { code?: string } | null)?.code;
}

/** A directory floe may not write to (permissions, a read-only or pseudo file system) as a 403. */
function unwritable(e: unknown, file: string): unknown {
  const c = code(e);
  return c !== undefined && ["EACCES", "EPERM", "EROFS", "ENOENT"].includes(c)
    ? new FloeError("FORBIDDEN", `Cannot write '${file}': the directory is not writable (${c})`)
    : e;
}

function missingOr(e: unknown, path: string): unknown {
  return ["ENOENT", "ENOTDIR", "EISDIR"].includes(code(e) ?? "")
    ? new FloeError("NOT_FOUND", `No object at '${path}'`)
    : e;
}

function conflict(file: string): FloeError {
  return new FloeError(
    "BAD_REQUEST",
    `Cannot write '${file}': a file and a directory of objects would share a name on local disk`,
  );
}

/** Fills a new file (which must not exist) with `bytes`, flushed to disk. */
const writeBytes = (bytes: Uint8Array) => async (tmp: string) => {
  const handle = await open(tmp, "wx");
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
};

/** Fills a new file (which must not exist) with a copy of `source`, flushed to disk. */
const copyFrom = (source: string) => async (tmp: string) => {
  await copyFile(source, tmp, constants.COPYFILE_EXCL);
  const handle = await open(tmp, "r+");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
};
