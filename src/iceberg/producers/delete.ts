import { badRequest } from "../../core/errors.ts";
import { DataFileContent } from "../data-file.ts";
import type { Expression } from "../expressions/expression.ts";
import { removeByFilter, removeByPath } from "./file-removal.ts";
import { mergeSettings } from "./merge-manifests.ts";
import { bindToCurrent, type ChangeOptions } from "./overwrite.ts";
import {
  type ProducedSnapshot,
  produceSnapshot,
  type ProducerOptions,
  type SpecFiles,
} from "./snapshot-producer.ts";

export interface DeleteByFilterOptions extends ProducerOptions {
  /** The rows deleted: every live data file whose rows all match it is removed. */
  readonly filter: Expression;
  readonly caseSensitive?: boolean;
  readonly merge?: ChangeOptions["merge"];
}

/**
 * File-level delete (Java's `DeleteFiles.deleteFromRowFilter`, operation `delete`): removes every
 * live data file whose rows all match `filter`, judged from partition values and column metrics;
 * a file that only some rows may match refuses the commit (the engine's `deleteRows` rewrites or
 * masks such rows instead). Delete files of partitions the filter selects whole go too. A filter
 * that matches no file still makes a snapshot, as Java's does.
 */
export async function deleteByFilter(opts: DeleteByFilterOptions): Promise<ProducedSnapshot> {
  const what = `Cannot delete from table ${opts.metadata.location}`;
  const filter = bindToCurrent(opts, opts.filter, what);
  const merge = opts.merge ?? mergeSettings(opts.metadata.properties);
  return produceSnapshot(opts, {
    operation: "delete",
    verb: "delete from",
    removal: removeByFilter(filter, what),
    ...(merge ? { merge } : {}),
  });
}

export interface RowDeltaOptions extends ChangeOptions {
  /** Position or equality delete files to add, each group in the spec of its partition. */
  readonly deleteFiles: readonly SpecFiles[];
  /** Locations of live files to remove (e.g. delete files made obsolete); each must be in the table. */
  readonly removeFiles?: readonly string[];
}

/**
 * A row delta (Java's `RowDelta`): adds delete files (and data files), so that rows are deleted or
 * replaced without rewriting data files — merge-on-read. Operation `delete` when only delete files
 * are added, else `overwrite`. Needs format v2 (v1 has no delete files).
 */
export async function rowDelta(opts: RowDeltaOptions): Promise<ProducedSnapshot> {
  const what = `Cannot commit a row delta to table ${opts.metadata.location}`;
  const files = opts.files ?? [];
  for (const f of files)
    if (f.content !== DataFileContent.DATA) throw badRequest(`${what}: ${f.filePath} is not a data file`);
  const deletes = opts.deleteFiles.flatMap((g) => g.files);
  for (const f of deletes)
    if (f.content === DataFileContent.DATA) throw badRequest(`${what}: ${f.filePath} is not a delete file`);
  if (files.length === 0 && deletes.length === 0) throw badRequest(`${what}: no files to add`);
  const merge = opts.merge ?? mergeSettings(opts.metadata.properties);
  const remove = opts.removeFiles ?? [];
  return produceSnapshot(opts, {
    operation: files.length === 0 ? "delete" : "overwrite",
    verb: "commit a row delta to",
    added: files,
    ...(opts.specId === undefined ? {} : { specId: opts.specId }),
    addedInSpecs: opts.deleteFiles,
    ...(remove.length > 0 ? { removal: removeByPath(remove, what) } : {}),
    ...(merge ? { merge } : {}),
  });
}

export interface DeleteFilesOptions extends ProducerOptions {
  /** Locations of live data (or delete) files to remove; each must be in the table. */
  readonly removeFiles: readonly string[];
  readonly merge?: ChangeOptions["merge"];
}

/**
 * Deletes named files (Java's `DeleteFiles.deleteFile`, operation `delete`): for deletes that remove
 * whole data files. A named file the table does not hold live refuses the commit.
 */
export async function deleteFiles(opts: DeleteFilesOptions): Promise<ProducedSnapshot> {
  const what = `Cannot delete from table ${opts.metadata.location}`;
  if (opts.removeFiles.length === 0) throw badRequest(`${what}: no files to delete`);
  const merge = opts.merge ?? mergeSettings(opts.metadata.properties);
  return produceSnapshot(opts, {
    operation: "delete",
    verb: "delete from",
    removal: removeByPath(opts.removeFiles, what),
    ...(merge ? { merge } : {}),
  });
}
