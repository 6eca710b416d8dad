import { badRequest } from "../../core/errors.ts";
import { type DataFile, DataFileContent } from "../data-file.ts";
import { bind } from "../expressions/bind.ts";
import type { Expression } from "../expressions/expression.ts";
import { partitionKey } from "../scan/delete-index.ts";
import { removeByFilter, removeByPath } from "./file-removal.ts";
import { type MergeSettings, mergeSettings } from "./merge-manifests.ts";
import { type ProducedSnapshot, produceSnapshot, type ProducerOptions } from "./snapshot-producer.ts";

/** Options shared by the producers that add and remove files (Java's `MergingSnapshotProducer`). */
export interface ChangeOptions extends ProducerOptions {
  /** Data files to add, all written with partition spec `specId` (default the table's default). */
  readonly files?: readonly DataFile[];
  readonly specId?: number;
  /** How manifests are merged; default from the table's `commit.manifest.*` properties. */
  readonly merge?: MergeSettings;
}

export interface OverwriteByFilterOptions extends ChangeOptions {
  /** The rows replaced: every live data file whose rows all match it is removed. */
  readonly filter: Expression;
  /** Match column names exactly (default) or ignoring case. */
  readonly caseSensitive?: boolean;
}

/**
 * Overwrite by filter (Java's `OverwriteFiles.overwriteByRowFilter`, operation `overwrite`):
 * removes every live data file whose rows all match `filter` — decided from its partition and
 * column metrics (`removeByFilter`) — and adds `files`. A data file that only some rows may match
 * refuses the commit ("some, but not all, rows match"); rewrite its rows first (the engine's
 * `overwriteRows` does). Delete files of partitions the filter selects whole go with them.
 */
export async function overwriteByFilter(opts: OverwriteByFilterOptions): Promise<ProducedSnapshot> {
  const what = `Cannot overwrite table ${opts.metadata.location}`;
  const filter = bindToCurrent(opts, opts.filter, what);
  return produceSnapshot(opts, {
    operation: "overwrite",
    verb: "overwrite",
    ...changeFiles(opts, what),
    removal: removeByFilter(filter, what),
  });
}

/**
 * Dynamic partition overwrite (Java's `ReplacePartitions`, operation `overwrite`): every live data
 * and delete file in a partition of `files` (same spec and partition values; in an unpartitioned
 * spec, the whole spec) is removed, and `files` are added.
 */
export async function replacePartitions(opts: ChangeOptions): Promise<ProducedSnapshot> {
  const what = `Cannot replace partitions of table ${opts.metadata.location}`;
  const files = opts.files ?? [];
  if (files.length === 0) throw badRequest(`${what}: no data files to add`);
  const specId = opts.specId ?? opts.metadata.defaultSpecId;
  const keys = new Set(files.map((f) => partitionKey(specId, f.partition)));
  return produceSnapshot(opts, {
    operation: "overwrite",
    verb: "replace partitions of",
    ...changeFiles(opts, what),
    removal: {
      mayContain: (mf) => mf.partitionSpecId === specId,
      removes: (e, spec) => spec.specId === specId && keys.has(partitionKey(specId, e.dataFile.partition)),
    },
  });
}

export interface OverwriteFilesOptions extends ChangeOptions {
  /** Locations of live data (or delete) files to remove; each must be in the table. */
  readonly removeFiles: readonly string[];
}

/**
 * Replaces named files (Java's `OverwriteFiles` with `deleteFile` and `addFile`, operation
 * `overwrite`): what copy-on-write deletes and updates commit. A named file the table does not
 * hold live refuses the commit.
 */
export async function overwriteFiles(opts: OverwriteFilesOptions): Promise<ProducedSnapshot> {
  const what = `Cannot overwrite table ${opts.metadata.location}`;
  if (opts.removeFiles.length === 0 && (opts.files ?? []).length === 0)
    throw badRequest(`${what}: no files to remove or add`);
  return produceSnapshot(opts, {
    operation: "overwrite",
    verb: "overwrite",
    ...changeFiles(opts, what),
    removal: removeByPath(opts.removeFiles, what),
  });
}

/** Binds a filter to the table's current schema (unknown columns are a BAD_REQUEST naming them). */
export function bindToCurrent(
  opts: ProducerOptions & { readonly caseSensitive?: boolean },
  filter: Expression,
  what: string,
) {
  const m = opts.metadata;
  const schema = m.schemas.find((s) => s.schemaId === m.currentSchemaId);
  if (!schema) throw badRequest(`${what}: current schema ${m.currentSchemaId} not found`);
  return bind(filter, schema, opts.caseSensitive === undefined ? {} : { caseSensitive: opts.caseSensitive });
}

/** The added data files, spec and merge settings of a change, checked. */
export function changeFiles(opts: ChangeOptions, what: string) {
  const files = opts.files ?? [];
  for (const f of files)
    if (f.content !== DataFileContent.DATA)
      throw badRequest(`${what}: ${f.filePath} is a delete file; use a row delta to add delete files`);
  const merge = opts.merge ?? mergeSettings(opts.metadata.properties);
  return {
    added: files,
    ...(opts.specId === undefined ? {} : { specId: opts.specId }),
    ...(merge ? { merge } : {}),
  };
}
