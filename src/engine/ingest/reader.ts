import type { DuckDBConnection } from "@duckdb/node-api";
import { badRequest } from "../../core/errors.ts";
import { primitive, type IcebergType } from "../../iceberg/types.ts";
import { quoteIdent, sqlString } from "../duck-types.ts";
import { Cursor } from "../sql/cursor.ts";
import { parseType } from "../sql/parse-type.ts";
import type { InputFormat, Inputs } from "./inputs.ts";

/** A column of the input as DuckDB's reader infers it, and the Iceberg type it maps to. */
export interface InputColumn {
  readonly name: string;
  readonly duckType: string;
  readonly type: IcebergType;
}

/**
 * The DuckDB table function that reads the inputs: `read_csv` (dialect, header and types sniffed),
 * `read_parquet` or `read_json` (`format = 'auto'`: NDJSON or arrays), several files matched by
 * column name. `types` gives columns the DuckDB types to parse them as (CSV and JSON), so that
 * text is read as the table's type rather than guessed.
 */
export function readerSql(
  inputs: Inputs,
  types?: { readonly names: readonly string[]; readonly get: (name: string) => string | undefined },
): string {
  const files = `[${inputs.files.map((f) => sqlString(f.path)).join(", ")}]`;
  const union = inputs.files.length > 1 ? ", union_by_name = true" : "";
  switch (inputs.format) {
    case "parquet":
      return `read_parquet(${files}${union})`;
    case "csv": {
      const given = (types?.names ?? []).flatMap((n) => {
        const t = types?.get(n);
        return t === undefined ? [] : [`${sqlString(n)}: ${sqlString(t)}`];
      });
      return `read_csv(${files}${union}${given.length > 0 ? `, types = {${given.join(", ")}}` : ""})`;
    }
    case "json": {
      // read_json's `columns` replaces detection: it lists every column, with its type.
      const columns = (types?.names ?? []).map((n) => `${sqlString(n)}: ${sqlString(types?.get(n) ?? "")}`);
      return columns.length > 0
        ? `read_json(${files}, format = 'auto', columns = {${columns.join(", ")}})`
        : `read_json(${files}, format = 'auto'${union})`;
    }
  }
}

/** The columns of the input: DuckDB's reader's inference, typed for Iceberg. */
export async function describeInput(duck: DuckDBConnection, reader: string): Promise<InputColumn[]> {
  const described = await duck.runAndReadAll(`DESCRIBE SELECT * FROM ${reader}`);
  const seen = new Set<string>();
  return described.getRows().map((r) => {
    const name = String(r[0]);
    const duckType = String(r[1]);
    if (seen.has(name.toLowerCase())) throw badRequest(`The input has two columns named ${name}`);
    seen.add(name.toLowerCase());
    return { name, duckType, type: icebergTypeOf(name, duckType) };
  });
}

/** A DuckDB type as Iceberg's; `JSON` values are kept as strings. */
function icebergTypeOf(column: string, duckType: string): IcebergType {
  if (duckType === "JSON") return primitive("string");
  try {
    const c = new Cursor(duckType);
    const t = parseType(c);
    c.expectEnd();
    return t;
  } catch {
    throw badRequest(`Column ${column} of the input has type ${duckType}, which no Iceberg type holds`);
  }
}

/** A column of the input read as it is (`JSON` cast to text). */
export const inputColumnSql = (c: InputColumn): string =>
  c.duckType === "JSON" ? `CAST(${quoteIdent(c.name)} AS VARCHAR)` : quoteIdent(c.name);

/** Whether `format` is typed (Parquet) rather than text whose types are guessed (CSV, JSON). */
export const typedFormat = (format: InputFormat): boolean => format === "parquet";
