import { badRequest } from "../../core/errors.ts";
import { removeByPath } from "./file-removal.ts";
import { changeFiles, type ChangeOptions } from "./overwrite.ts";
import { type ProducedSnapshot, produceSnapshot } from "./snapshot-producer.ts";

export interface RewriteFilesOptions extends ChangeOptions {
  /** Locations of the live data files rewritten, and of delete files left with nothing to delete. */
  readonly removeFiles: readonly string[];
  /**
   * The data sequence number of the new data files: the sequence number of the snapshot the rewrite
   * started from (Java's `RewriteFiles` with a starting sequence number), so that equality deletes
   * committed after it still apply to the new files while those before it, already applied, do not.
   * Default the new snapshot's (no delete committed since start can then apply). Ignored in v1.
   */
  readonly dataSequenceNumber?: bigint;
}

/**
 * Replaces data files by others holding the same rows (Java's `RewriteFiles`, operation `replace`):
 * compaction. The named live files are removed (an unknown name refuses the commit) and `files`
 * added with `dataSequenceNumber`.
 */
export async function rewriteFiles(opts: RewriteFilesOptions): Promise<ProducedSnapshot> {
  const what = `Cannot rewrite files of table ${opts.metadata.location}`;
  if (opts.removeFiles.length === 0) throw badRequest(`${what}: no files to rewrite`);
  const seq = opts.dataSequenceNumber;
  if (seq !== undefined && opts.metadata.formatVersion >= 2 && seq > BigInt(opts.metadata.lastSequenceNumber))
    throw badRequest(
      `${what}: data sequence number ${seq} is after the table's last sequence number ${opts.metadata.lastSequenceNumber}`,
    );
  return produceSnapshot(opts, {
    operation: "replace",
    verb: "rewrite files of",
    ...changeFiles(opts, what),
    removal: removeByPath(opts.removeFiles, what),
    ...(seq !== undefined && opts.metadata.formatVersion >= 2 ? { dataSequenceNumber: seq } : {}),
  });
}
