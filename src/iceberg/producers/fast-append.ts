import { badRequest } from "../../core/errors.ts";
import { type DataFile, DataFileContent } from "../data-file.ts";
import type { ManifestFile } from "../manifest-list.ts";
import { type ProducedSnapshot, produceSnapshot, type ProducerOptions } from "./snapshot-producer.ts";

export interface FastAppendOptions extends ProducerOptions {
  /** Data files to add (content data), all written with partition spec `specId`. */
  readonly files: readonly DataFile[];
  /** The spec the files were written with; default the table's default spec. */
  readonly specId?: number;
}

export interface FastAppend extends ProducedSnapshot {
  /** The new manifest's list entry, with the snapshot's sequence number assigned. */
  readonly manifest: ManifestFile;
}

/**
 * A fast append (Java's `FastAppend`): writes one manifest holding the new files as ADDED entries
 * (snapshot id set, sequence numbers left null to inherit the snapshot's), and a manifest list of
 * that manifest followed by the parent snapshot's manifests unchanged — no existing manifest is
 * read or rewritten. Returns the updates that commit the snapshot (operation `append`) on the
 * branch (`main` by default): see `produceSnapshot`. Nothing is committed.
 */
export async function fastAppend(opts: FastAppendOptions): Promise<FastAppend> {
  const what = `Cannot append to table ${opts.metadata.location}`;
  checkAppendFiles(opts.files, what);
  const produced = await produceSnapshot(opts, {
    operation: "append",
    verb: "append to",
    added: opts.files,
    ...(opts.specId === undefined ? {} : { specId: opts.specId }),
    keepEmptyManifests: true,
  });
  return { ...produced, manifest: produced.manifests[0] as ManifestFile };
}

/** An append adds at least one file, and only data files. */
export function checkAppendFiles(files: readonly DataFile[], what: string): void {
  if (files.length === 0) throw badRequest(`${what}: no data files to add`);
  for (const f of files)
    if (f.content !== DataFileContent.DATA)
      throw badRequest(`${what}: ${f.filePath} is a delete file; an append adds data files only`);
}
