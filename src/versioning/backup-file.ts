import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { badRequest } from "../core/errors.ts";
import { NO_ANCESTOR_HASH, sha256Hex } from "./hash.ts";

/**
 * The floe backup file (docs/adr/0003-catalog-backup.md): gzip of newline-delimited JSON.
 *
 *     {"format":"floe-backup","version":1,"created":"…","source":"…"}      header
 *     {"k":"r:main","v":"<base64>"}                                         one line per KV entry
 *     …
 *     {"end":{"entries":N,"sha256":"<hex>"}}                                trailer
 *
 * Entries are the version store's key-value pairs byte for byte: `repo` (default branch,
 * creation time), `r:<name>` (references), `c:<hash>` (commits, with their operations and so the
 * contents), `n:<hash>` (tree nodes) and `t:<hash>` (stored tree roots). The trailer's sha256
 * covers every entry line with its newline, so a truncated or altered file is detected.
 */
export const BACKUP_FORMAT = "floe-backup";
export const BACKUP_VERSION = 1;

export interface BackupHeader {
  readonly format: typeof BACKUP_FORMAT;
  readonly version: number;
  readonly created: string;
  /** The store backed up (password hidden). */
  readonly source: string;
}

export interface BackupContents {
  readonly header: BackupHeader;
  readonly entries: ReadonlyArray<readonly [string, Uint8Array]>;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Builds the file's lines one at a time and the trailer's checksum over them. */
export class BackupWriter {
  private readonly hash = createHash("sha256");
  private count = 0;

  headerLine(header: BackupHeader): string {
    return `${JSON.stringify(header)}\n`;
  }

  entryLine(key: string, value: Uint8Array): string {
    const line = `${JSON.stringify({ k: key, v: Buffer.from(value).toString("base64") })}\n`;
    this.hash.update(line);
    this.count++;
    return line;
  }

  trailerLine(): string {
    return `${JSON.stringify({ end: { entries: this.count, sha256: this.hash.digest("hex") } })}\n`;
  }

  get entries(): number {
    return this.count;
  }
}

/**
 * Reads and checks a whole backup file: gzip, header, every entry (known key kinds; commits and
 * tree nodes hash to their keys; references name a commit in the file), the trailer's count and
 * checksum. Any fault is one BAD_REQUEST naming `name` and what is wrong; nothing is returned
 * from a file that is not entirely right.
 */
export function readBackup(name: string, gz: Uint8Array): BackupContents {
  const fail = (what: string) => badRequest(`${name}: ${what}`);
  let raw: Buffer;
  try {
    raw = gunzipSync(gz);
  } catch (e) {
    const msg = (e as Error).message;
    throw fail(
      /unexpected end/i.test(msg)
        ? "the backup is truncated (the gzip data ends early)"
        : `not a floe backup (not gzip data: ${msg})`,
    );
  }
  let pos = 0;
  let lineNo = 0;
  const nextLine = (): Buffer | undefined => {
    if (pos >= raw.length) return undefined;
    const nl = raw.indexOf(10, pos);
    const line = raw.subarray(pos, nl < 0 ? raw.length : nl + 1);
    pos = nl < 0 ? raw.length : nl + 1;
    lineNo++;
    return line;
  };
  const parse = (line: Buffer): Record<string, unknown> => {
    try {
      const v = JSON.parse(line.toString("utf8")) as unknown;
      if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // reported below
    }
    throw fail(`line ${lineNo} is not a JSON object`);
  };

  const first = nextLine();
  if (!first) throw fail("not a floe backup (empty)");
  let header: Record<string, unknown>;
  try {
    header = parse(first);
  } catch {
    throw fail("not a floe backup (no header line)");
  }
  if (header.format !== BACKUP_FORMAT) throw fail("not a floe backup (the header names another format)");
  if (header.version !== BACKUP_VERSION)
    throw fail(
      `backup format version ${String(header.version)} is not one this floe reads (${BACKUP_VERSION})`,
    );

  const hash = createHash("sha256");
  const entries: Array<[string, Uint8Array]> = [];
  const seen = new Set<string>();
  let trailer: Record<string, unknown> | undefined;
  for (let line = nextLine(); line; line = nextLine()) {
    if (trailer) throw fail(`line ${lineNo}: data after the end line`);
    const obj = parse(line);
    if ("end" in obj) {
      trailer = (obj.end ?? {}) as Record<string, unknown>;
      continue;
    }
    hash.update(line);
    const { k, v } = obj;
    if (typeof k !== "string" || typeof v !== "string") throw fail(`line ${lineNo}: expected {"k","v"}`);
    const value = Buffer.from(v, "base64");
    if (value.toString("base64") !== v) throw fail(`line ${lineNo}: the value of ${k} is not base64`);
    if (seen.has(k)) throw fail(`line ${lineNo}: ${k} appears twice`);
    seen.add(k);
    checkEntry(k, value, (what) => fail(`line ${lineNo}: ${what}`));
    entries.push([k, new Uint8Array(value)]);
  }
  if (!trailer) throw fail(`the backup is truncated (no end line after ${entries.length} entries)`);
  if (trailer.entries !== entries.length || trailer.sha256 !== hash.digest("hex"))
    throw fail(
      `the backup is corrupt (the end line promises ${String(trailer.entries)} entries and a checksum the ${entries.length} entries read do not match)`,
    );
  if (!seen.has("repo")) throw fail("the backup has no repository entry");
  for (const [k, v] of entries) {
    if (!k.startsWith("r:")) continue;
    const target = (JSON.parse(Buffer.from(v).toString("utf8")) as { hash: string }).hash;
    if (target !== NO_ANCESTOR_HASH && !seen.has(`c:${target}`))
      throw fail(`reference ${k.slice(2)} points at commit ${target}, which the backup does not hold`);
  }
  return {
    header: {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      created: String(header.created ?? ""),
      source: String(header.source ?? ""),
    },
    entries,
  };
}

/** One entry's key and value are of a kind the version store writes, and self-consistent. */
function checkEntry(key: string, value: Buffer, fail: (what: string) => Error): void {
  const kind = key === "repo" ? "repo" : key.slice(0, 2);
  const rest = key.slice(2);
  switch (kind) {
    case "repo": {
      const repo = jsonOf(value) as { defaultBranch?: unknown } | undefined;
      if (typeof repo?.defaultBranch !== "string") throw fail("the repository entry is malformed");
      return;
    }
    case "r:": {
      const ref = jsonOf(value) as { type?: unknown; hash?: unknown } | undefined;
      if (
        rest === "" ||
        (ref?.type !== "BRANCH" && ref?.type !== "TAG") ||
        typeof ref.hash !== "string" ||
        !HEX64.test(ref.hash)
      )
        throw fail(`reference '${rest}' is malformed`);
      return;
    }
    case "c:":
    case "n:":
      if (!HEX64.test(rest)) throw fail(`malformed key ${key}`);
      if (sha256Hex(value) !== rest)
        throw fail(`${kind === "c:" ? "commit" : "tree node"} ${rest} does not hash to its key`);
      return;
    case "t:": {
      const root = value.toString("utf8");
      if (!HEX64.test(rest) || (root !== "" && !HEX64.test(root))) throw fail(`malformed tree root ${key}`);
      return;
    }
    default:
      throw fail(`unknown key ${JSON.stringify(key.slice(0, 80))}`);
  }
}

function jsonOf(value: Buffer): unknown {
  try {
    return JSON.parse(value.toString("utf8"));
  } catch {
    return undefined;
  }
}
