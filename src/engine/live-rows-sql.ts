import type { DuckDBConnection } from "@duckdb/node-api";
import { badRequest } from "../core/errors.ts";
import { type DataFile, DataFileContent } from "../iceberg/data-file.ts";
import type { FileScanTask } from "../iceberg/scan/plan-scan.ts";
import type { Schema } from "../iceberg/schema.ts";
import { isPrimitive, type NestedField } from "../iceberg/types.ts";
import { duckFiles } from "./duck-files.ts";
import { duckType, quoteIdent, sqlString } from "./duck-types.ts";
import { readSql } from "./read-sql.ts";

/** Reserved field ids of position delete files' columns (spec "Reserved Field IDs"). */
export const DELETE_FILE_PATH_ID = 2147483546;
export const DELETE_POS_ID = 2147483545;
/** The columns added with `files`: the data file's location and the row's position in it. */
export const FILE_COLUMN = "__floe_file";
export const POS_COLUMN = "__floe_pos";

/**
 * A query of the live rows of `tasks`' data files with every delete applied (spec "Scan
 * Planning"), built so that DuckDB streams it, its memory bounded by the deletes rather than the
 * rows: the data files are the probe side of hash anti joins whose build sides are the deletes.
 *
 * The files are grouped by the equality delete files that apply to them (usually one group); each
 * group is one `readSql` with `__floe_filename` and `file_row_number`, anti-joined on (file, position)
 * with the rows of the position delete files the planner assigned to the group's files, each
 * row's `file_path` mapped to the path DuckDB reads by a join with the group's files (so the SQL
 * grows with the files plus the delete files, not their product; a delete row applies to the file
 * it names, as written) — and, per set of equality field ids, with its equality delete rows on
 * those columns, null equal to null (`IS NOT DISTINCT FROM`). The groups are combined with UNION
 * ALL. Without `files`, files that have no deletes are read by a plain `readSql` (DuckDB keeps
 * their statistics); with `files`, every row also has `__floe_file` (the data file's location as
 * the manifest has it) and `__floe_pos` (its position, from 0), as the row-level writers need.
 * Deletion vectors (Puffin) and equality deletes on nested columns are refused.
 */
export async function liveRowsSql(
  duck: DuckDBConnection,
  schema: Schema,
  tasks: readonly FileScanTask[],
  opts: { readonly files: boolean },
): Promise<string> {
  const columns = schema.fields.map((f) => `r.${quoteIdent(f.name)}`).join(", ");
  if (tasks.length === 0) {
    if (!opts.files) return readSql(duck, schema, []);
    const rows = await readSql(duck, schema, [], { positions: true });
    return `SELECT ${columns}, CAST(NULL AS VARCHAR) AS ${FILE_COLUMN}, r.file_row_number AS ${POS_COLUMN} FROM (${rows}) r`;
  }
  const equalityFields = checkDeletes(schema, tasks);
  const files = duckFiles(duck);
  await files.resolve(tasks.flatMap((t) => t.deletes.map((d) => d.filePath)));
  const plain: string[] = [];
  const groups = new Map<string, FileScanTask[]>();
  for (const t of tasks) {
    if (!opts.files && t.deletes.length === 0) plain.push(t.file.filePath);
    else {
      const key = equalityDeletes(t)
        .map((d) => d.filePath)
        .join("\u0000");
      groups.set(key, [...(groups.get(key) ?? []), t]);
    }
  }
  const parts: string[] = [];
  if (plain.length > 0) parts.push(await readSql(duck, schema, plain));
  for (const group of groups.values()) {
    const rows = await readSql(
      duck,
      schema,
      group.map((t) => t.file.filePath),
      { positions: true },
    );
    const path = (uri: string) => sqlString(files.pathOf(uri));
    // the group's data files: their locations (as delete files name them) and the paths read
    const located = `(VALUES ${group.map((t) => `(${sqlString(t.file.filePath)}, ${path(t.file.filePath)})`).join(", ")})`;
    let sql = `SELECT ${columns}`;
    if (opts.files)
      sql +=
        `, f.uri AS ${FILE_COLUMN}, r.file_row_number AS ${POS_COLUMN} FROM (${rows}) r ` +
        `JOIN ${located} f(uri, path) ON f.path = r.__floe_filename`;
    else sql += ` FROM (${rows}) r`;
    const positional = new Set(
      group.flatMap((t) =>
        t.deletes.filter((d) => d.content === DataFileContent.POSITION_DELETES).map((d) => path(d.filePath)),
      ),
    );
    if (positional.size > 0)
      sql +=
        ` ANTI JOIN (SELECT g.path, p.pos FROM read_parquet([${[...positional].join(", ")}], schema = MAP {` +
        `${DELETE_FILE_PATH_ID}: {name: 'file_path', type: 'VARCHAR', default_value: NULL}, ` +
        `${DELETE_POS_ID}: {name: 'pos', type: 'BIGINT', default_value: NULL}}) p ` +
        `JOIN ${located} g(uri, path) ON g.uri = p.file_path) x ` +
        `ON x.path = r.__floe_filename AND x.pos = r.file_row_number`;
    // the group's equality deletes (the same for each of its files), by their field ids
    const byIds = new Map<string, DataFile[]>();
    for (const d of equalityDeletes(group[0] as FileScanTask)) {
      const key = (d.equalityIds ?? []).join(",");
      byIds.set(key, [...(byIds.get(key) ?? []), d]);
    }
    let n = 0;
    for (const deletes of byIds.values()) {
      const fields = (deletes[0]?.equalityIds ?? []).map((id) => equalityFields.get(id) as NestedField);
      const name = (f: NestedField) => quoteIdent(`__floe_e${f.id}`);
      const map = fields.map(
        (f) =>
          `${f.id}: {name: ${sqlString(`__floe_e${f.id}`)}, type: ${sqlString(duckType(f.type))}, default_value: NULL}`,
      );
      const e = `e${n++}`;
      const equal = fields.map((f) => `${e}.${name(f)} IS NOT DISTINCT FROM r.${quoteIdent(f.name)}`);
      sql +=
        ` ANTI JOIN (SELECT ${fields.map(name).join(", ")} FROM read_parquet([${deletes.map((d) => path(d.filePath)).join(", ")}], ` +
        `schema = MAP {${map.join(", ")}})) ${e} ON ${equal.join(" AND ")}`;
    }
    parts.push(sql);
  }
  return parts.join(" UNION ALL ");
}

const equalityDeletes = (t: FileScanTask): DataFile[] =>
  t.deletes.filter((d) => d.content === DataFileContent.EQUALITY_DELETES);

/** Refuses deletes this reader cannot apply; returns the fields equality deletes compare, by id. */
function checkDeletes(schema: Schema, tasks: readonly FileScanTask[]): Map<number, NestedField> {
  const fields = new Map<number, NestedField>();
  for (const t of tasks)
    for (const d of t.deletes) {
      if (d.fileFormat.toLowerCase() === "puffin")
        throw badRequest(`Cannot read ${d.filePath}: deletion vectors (Puffin) are not supported`);
      if (d.content !== DataFileContent.EQUALITY_DELETES) continue;
      const ids = d.equalityIds ?? [];
      if (ids.length === 0)
        throw badRequest(`Cannot read ${d.filePath}: an equality delete file without equality ids`);
      for (const id of ids) {
        const f = schema.fields.find((x) => x.id === id);
        if (!f || !isPrimitive(f.type))
          throw badRequest(
            `Cannot apply equality deletes on field ${id}: only top-level primitive columns of the current schema are supported`,
          );
        fields.set(id, f);
      }
    }
  return fields;
}
