import { once } from "node:events";
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { createGzip } from "node:zlib";
import { badRequest } from "../core/errors.ts";
import { parseLocation } from "./location.ts";
import { openObjectStore } from "./open-object-store.ts";
import type { S3Settings } from "./s3-object-store.ts";

const NAME = /^floe-backup-.*\.ndjson\.gz$/;

/** `floe-backup-20261126T020000Z.ndjson.gz`: names sort by time. */
export function backupFileName(now: Date): string {
  return `floe-backup-${now.toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "")}.ndjson.gz`;
}

/**
 * Where a backup goes: a file, a directory (existing, or written with a trailing `/`), an S3
 * object `s3://bucket/key`, or an S3 prefix `s3://bucket/prefix/` — a directory or prefix gets
 * a new timestamped file name.
 */
export function backupTarget(dest: string, now: Date): string {
  if (/^s3[an]?:\/\//.test(dest)) {
    const loc = parseLocation(dest);
    if (loc.kind !== "s3") throw badRequest(`not an S3 location: ${dest}`);
    return loc.key === "" || loc.key.endsWith("/")
      ? `s3://${loc.bucket}/${loc.key}${backupFileName(now)}`
      : `s3://${loc.bucket}/${loc.key}`;
  }
  const path = resolve(dest);
  const isDir = dest.endsWith("/") || (existsSync(path) && statSync(path).isDirectory());
  return isDir ? join(path, backupFileName(now)) : path;
}

/**
 * Writes gzip of the lines `produce` emits to `target` (from `backupTarget`), all or nothing: a
 * local file appears under its name only when complete (written beside it, then renamed); an S3
 * object is uploaded once complete. Returns the file's size.
 */
export async function writeBackupFile(
  target: string,
  s3: S3Settings,
  produce: (out: (line: string) => Promise<void>) => Promise<void>,
): Promise<number> {
  const remote = target.startsWith("s3://");
  if (!remote) mkdirSync(dirname(target), { recursive: true });
  const tmp = remote
    ? join(tmpdir(), `.${basename(target)}.${process.pid}.tmp`)
    : join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  try {
    const gz = createGzip();
    const file = createWriteStream(tmp);
    gz.pipe(file);
    const done = once(file, "close");
    await produce(async (line) => {
      if (!gz.write(line)) await once(gz, "drain");
    });
    gz.end();
    await done;
    const bytes = readFileSync(tmp);
    if (remote) {
      const store = openObjectStore(target.slice(0, target.indexOf("/", "s3://".length)), { s3 });
      try {
        await store.put(target, bytes);
      } finally {
        await store.close();
      }
    } else {
      renameSync(tmp, target);
    }
    return bytes.length;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * The bytes of a backup: a local file, an S3 object, or the newest `floe-backup-*.ndjson.gz`
 * under an S3 prefix ending in `/`. Returns where it was read from, too.
 */
export async function readBackupFile(
  source: string,
  s3: S3Settings,
): Promise<{ from: string; bytes: Uint8Array }> {
  if (!/^s3[an]?:\/\//.test(source)) {
    try {
      return { from: resolve(source), bytes: readFileSync(source) };
    } catch (e) {
      throw badRequest(`cannot read ${source}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const loc = parseLocation(source);
  if (loc.kind !== "s3") throw badRequest(`not an S3 location: ${source}`);
  const store = openObjectStore(`s3://${loc.bucket}`, { s3 });
  try {
    let from = `s3://${loc.bucket}/${loc.key}`;
    if (loc.key === "" || loc.key.endsWith("/")) {
      const names: string[] = [];
      for (let token: string | undefined; ;) {
        const page = await store.list(from, token === undefined ? {} : { pageToken: token });
        names.push(...page.items.map((i) => i.path).filter((p) => NAME.test(basename(p))));
        if (!page.nextToken) break;
        token = page.nextToken;
      }
      const newest = names.sort().at(-1);
      if (!newest) throw badRequest(`no floe-backup-*.ndjson.gz under ${from}`);
      from = newest;
    }
    return { from, bytes: await store.get(from) };
  } finally {
    await store.close();
  }
}
