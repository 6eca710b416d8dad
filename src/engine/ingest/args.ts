import { badRequest } from "../../core/errors.ts";
import { parsePartitionList } from "../sql/parse.ts";
import type { PartitionDef } from "../sql/statements.ts";
import { checkFormat, type InputFormat } from "./inputs.ts";

/** What `floe ingest` is asked, checked before anything is opened. */
export interface IngestArgs {
  readonly key: string[];
  readonly format?: InputFormat;
  readonly partitioning?: PartitionDef[];
}

/** Checks the table name (`namespace.table`), the forced format and `--partition-by`. */
export function checkIngestArgs(table: string, format?: string, partitionBy?: string): IngestArgs {
  const key = table.split(".");
  if (key.length < 2 || key.some((p) => p === ""))
    throw badRequest(`Name the table with its namespace: <namespace>.<table>, not '${table}'`);
  return {
    key,
    ...(format === undefined ? {} : { format: checkFormat(format) }),
    ...(partitionBy === undefined ? {} : { partitioning: partitionDefs(partitionBy) }),
  };
}

function partitionDefs(text: string): PartitionDef[] {
  try {
    return parsePartitionList(text);
  } catch (e) {
    throw badRequest(`Invalid --partition-by '${text}': ${(e as Error).message}`);
  }
}
