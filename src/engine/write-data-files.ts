import type { DuckDBConnection } from "@duckdb/node-api";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rename, rm, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { badRequest } from "../core/errors.ts";
import { type DataFile, DataFileContent, type PartitionValues } from "../iceberg/data-file.ts";
import { partitionPath } from "../iceberg/partition-path.ts";
import type { PartitionSpec } from "../iceberg/partition-spec.ts";
import type { Schema } from "../iceberg/schema.ts";
import type { SortOrder } from "../iceberg/sort-order.ts";
import { resultType } from "../iceberg/transforms.ts";
import { isPrimitive, type NestedField, type PrimitiveType } from "../iceberg/types.ts";
import { formatLocation, parseLocation, TEMP_PREFIX } from "../storage/location.ts";
import type { ObjectStore } from "../storage/object-store.ts";
import { type ColumnStats, columnMetrics, type LeafColumn, leafColumns } from "./column-metrics.ts";
import { duckType, fieldIdsOption, quoteIdent, sqlString } from "./duck-types.ts";
import { metricsModes } from "./metrics-mode.ts";
import { fromCanonical, registerTransformFunctions, transformSql } from "./partition-sql.ts";

export interface WriteDataFilesOptions {
  readonly duck: DuckDBConnection;
  readonly schema: Schema;
  readonly spec: PartitionSpec;
  /** A query whose columns are the schema's top-level fields by name (extra columns are ignored). */
  readonly source: string;
  /** The table location (`file:///…`, `s3://…`); files go under `<location>/data/`. */
  readonly location: string;
  /** Files are closed once they pass this size; a file holds at least one row group. */
  readonly targetFileSizeBytes: number;
  /** Rows per Parquet row group (DuckDB's default, 122880, when absent). */
  readonly rowGroupSize?: number;
  /**
   * The order to write rows in: each file is sorted by it and records its id (`sort_order_id`), and
   * its order-preserving columns get bounds whatever the default metrics mode (as in Java).
   */
  readonly sortOrder?: SortOrder;
  /** The table's properties: `write.metadata.metrics.*` choose the metrics (`metrics-mode.ts`). */
  readonly tableProperties?: Readonly<Record<string, string>>;
  /** Where files bound for S3 are staged before upload; the local disk's temp dir by default. */
  readonly tempDir?: string;
  /** The store `location` lies in; used to upload files to S3 (local files are written in place). */
  readonly store: ObjectStore;
}

const partColumn = (i: number): string => quoteIdent(`__floe_p${i}`);

/**
 * Writes the rows of `source` as Parquet data files of an Iceberg table through DuckDB's `COPY … TO`:
 * columns cast to the schema's types and tagged with its field ids, one set of files per partition
 * under `<location>/data/<partition path>/<uuid>.parquet`, each file closed near the target size.
 * A partitioned write is one `COPY … PARTITION_BY` into a staging directory; each file is moved into
 * place, or written again when it must be sorted or split (DuckDB cannot combine `PARTITION_BY`
 * with `FILE_SIZE_BYTES`). Returns one `DataFile` per file with its partition tuple and metrics
 * (`column-metrics.ts`); where DuckDB reports a NaN in a column, a query over the written file
 * counts them. Writes nothing for an empty source.
 *
 * A null in a required column (one not inside an optional struct, list or map) is a BAD_REQUEST;
 * when the write fails, the files it wrote are deleted.
 */
export async function writeDataFiles(opts: WriteDataFilesOptions): Promise<DataFile[]> {
  const written: string[] = [];
  try {
    return await write(opts, written);
  } catch (e) {
    // Files of a failed write are referenced by nothing: remove them.
    await deleteWritten(opts.store, written);
    throw e;
  }
}

/** Deletes files a failed write or commit left referenced by nothing; errors are ignored. */
export async function deleteWritten(store: ObjectStore, locations: readonly string[]): Promise<void> {
  await Promise.allSettled(
    locations.map((f) => {
      const loc = parseLocation(f);
      return loc.kind === "file" ? unlink(loc.path) : store.delete(f);
    }),
  );
}

async function write(opts: WriteDataFilesOptions, written: string[]): Promise<DataFile[]> {
  const { duck, schema, spec } = opts;
  if (!Number.isSafeInteger(opts.targetFileSizeBytes) || opts.targetFileSizeBytes < 1)
    throw badRequest(`Invalid target file size: ${opts.targetFileSizeBytes}`);
  const leaves = leafColumns(schema);
  const projection = schema.fields.map((f) => `${castColumn(f)} AS ${quoteIdent(f.name)}`).join(", ");
  const rows = `SELECT ${projection} FROM (${opts.source}) AS src`;
  const sortFields = opts.sortOrder?.fields ?? [];
  if (spec.fields.length > 0 || sortFields.length > 0) await registerTransformFunctions(duck);
  const sorted = (select: string): string => {
    if (sortFields.length === 0) return select;
    const keys = sortFields.map((f) => {
      const leaf = leaves.find((l) => l.id === f.sourceId);
      if (!leaf?.sqlPath)
        throw badRequest(`Sort field source ${f.sourceId} is not a primitive outside lists and maps`);
      const nulls = f.nullOrder === "nulls-first" ? "NULLS FIRST" : "NULLS LAST";
      return `${transformSql(f.transform, leaf.type, `sorted.${leaf.sqlPath}`)} ${f.direction.toUpperCase()} ${nulls}`;
    });
    return `SELECT * FROM (${select}) AS sorted ORDER BY ${keys.join(", ")}`;
  };
  if (spec.fields.length === 0) return writeFiles(opts, leaves, sorted(rows), [], "", written);

  const resultTypes: PrimitiveType[] = [];
  const partExprs: string[] = [];
  const keyExprs = spec.fields.map((f, i) => {
    const leaf = leaves.find((l) => l.id === f.sourceId);
    if (!leaf?.sqlPath)
      throw badRequest(`Partition source field ${f.sourceId} is not a primitive outside lists and maps`);
    const result = resultType(f.transform, leaf.type);
    const type = isPrimitive(result) ? result : leaf.type;
    resultTypes.push(type);
    const expr = transformSql(f.transform, leaf.type, `staged.${leaf.sqlPath}`);
    partExprs.push(expr);
    // Directory names of DuckDB's partitioned write: hex keeps bytes and odd strings unambiguous.
    return `${BYTE_KEYED.has(type.type) ? `hex(${expr})` : expr} AS ${partColumn(i)}`;
  });
  const target = parseLocation(`${opts.location.replace(/\/+$/, "")}/data`);
  // Local files are staged beside their final place, so that moving one there is a rename.
  const staging =
    target.kind === "file"
      ? join(target.path, `${TEMP_PREFIX}${randomUUID()}`)
      : await mkdtemp(join(opts.tempDir ?? tmpdir(), "floe-write-"));
  const options = [
    "FORMAT parquet",
    `FIELD_IDS ${fieldIdsOption(schema)}`,
    `PARTITION_BY (${spec.fields.map((_, i) => partColumn(i)).join(", ")})`,
    `FILENAME_PATTERN '{uuid}'`,
    "RETURN_STATS",
  ];
  if (opts.rowGroupSize !== undefined) options.push(`ROW_GROUP_SIZE ${opts.rowGroupSize}`);
  try {
    await mkdir(staging, { recursive: true });
    const reader = await sourceQuery(() =>
      duck.runAndReadAll(
        `COPY (SELECT staged.*, ${keyExprs.join(", ")} FROM (${rows}) AS staged)
         TO ${sqlString(staging)} (${options.join(", ")})`,
      ),
    );
    const modes = metricsModes(schema, opts.tableProperties, opts.sortOrder);
    const out: DataFile[] = [];
    for (const r of reader.getRowObjectsJson() as unknown as CopyResult[]) {
      if (r.count === "0") continue;
      const file = sqlString(r.filename);
      const first = await duck.runAndReadAll(
        `SELECT ${partExprs.join(", ")} FROM read_parquet(${file}) AS staged LIMIT 1`,
      );
      const row = first.getRows()[0] ?? [];
      const partition = resultTypes.map((t, i) => fromCanonical(t, row[i] ?? null));
      const path = partitionPath(spec, schema, partition);
      const splitOffsets = await rowGroupOffsets(duck, r.filename);
      if (
        sortFields.length > 0 ||
        (BigInt(r.file_size_bytes) > opts.targetFileSizeBytes && splitOffsets.length > 1)
      ) {
        // Sorted, or split near the target size (DuckDB's partitioned write cannot): written again.
        const again = `SELECT ${projection} FROM read_parquet(${file}) AS src`;
        out.push(...(await writeFiles(opts, leaves, sorted(again), partition, path, written)));
        continue;
      }
      const dest = `${formatLocation(target)}/${path}/${basename(r.filename)}`;
      out.push(await describeFile(opts, leaves, modes, r, { partition, filePath: dest, splitOffsets }));
      const loc = parseLocation(dest);
      written.push(dest);
      if (loc.kind === "file") {
        await mkdir(dirname(loc.path), { recursive: true });
        await rename(r.filename, loc.path);
      } else {
        await opts.store.putFile(dest, r.filename);
      }
    }
    return out;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Partition results whose values DuckDB's partitioned write cannot name directories by as they are. */
const BYTE_KEYED = new Set(["string", "binary", "fixed", "uuid"]);

/** A source column cast to its DuckDB type; a top-level `fixed[L]` value of another length fails the query. */
function castColumn(f: NestedField): string {
  const cast = `CAST(src.${quoteIdent(f.name)} AS ${duckType(f.type)})`;
  if (f.type.type !== "fixed") return cast;
  const message = sqlString(
    `A value of ${f.name} is not ${f.type.length} bytes long (fixed[${f.type.length}])`,
  );
  return `CASE WHEN octet_length(${cast}) <> ${f.type.length} THEN error(${message}) ELSE ${cast} END`;
}

interface CopyResult {
  readonly filename: string;
  readonly count: string;
  readonly file_size_bytes: string;
  readonly column_statistics: readonly { key: string; value: readonly { key: string; value: string }[] }[];
}

/** Writes the rows of one partition and describes the files. */
async function writeFiles(
  opts: WriteDataFilesOptions,
  leaves: readonly LeafColumn[],
  select: string,
  partition: PartitionValues,
  path: string,
  written: string[],
): Promise<DataFile[]> {
  const target = parseLocation(`${opts.location.replace(/\/+$/, "")}/data${path === "" ? "" : `/${path}`}`);
  // Staged first (beside the final place for local files, so that moving one there is a rename):
  // a COPY that fails half-way leaves its partial files only in the staging directory.
  const staging =
    target.kind === "file"
      ? join(target.path, `${TEMP_PREFIX}${randomUUID()}`)
      : await mkdtemp(join(opts.tempDir ?? tmpdir(), "floe-write-"));
  const modes = metricsModes(opts.schema, opts.tableProperties, opts.sortOrder);
  try {
    await mkdir(staging, { recursive: true });
    const options = [
      "FORMAT parquet",
      `FIELD_IDS ${fieldIdsOption(opts.schema)}`,
      `FILE_SIZE_BYTES ${opts.targetFileSizeBytes}`,
      `FILENAME_PATTERN '{uuid}'`,
      "RETURN_STATS",
    ];
    if (opts.rowGroupSize !== undefined) options.push(`ROW_GROUP_SIZE ${opts.rowGroupSize}`);
    const reader = await sourceQuery(() =>
      opts.duck.runAndReadAll(`COPY (${select}) TO ${sqlString(staging)} (${options.join(", ")})`),
    );
    const results = reader.getRowObjectsJson() as unknown as CopyResult[];
    const files: DataFile[] = [];
    for (const r of results) {
      // An empty source still makes a file without rows; it goes with the staging directory.
      if (r.count === "0") continue;
      const filePath = `${formatLocation(target)}/${basename(r.filename)}`;
      const splitOffsets = await rowGroupOffsets(opts.duck, r.filename);
      files.push(await describeFile(opts, leaves, modes, r, { partition, filePath, splitOffsets }));
      written.push(filePath);
      if (target.kind === "file") {
        await mkdir(target.path, { recursive: true });
        await rename(r.filename, join(target.path, basename(r.filename)));
      } else {
        await opts.store.putFile(filePath, r.filename);
      }
    }
    return files;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * The `DataFile` of a file a COPY wrote (`r`, still at `r.filename`): its metrics from the COPY's
 * statistics, NaN counts counted in it, and refused if it holds a null in a required column.
 */
async function describeFile(
  opts: WriteDataFilesOptions,
  leaves: readonly LeafColumn[],
  modes: ReturnType<typeof metricsModes>,
  r: CopyResult,
  where: { partition: PartitionValues; filePath: string; splitOffsets: bigint[] },
): Promise<DataFile> {
  const stats = new Map<string, ColumnStats>(
    r.column_statistics.map((c) => [c.key, new Map(c.value.map((e) => [e.key, e.value]))]),
  );
  for (const leaf of leaves)
    if (leaf.required && (stats.get(leaf.statsKey)?.get("null_count") ?? "0") !== "0")
      throw badRequest(`Cannot write a null in required column ${leaf.statsKey} (field ${leaf.id})`);
  await checkRequiredNested(opts.duck, r.filename, opts.schema);
  const nanCounts = await countNans(opts.duck, r.filename, leaves, stats);
  return {
    content: DataFileContent.DATA,
    filePath: where.filePath,
    fileFormat: "PARQUET",
    partition: where.partition,
    recordCount: BigInt(r.count),
    fileSizeInBytes: BigInt(r.file_size_bytes),
    ...columnMetrics(leaves, stats, nanCounts, modes),
    splitOffsets: where.splitOffsets,
    ...(opts.sortOrder && opts.sortOrder.fields.length > 0 ? { sortOrderId: opts.sortOrder.orderId } : {}),
  };
}

/** NaN counts of the float and double columns whose statistics report a NaN, counted in the file. */
async function countNans(
  duck: DuckDBConnection,
  file: string,
  leaves: readonly LeafColumn[],
  stats: ReadonlyMap<string, ColumnStats>,
): Promise<Map<number, bigint>> {
  const withNan = leaves.filter(
    (l) =>
      (l.type.type === "float" || l.type.type === "double") &&
      stats.get(l.statsKey)?.get("has_nan") === "true",
  );
  const counts = new Map<number, bigint>();
  if (withNan.length === 0) return counts;
  const select = withNan.map((l) => `sum(${l.sumOver((v) => `CASE WHEN isnan(${v}) THEN 1 ELSE 0 END`)})`);
  const reader = await duck.runAndReadAll(
    `SELECT ${select.join(", ")} FROM read_parquet(${sqlString(file)}) AS f`,
  );
  const row = reader.getRows()[0] ?? [];
  withNan.forEach((l, i) => counts.set(l.id, BigInt((row[i] as bigint | number | null) ?? 0)));
  return counts;
}

/**
 * Fails when a required struct, list or map (outside optional structs, lists and maps) is null in
 * the file: the statistics only describe primitive columns.
 */
async function checkRequiredNested(duck: DuckDBConnection, file: string, schema: Schema): Promise<void> {
  const paths: string[] = [];
  const visit = (fields: readonly NestedField[], prefix: string): void => {
    for (const f of fields) {
      if (!f.required || isPrimitive(f.type)) continue;
      const path = `${prefix}.${quoteIdent(f.name)}`;
      paths.push(path);
      if (f.type.type === "struct") visit(f.type.fields, path);
    }
  };
  visit(schema.fields, "f");
  if (paths.length === 0) return;
  const counts = paths.map((p) => `count(*) FILTER (WHERE ${p} IS NULL)`).join(", ");
  const row = (
    await duck.runAndReadAll(`SELECT ${counts} FROM read_parquet(${sqlString(file)}) AS f`)
  ).getRows()[0];
  const bad = paths.find((_, i) => Number(row?.[i] ?? 0) > 0);
  if (bad) throw badRequest(`Cannot write a null in required column ${bad.slice(2)}`);
}

/** Where each row group starts (its first page), which Iceberg records as the file's split offsets. */
async function rowGroupOffsets(duck: DuckDBConnection, file: string): Promise<bigint[]> {
  const reader = await duck.runAndReadAll(
    `SELECT min(coalesce(dictionary_page_offset, data_page_offset)) FROM parquet_metadata(${sqlString(file)})
     GROUP BY row_group_id ORDER BY row_group_id`,
  );
  return reader.getRows().map((r) => BigInt(r[0] as bigint));
}

/** DuckDB's errors about the query itself (a missing column, a value that does not cast) are the caller's. */
async function sourceQuery<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/^(Binder|Parser|Conversion|Invalid Input|Out of Range|Constraint) Error/.test(message))
      throw badRequest(`Cannot write the rows of the source query: ${message}`);
    throw e;
  }
}
