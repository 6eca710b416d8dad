import { FloeError, badRequest } from "../core/errors.ts";
import type { KvStore } from "../storage/kv.ts";
import {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  type BackupContents,
  type BackupHeader,
  BackupWriter,
} from "./backup-file.ts";
import { NO_ANCESTOR_HASH } from "./hash.ts";

const REPO = "repo";
const REF = "r:";
const PAGE = 1000;
const BATCH = 500;
const dec = new TextDecoder();

export interface BackupSummary {
  readonly created: string;
  readonly source: string;
  readonly entries: number;
  readonly refs: number;
  readonly commits: number;
  readonly treeNodes: number;
}

const countOf = (keys: readonly string[], prefix: string) => keys.filter((k) => k.startsWith(prefix)).length;

/**
 * Writes the version store's entries as a backup file's lines (`out` gets each line in order).
 * The references and the repository entry are read first, in one statement each; the immutable
 * objects after them. Objects are never removed, so every commit, tree and node the references
 * reach is in the file even while floe keeps committing (later commits' objects may be too,
 * unreferenced: they do no harm).
 */
export async function backupStore(
  kv: KvStore,
  out: (line: string) => Promise<void>,
  now: Date = new Date(),
): Promise<BackupSummary> {
  const refs = await kv.scan(REF);
  const repo = await kv.get(REPO);
  if (!repo) throw badRequest(`${kv.description} holds no floe catalog (no repository entry)`);
  const w = new BackupWriter();
  const header: BackupHeader = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    created: now.toISOString(),
    source: kv.description,
  };
  await out(w.headerLine(header));
  await out(w.entryLine(REPO, repo));
  for (const [k, v] of refs) await out(w.entryLine(k, v));
  const keys: string[] = [];
  for (let after: string | undefined; ;) {
    const page = await kv.scan("", { ...(after !== undefined ? { after } : {}), limit: PAGE });
    for (const [k, v] of page) {
      if (k === REPO || k.startsWith(REF)) continue;
      keys.push(k);
      await out(w.entryLine(k, v));
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]![0];
  }
  await out(w.trailerLine());
  return {
    created: header.created,
    source: kv.description,
    entries: w.entries,
    refs: refs.length,
    commits: countOf(keys, "c:"),
    treeNodes: countOf(keys, "n:"),
  };
}

/**
 * Why `kv` is not an empty catalog, or undefined when it is: empty means no reference points at
 * a commit (a store never opened, or one `floe serve` has only initialised).
 */
export async function notEmpty(kv: KvStore): Promise<string | undefined> {
  const refs = await kv.scan(REF);
  for (const [k, v] of refs) {
    const hash = (JSON.parse(dec.decode(v)) as { hash: string }).hash;
    if (hash !== NO_ANCESTOR_HASH) return `reference ${k.slice(REF.length)} points at commit ${hash}`;
  }
  return undefined;
}

/**
 * Restores a checked backup (`readBackup`) into an empty catalog: the objects first (put if
 * absent, so an interrupted restore can run again), then the repository entry, then the
 * references, each by compare-and-set. A non-empty catalog is refused before anything is written.
 */
export async function restoreStore(kv: KvStore, backup: BackupContents): Promise<BackupSummary> {
  const why = await notEmpty(kv);
  if (why)
    throw new FloeError(
      "REFERENCE_CONFLICT",
      `${kv.description} is not an empty catalog (${why}); restore needs an empty one`,
    );
  const objects = backup.entries.filter(([k]) => k !== REPO && !k.startsWith(REF));
  for (let i = 0; i < objects.length; i += BATCH) await kv.putIfAbsent(objects.slice(i, i + BATCH));
  const repo = backup.entries.find(([k]) => k === REPO)![1];
  const currentRepo = await kv.get(REPO);
  const lost = () =>
    new FloeError(
      "REFERENCE_CONFLICT",
      `${kv.description} changed during the restore; nothing was overwritten`,
    );
  if (!(await kv.compareAndSet(REPO, currentRepo, repo))) throw lost();
  const current = new Map(await kv.scan(REF));
  const refs = backup.entries.filter(([k]) => k.startsWith(REF));
  const wanted = new Set(refs.map(([k]) => k));
  // references of the empty catalog the backup does not have (e.g. another default branch)
  for (const [k, v] of current)
    if (!wanted.has(k) && !(await kv.compareAndSet(k, v, undefined))) throw lost();
  for (const [k, v] of refs) if (!(await kv.compareAndSet(k, current.get(k), v))) throw lost();
  const keys = backup.entries.map(([k]) => k);
  return {
    created: backup.header.created,
    source: backup.header.source,
    entries: backup.entries.length,
    refs: refs.length,
    commits: countOf(keys, "c:"),
    treeNodes: countOf(keys, "n:"),
  };
}
