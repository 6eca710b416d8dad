import type { DuckDBConnection } from "@duckdb/node-api";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type DataFile, DataFileContent, type PartitionValues } from "../iceberg/data-file.ts";
import { partitionPath } from "../iceberg/partition-path.ts";
import type { PartitionSpec } from "../iceberg/partition-spec.ts";
import type { SpecFiles } from "../iceberg/producers/snapshot-producer.ts";
import { partitionKey } from "../iceberg/scan/delete-index.ts";
import type { Schema } from "../iceberg/schema.ts";
import { toSingleValue } from "../iceberg/single-value.ts";
import { parseLocation } from "../storage/location.ts";
import type { ObjectStore } from "../storage/object-store.ts";
import { sqlString } from "./duck-types.ts";
import { DELETE_FILE_PATH_ID, DELETE_POS_ID } from "./table-rows.ts";

/** The data files whose rows are deleted, with the spec and partition each was written in. */
export interface DeletedFrom {
  readonly filePath: string;
  readonly spec: PartitionSpec;
  readonly partition: PartitionValues;
}

export interface WritePositionDeletesOptions {
  readonly duck: DuckDBConnection;
  readonly store: ObjectStore;
  readonly schema: Schema;
  /** The table location; files go under `<location>/data/<partition path>/`. */
  readonly location: string;
  /** A query with columns `file_path` (a data file's location) and `pos` (a row position). */
  readonly positions: string;
  readonly files: readonly DeletedFrom[];
}

/**
 * Writes position delete files (spec "Position Delete Files"): Parquet with `file_path` (field id
 * 2147483546) and `pos` (2147483545), rows sorted by both, one file per partition of the data files
 * they reference (a delete file applies only within its partition), `<uuid>-deletes.parquet`.
 * Each `DataFile` has content 1, its record count and size, value and null counts and full bounds
 * of both columns (as Java keeps `file_path` untruncated, so scans can skip it), and
 * `referenced_data_file` when it covers a single data file. Returns them grouped by spec.
 */
export async function writePositionDeletes(opts: WritePositionDeletesOptions): Promise<SpecFiles[]> {
  const groups = new Map<string, DeletedFrom[]>();
  for (const f of opts.files) {
    const key = partitionKey(f.spec.specId, f.partition);
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const bySpec = new Map<number, DataFile[]>();
  for (const files of groups.values()) {
    const first = files[0] as DeletedFrom;
    const name = `${randomUUID()}-deletes.parquet`;
    const dir = dirOf(first, opts.schema);
    const target = `${opts.location.replace(/\/+$/, "")}/data${dir === "" ? "" : `/${dir}`}/${name}`;
    const file = await writeOne(opts, files, first, target);
    if (file) bySpec.set(first.spec.specId, [...(bySpec.get(first.spec.specId) ?? []), file]);
  }
  return [...bySpec].map(([specId, files]) => ({ specId, files }));
}

async function writeOne(
  opts: WritePositionDeletesOptions,
  files: readonly DeletedFrom[],
  first: DeletedFrom,
  target: string,
): Promise<DataFile | undefined> {
  const loc = parseLocation(target);
  const staging = loc.kind === "file" ? undefined : await mkdtemp(join(tmpdir(), "floe-deletes-"));
  const local = loc.kind === "file" ? loc.path : join(staging as string, "deletes.parquet");
  try {
    const select =
      `SELECT CAST(file_path AS VARCHAR) AS file_path, CAST(pos AS BIGINT) AS pos FROM (${opts.positions}) ` +
      `WHERE file_path IN (${files.map((f) => sqlString(f.filePath)).join(", ")})`;
    const stats = (
      await opts.duck.runAndReadAll(
        `SELECT count(*), min(file_path), max(file_path), min(pos), max(pos) FROM (${select})`,
      )
    ).getRows()[0] as [bigint, string | null, string | null, bigint | null, bigint | null];
    const count = BigInt(stats[0]);
    if (count === 0n) return undefined;
    await mkdir(dirname(local), { recursive: true });
    await opts.duck.run(
      `COPY (${select} ORDER BY file_path, pos) TO ${sqlString(local)} ` +
        `(FORMAT parquet, FIELD_IDS {file_path: ${DELETE_FILE_PATH_ID}, pos: ${DELETE_POS_ID}})`,
    );
    const size = BigInt((await stat(local)).size);
    if (loc.kind !== "file") await opts.store.putFile(target, local);
    const [lowPath, highPath, lowPos, highPos] = stats.slice(1) as [string, string, bigint, bigint];
    const str = { type: "string" } as const;
    const long = { type: "long" } as const;
    return {
      content: DataFileContent.POSITION_DELETES,
      filePath: target,
      fileFormat: "PARQUET",
      partition: first.partition,
      recordCount: count,
      fileSizeInBytes: size,
      valueCounts: new Map([
        [DELETE_FILE_PATH_ID, count],
        [DELETE_POS_ID, count],
      ]),
      nullValueCounts: new Map([
        [DELETE_FILE_PATH_ID, 0n],
        [DELETE_POS_ID, 0n],
      ]),
      lowerBounds: new Map([
        [DELETE_FILE_PATH_ID, toSingleValue(str, lowPath)],
        [DELETE_POS_ID, toSingleValue(long, BigInt(lowPos))],
      ]),
      upperBounds: new Map([
        [DELETE_FILE_PATH_ID, toSingleValue(str, highPath)],
        [DELETE_POS_ID, toSingleValue(long, BigInt(highPos))],
      ]),
      ...(lowPath === highPath ? { referencedDataFile: lowPath } : {}),
    };
  } finally {
    if (staging) await rm(staging, { recursive: true, force: true });
  }
}

/** The partition directory of a data file's deletes; flat when its spec no longer fits the schema. */
function dirOf(f: DeletedFrom, schema: Schema): string {
  try {
    return partitionPath(f.spec, schema, f.partition);
  } catch {
    return "";
  }
}
