import {
  type CommittedTable,
  commitMessage,
  commitTables,
  type TableChange,
} from "../../catalog/commit-path.ts";
import { cleanlyRefused } from "../../catalog/context.ts";
import { commitFailed } from "../../catalog/errors.ts";
import { loadTable } from "../../catalog/tables.ts";
import { badRequest, FloeError, isFloeError } from "../../core/errors.ts";
import { applyUpdates } from "../../iceberg/apply-updates.ts";
import type { DataFile } from "../../iceberg/data-file.ts";
import type { Expression } from "../../iceberg/expressions/expression.ts";
import type { Evolved } from "../../iceberg/schema-update.ts";
import { fastAppend } from "../../iceberg/producers/fast-append.ts";
import type { TableFile } from "../../iceberg/producers/metadata-file.ts";
import type { TableMetadata } from "../../iceberg/table-metadata.ts";
import type { TableUpdate } from "../../iceberg/updates.ts";
import type { ContentKey } from "../../versioning/model.ts";
import { newSnapshotId } from "../append.ts";
import { type ProducedRowChange, produceRowChange } from "../delete-rows.ts";
import { writeDataFiles } from "../write-data-files.ts";
import type { SessionContext } from "./session-context.ts";

const TARGET_FILE_SIZE = "write.target-file-size-bytes";
const ATTEMPTS = 5;

/** What writing data files takes: DuckDB and the object stores. */
export type FileWriter = Pick<SessionContext, "duck" | "objects">;

/**
 * Where a write loads the table and commits: the session's catalog (`sessionTarget`), or a
 * server's Iceberg REST API (`floe ingest` while a server holds the catalog). A commit's error is
 * a `FloeError`; only a clean refusal (`cleanlyRefused`) lets the files written for it go.
 */
export interface WriteTarget {
  load(key: ContentKey): Promise<WriteBase>;
  /** `staged`: the table the change was made from and the files written for it (a transaction's). */
  commit(change: TableChange, message: string, staged?: StagedChange): Promise<void>;
}

type StagedChange = { readonly base: WriteBase; readonly files: readonly string[] };

/** The session's catalog, on the session's branch (in a transaction: staged), as a write target. */
export const sessionTarget = (s: SessionContext): WriteTarget => ({
  load: (key) => tableForWrite(s, key),
  commit: async (change, message, staged) => {
    await commitStatement(s, change, message, staged);
  },
});

/** Writes the rows of `source` (columns: the schema's fields by name) as data files of the table. */
export async function writeRows(s: FileWriter, m: TableMetadata, source: string): Promise<DataFile[]> {
  const schema = m.schemas.find((x) => x.schemaId === m.currentSchemaId);
  const spec = m.partitionSpecs.find((x) => x.specId === m.defaultSpecId);
  const sortOrder = m.sortOrders.find((o) => o.orderId === m.defaultSortOrderId);
  if (!schema || !spec) throw new Error(`Table ${m.location} has no current schema or default spec`);
  const target = Number(m.properties[TARGET_FILE_SIZE] ?? 128 * 1024 * 1024);
  return writeDataFiles({
    duck: s.duck,
    schema,
    spec,
    source,
    location: m.location,
    targetFileSizeBytes: Number.isSafeInteger(target) && target > 0 ? target : 128 * 1024 * 1024,
    ...(sortOrder && sortOrder.fields.length > 0 ? { sortOrder } : {}),
    tableProperties: m.properties,
    store: s.objects.storeFor(m.location),
  });
}

/** Removes files no commit refers to. */
export async function discardFiles(s: FileWriter, files: readonly string[]): Promise<void> {
  await Promise.allSettled(files.map((f) => s.objects.storeFor(f).delete(f)));
}

// Errors of commits whose outcome is unknown (the commit may have landed): their files must stay.
const outcomeUnknown = new WeakSet<object>();

/** A table as a write starts from: its metadata and the metadata file it was read from. */
export interface WriteBase {
  readonly metadataLocation: string;
  readonly metadata: TableMetadata;
}

/** The table a write starts from: in a transaction, its pending state; else the branch head's. */
export async function tableForWrite(s: SessionContext, key: ContentKey): Promise<WriteBase> {
  const pending = s.tx?.table(key);
  if (pending) return pending;
  return loadTable(s.catalog, s.ref, key).catch((e: unknown) => {
    // the catalog's (Iceberg REST's) wording, with the reference a SQL session writes on
    if (isFloeError(e, "NOT_FOUND") && e.message.startsWith("Table does not exist"))
      throw new FloeError("NOT_FOUND", `Table ${key.join(".")} does not exist on ${s.ref}`);
    throw e;
  });
}

/**
 * `commitTables` for one statement; an error that is not a clean refusal is marked outcome-unknown.
 * In a transaction the change is staged instead (`staged`: the table it was made from and the files
 * written for it), to commit with the transaction's other changes at COMMIT.
 */
async function commitStatement(
  s: SessionContext,
  change: TableChange,
  message: string,
  staged?: StagedChange,
): Promise<CommittedTable[]> {
  if (s.tx) {
    if (!staged) throw badRequest("This statement cannot run inside a transaction");
    s.tx.stage(change, staged.base, staged.files);
    return [];
  }
  return markUnknown(() => commitTables(s.catalog, s.ref, [change], commitMeta(s, message)));
}

async function markUnknown<T>(commit: () => Promise<T>): Promise<T> {
  try {
    return await commit();
  } catch (e) {
    if (!cleanlyRefused(e) && typeof e === "object" && e !== null) outcomeUnknown.add(e);
    throw e;
  }
}

/**
 * Removes the files of a statement that failed with `error` — unless its commit's outcome is
 * unknown: then the files stay (at worst orphans for orphan removal), never deleted under a
 * commit that may have landed.
 */
async function discardAfter(s: FileWriter, error: unknown, files: readonly string[]): Promise<void> {
  if (typeof error === "object" && error !== null && outcomeUnknown.has(error)) return;
  await discardFiles(s, files);
}

export const commitMeta = (s: SessionContext, message: string) => ({
  message,
  ...(s.author === undefined ? {} : { authors: [s.author] }),
  properties: { application: s.application ?? "floe sql" },
});

/** What an append or a create-with-rows committed (no snapshot when the source had no rows). */
export interface WriteOutcome {
  readonly rows: bigint;
  readonly files: readonly DataFile[];
  readonly snapshotId?: bigint;
}

export interface AppendOptions {
  /**
   * A schema change to commit with the rows (e.g. columns an ingest adds), made from the table's
   * metadata at each attempt; the rows are written with the evolved schema. Undefined: none.
   */
  readonly evolve?: (m: TableMetadata) => Evolved | undefined;
}

/**
 * Appends the rows of `source` to an existing table on the session's branch: data files through
 * DuckDB, a fast append, and one commit through the catalog's commit path. When another writer
 * appended meanwhile (a COMMIT_CONFLICT), the snapshot is made again on the new head with the same
 * data files. Nothing written stays behind if the statement fails.
 */
export function appendToTable(
  s: SessionContext,
  key: ContentKey,
  source: string,
  opts: AppendOptions = {},
): Promise<WriteOutcome> {
  return appendRows(s, sessionTarget(s), key, source, opts);
}

/** `appendToTable` loading the table and committing through `target`. */
export async function appendRows(
  s: FileWriter,
  target: WriteTarget,
  key: ContentKey,
  source: string,
  opts: AppendOptions = {},
): Promise<WriteOutcome> {
  let files: DataFile[] | undefined;
  let writtenSchema: string | undefined;
  try {
    for (let attempt = 1; ; attempt++) {
      const base = await target.load(key);
      const loaded = base.metadata;
      const evolved = opts.evolve?.(loaded);
      const schemaUpdates: TableUpdate[] = evolved
        ? [
            { action: "add-schema", schema: evolved.schema, lastColumnId: evolved.lastColumnId },
            { action: "set-current-schema", schemaId: -1 },
          ]
        : [];
      const metadata = evolved ? applyUpdates(loaded, schemaUpdates) : loaded;
      const schemaJson = JSON.stringify(
        metadata.schemas.find((x) => x.schemaId === metadata.currentSchemaId),
      );
      // Files already written hold the field ids of the schema they were written with.
      if (writtenSchema !== undefined && writtenSchema !== schemaJson)
        throw commitFailed(`The schema of ${key.join(".")} changed while the rows were written`);
      files ??= await writeRows(s, metadata, source);
      writtenSchema = schemaJson;
      if (files.length === 0) return { rows: 0n, files };
      const snapshotId = newSnapshotId(metadata.snapshots.map((x) => x.snapshotId));
      const produced = await fastAppend({
        metadata,
        store: s.objects.storeFor(metadata.location),
        snapshotId,
        files,
      });
      const change: TableChange = {
        key,
        requirements: [
          ...(evolved
            ? [{ type: "assert-current-schema-id" as const, currentSchemaId: loaded.currentSchemaId }]
            : []),
          ...produced.requirements,
        ],
        updates: [...schemaUpdates, ...produced.updates],
      };
      try {
        const written = [...produced.writtenFiles, ...files.map((f) => f.filePath)];
        await markUnknown(() => target.commit(change, commitMessage([change]), { base, files: written }));
        return { rows: files.reduce((n, f) => n + f.recordCount, 0n), files, snapshotId };
      } catch (e) {
        await discardAfter(s, e, produced.writtenFiles);
        if (!isFloeError(e, "COMMIT_CONFLICT") || attempt >= ATTEMPTS) throw e;
      }
    }
  } catch (e) {
    if (files)
      await discardAfter(
        s,
        e,
        files.map((f) => f.filePath),
      );
    throw e;
  }
}

/** The updates that create a table with this metadata in a commit (the REST create transaction's). */
function creationUpdates(m: TableMetadata): TableUpdate[] {
  const schema = m.schemas.find((x) => x.schemaId === m.currentSchemaId);
  const spec = m.partitionSpecs.find((x) => x.specId === m.defaultSpecId);
  const order = m.sortOrders.find((x) => x.orderId === m.defaultSortOrderId);
  if (!schema || !spec || !order) throw new Error("new table metadata without schema, spec or sort order");
  return [
    ...(m.tableUuid === undefined ? [] : [{ action: "assign-uuid" as const, uuid: m.tableUuid }]),
    { action: "upgrade-format-version", formatVersion: m.formatVersion },
    { action: "add-schema", schema, lastColumnId: m.lastColumnId },
    { action: "set-current-schema", schemaId: -1 },
    { action: "add-spec", spec },
    { action: "set-default-spec", specId: -1 },
    { action: "add-sort-order", sortOrder: order },
    { action: "set-default-sort-order", sortOrderId: -1 },
    { action: "set-location", location: m.location },
    { action: "set-properties", updates: m.properties },
  ];
}

/**
 * Creates a table holding the rows of `source` in ONE commit (CREATE TABLE … AS SELECT): the data
 * files are written under the new table's location first, then the table's creation and its first
 * snapshot commit together, so a failure leaves neither table nor files.
 */
export function createTableWithRows(
  s: SessionContext,
  key: ContentKey,
  metadata: TableMetadata,
  source: string,
  message?: string,
): Promise<WriteOutcome> {
  return createWithRows(s, sessionTarget(s), key, metadata, source, message);
}

/** `createTableWithRows` committing through `target`. */
export async function createWithRows(
  s: FileWriter,
  target: WriteTarget,
  key: ContentKey,
  metadata: TableMetadata,
  source: string,
  message?: string,
): Promise<WriteOutcome> {
  const files = await writeRows(s, metadata, source);
  let written: readonly string[] = [];
  try {
    const updates = creationUpdates(metadata);
    const snapshotId = files.length > 0 ? newSnapshotId([]) : undefined;
    if (snapshotId !== undefined) {
      const produced = await fastAppend({
        metadata,
        store: s.objects.storeFor(metadata.location),
        snapshotId,
        files,
      });
      written = produced.writtenFiles;
      updates.push(...produced.updates);
    }
    const change: TableChange = { key, requirements: [{ type: "assert-create" }], updates };
    await markUnknown(() => target.commit(change, message ?? `Create table ${key.join(".")} as select`));
    const rows = files.reduce((n, f) => n + f.recordCount, 0n);
    return { rows, files, ...(snapshotId === undefined ? {} : { snapshotId }) };
  } catch (e) {
    await discardAfter(s, e, [...written, ...files.map((f) => f.filePath)]);
    throw e;
  }
}

/**
 * Deletes the rows of a table on the session's branch that `filter` matches, by the table's
 * `write.delete.mode`, in ONE commit through the commit path (`changeRows`). Returns the rows deleted.
 */
export async function deleteFromTable(
  s: SessionContext,
  key: ContentKey,
  /** The rows to delete, or (with `matchSql`) the files to read, for the table as it is. */
  filter: (table: TableFile) => Expression,
  /** A SQL condition over the table's columns picking the rows, when `filter` only prunes. */
  matchSql?: string,
): Promise<bigint> {
  const made = await changeRows(s, key, (table) =>
    produceRowChange(
      {
        duck: s.duck,
        store: s.objects.storeFor(table.metadata.location),
        table,
        filter: filter(table),
        ...(matchSql === undefined ? {} : { matchSql }),
      },
      undefined,
    ),
  );
  return made.deletedRows;
}

/**
 * A row-level change (DELETE, UPDATE, MERGE) as ONE commit on the session's branch through the
 * commit path: `produce` makes the change from the table (`produceRowChange`); when another writer
 * committed meanwhile (a COMMIT_CONFLICT), the change is made again once from the new head. Files
 * written for an attempt that did not commit are removed. In a transaction, the change is staged.
 */
export async function changeRows<R extends ProducedRowChange>(
  s: SessionContext,
  key: ContentKey,
  produce: (table: TableFile) => Promise<R>,
): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    const base = await tableForWrite(s, key);
    const made = await produce({ location: base.metadataLocation, metadata: base.metadata });
    if (!made.produced) return made;
    const { produced } = made;
    const change: TableChange = { key, requirements: produced.requirements, updates: produced.updates };
    const files = [...produced.writtenFiles, ...made.writtenFiles];
    try {
      await commitStatement(s, change, commitMessage([change]), { base, files });
      return made;
    } catch (e) {
      await discardAfter(s, e, files);
      if (!isFloeError(e, "COMMIT_CONFLICT") || attempt >= 2) throw e;
    }
  }
}

/**
 * Commits a change a table operation produced (a procedure) as one statement on the session's
 * branch; when it does not commit, the files in `written` are removed (unless its outcome is
 * unknown). Returns the table as committed.
 */
export async function commitProduced(
  s: SessionContext,
  change: TableChange,
  written: readonly string[],
  message: string,
): Promise<CommittedTable> {
  try {
    const [done] = await commitStatement(s, change, message);
    return done as CommittedTable;
  } catch (e) {
    await discardAfter(s, e, written);
    throw e;
  }
}
