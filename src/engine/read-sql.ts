import type { DuckDBConnection } from "@duckdb/node-api";
import type { Schema } from "../iceberg/schema.ts";
import type { IcebergType, NestedField } from "../iceberg/types.ts";
import { dataFileError } from "./data-file-errors.ts";
import { duckFiles } from "./duck-files.ts";
import { duckType, quoteIdent, sqlString } from "./duck-types.ts";
import { columnDefinition, defaultText } from "./scan-sql.ts";

/** One node of a Parquet file's schema: a column or group, with its field id when it has one. */
interface FileNode {
  readonly name: string;
  readonly fieldId: number | undefined;
  /** The Parquet type: physical, logical, converted, scale, precision (what DuckDB reads it as follows). */
  readonly type: string;
  readonly children: FileNode[];
}

/**
 * A query that reads Iceberg data files as rows of `schema` with every field, nested ones included,
 * found by field id. `scanSql` leaves fields inside structs, lists and maps to DuckDB, which
 * matches them by name; this reads each file's Parquet schema first and, for files whose nested
 * fields carry other names (or lack fields added since), declares the file's own names to DuckDB and
 * rebuilds the values under the current ones (`struct_pack`, `list_transform`, `map_from_entries`).
 * Files with the same layout share one `read_parquet`; the groups are combined with UNION ALL.
 * Top-level renames, promotions and defaults work as in `scanSql`; a nested field a file lacks
 * reads as its `initial-default`, or NULL. A file whose footer cannot be read (truncated, corrupt,
 * missing) is a FloeError naming it (`data-file-errors.ts`); run the query with `runOnDataFiles`
 * so that errors met while reading pages are too.
 * Files are read where `duckFiles(duck)` says (local paths, S3 through httpfs, or cached copies).
 * With `positions`, each row also has `__floe_filename` (the path read; DuckDB's `filename`
 * under a name no table column has) and `file_row_number` (its position in the file, from 0), as
 * position deletes need.
 *
 * Files that hold every current field under its current name and field id, which DuckDB reads as
 * the current type (asked once per file layout with DESCRIBE), are read by name without the
 * `schema` MAP: the rows are the same, and DuckDB keeps the files' statistics for its plan (with
 * the MAP, joins and aggregations over the columns run 2-3 times slower).
 */
export async function readSql(
  duck: DuckDBConnection,
  schema: Schema,
  files: readonly string[],
  opts: { readonly positions?: boolean } = {},
): Promise<string> {
  const paths = await duckFiles(duck).resolve(files);
  if (paths.length === 0) {
    const empty = schema.fields.map((f) => `CAST(NULL AS ${duckType(f.type)}) AS ${quoteIdent(f.name)}`);
    const extra = opts.positions
      ? ", CAST(NULL AS VARCHAR) AS __floe_filename, CAST(NULL AS BIGINT) AS file_row_number"
      : "";
    return `SELECT ${empty.join(", ")}${extra} WHERE false`;
  }
  const trees = await fileSchemas(duck, paths).catch(async (e: unknown) => {
    throw await dataFileError(duck, e, files);
  });
  const direct = await directLayouts(duck, schema, paths, trees);
  const groups = new Map<string, string[]>();
  const more = opts.positions ? ", filename = '__floe_filename', file_row_number = true" : "";
  const extra = opts.positions ? ", __floe_filename, file_row_number" : "";
  for (const path of paths) {
    const root = trees.get(path);
    let key: string;
    if (root && direct.has(layout(root))) {
      const names = schema.fields.map((f) => quoteIdent(f.name));
      key = `SELECT ${names.join(", ")}${extra} FROM read_parquet([?], hive_partitioning = false${more})`;
    } else {
      const fields = schema.fields.map((f) => [f, root?.children.find((c) => c.fieldId === f.id)] as const);
      const columns = fields.map(
        ([f, node]) => `${f.id}: ${columnDefinition(f, node && fileType(f.type, node))}`,
      );
      const select = fields.map(([f, node]) => {
        const name = quoteIdent(f.name);
        if (!node || !needsRebuild(f.type, node)) return name;
        return `CAST(${rebuild(f.type, node, name, 0)} AS ${duckType(f.type)}) AS ${name}`;
      });
      key = `SELECT ${select.join(", ")}${extra} FROM read_parquet([?], schema = MAP {${columns.join(", ")}}${more})`;
    }
    groups.set(key, [...(groups.get(key) ?? []), path]);
  }
  return [...groups]
    .map(([key, group]) => key.replace("[?]", () => `[${group.map(sqlString).join(", ")}]`))
    .join(" UNION ALL ");
}

/** A file's layout: its columns' names, field ids and Parquet types, nested ones included. */
const layout = (node: FileNode): string =>
  `${node.name}\u0000${node.fieldId ?? ""}\u0000${node.type}(${node.children.map(layout).join(",")})`;

/**
 * The layouts (of `paths`) that DuckDB reads as `schema` by name: every field is a top-level column
 * of that name with its field id, and DuckDB's type for the column (DESCRIBE of one file of the
 * layout) is the field's current type.
 */
async function directLayouts(
  duck: DuckDBConnection,
  schema: Schema,
  paths: readonly string[],
  trees: ReadonlyMap<string, FileNode>,
): Promise<Set<string>> {
  const candidates = new Map<string, string>(); // layout → a file of it
  for (const path of paths) {
    const root = trees.get(path);
    if (!root || candidates.has(layout(root))) continue;
    const byName = schema.fields.every((f) => {
      const node = root.children.find((c) => c.fieldId === f.id);
      return node !== undefined && node.name === f.name;
    });
    if (byName) candidates.set(layout(root), path);
  }
  const out = new Set<string>();
  if (candidates.size === 0 || schema.fields.length === 0) return out;
  // DuckDB's names of the current types (its spelling, e.g. DECIMAL(15,2))
  const describe = async (sql: string) =>
    new Map((await duck.runAndReadAll(`DESCRIBE ${sql}`)).getRows().map((r) => [String(r[0]), String(r[1])]));
  const current = await describe(
    `SELECT ${schema.fields.map((f) => `CAST(NULL AS ${duckType(f.type)}) AS ${quoteIdent(f.name)}`).join(", ")}`,
  );
  for (const [key, path] of candidates) {
    const types = await describe(`SELECT * FROM read_parquet(${sqlString(path)}, hive_partitioning = false)`);
    if (schema.fields.every((f) => types.get(f.name) === current.get(f.name))) out.add(key);
  }
  return out;
}

async function fileSchemas(duck: DuckDBConnection, paths: readonly string[]): Promise<Map<string, FileNode>> {
  const reader = await duck.runAndReadAll(
    `SELECT file_name, name, field_id, num_children,
       concat_ws(':', type, logical_type, converted_type, scale, precision)
     FROM parquet_schema([${paths.map(sqlString).join(", ")}])`,
  );
  const rows = reader.getRows();
  const trees = new Map<string, FileNode>();
  let i = 0;
  const node = (): FileNode => {
    const [, name, fieldId, numChildren, type] = rows[i++] ?? [];
    const children: FileNode[] = [];
    for (let n = Number(numChildren ?? 0); n > 0 && i < rows.length; n--) children.push(node());
    return {
      name: String(name),
      fieldId: fieldId === null ? undefined : Number(fieldId),
      type: String(type),
      children,
    };
  };
  while (i < rows.length) {
    const file = String(rows[i]?.[0]);
    trees.set(file, node());
  }
  return trees;
}

const byId = (node: FileNode, id: number): FileNode | undefined =>
  node.children.find((c) => c.fieldId === id);

/** A list's element: three-level lists (`l.list.element`), else the two-level form. */
const elementOf = (node: FileNode): FileNode | undefined => {
  const repeated = node.children[0];
  return repeated?.children.length === 1 ? repeated.children[0] : repeated;
};

const mapEntry = (node: FileNode, t: { keyId: number; valueId: number }) => {
  const kv = node.children[0];
  return {
    key: kv && (byId(kv, t.keyId) ?? kv.children[0]),
    value: kv && (byId(kv, t.valueId) ?? kv.children[1]),
  };
};

/** The DuckDB type to read a column as: the file's names for nested fields, the current types. */
function fileType(t: IcebergType, node: FileNode): string {
  switch (t.type) {
    case "struct": {
      const present = t.fields.flatMap((f) => {
        const child = byId(node, f.id);
        return child ? [`${quoteIdent(child.name)} ${fileType(f.type, child)}`] : [];
      });
      return present.length === 0 ? duckType(t) : `STRUCT(${present.join(", ")})`;
    }
    case "list": {
      const element = elementOf(node);
      return element ? `${fileType(t.element, element)}[]` : duckType(t);
    }
    case "map": {
      const { key, value } = mapEntry(node, t);
      return key && value ? `MAP(${fileType(t.key, key)}, ${fileType(t.value, value)})` : duckType(t);
    }
    default:
      return duckType(t);
  }
}

/** Whether the file's nested names or fields differ from the current type's. */
function needsRebuild(t: IcebergType, node: FileNode): boolean {
  switch (t.type) {
    case "struct":
      return t.fields.some((f) => {
        const child = byId(node, f.id);
        return !child || child.name !== f.name || needsRebuild(f.type, child);
      });
    case "list": {
      const element = elementOf(node);
      return !element || needsRebuild(t.element, element);
    }
    case "map": {
      const { key, value } = mapEntry(node, t);
      return !key || !value || needsRebuild(t.key, key) || needsRebuild(t.value, value);
    }
    default:
      return false;
  }
}

/** `expr` (read as `fileType`) rebuilt as a value of the current type. */
function rebuild(t: IcebergType, node: FileNode, expr: string, depth: number): string {
  if (!needsRebuild(t, node)) return expr;
  switch (t.type) {
    case "struct": {
      if (!t.fields.some((f) => byId(node, f.id))) return `CAST(NULL AS ${duckType(t)})`;
      const fields = t.fields.map((f: NestedField) => {
        const child = byId(node, f.id);
        const value = child
          ? rebuild(f.type, child, `${expr}.${quoteIdent(child.name)}`, depth + 1)
          : `CAST(${defaultText(f)} AS ${duckType(f.type)})`;
        return `${quoteIdent(f.name)} := ${value}`;
      });
      return `CASE WHEN ${expr} IS NULL THEN NULL ELSE struct_pack(${fields.join(", ")}) END`;
    }
    case "list": {
      const element = elementOf(node);
      if (!element) return `CAST(NULL AS ${duckType(t)})`;
      const x = `__x${depth}`;
      return `list_transform(${expr}, ${x} -> ${rebuild(t.element, element, x, depth + 1)})`;
    }
    case "map": {
      const { key, value } = mapEntry(node, t);
      if (!key || !value) return `CAST(NULL AS ${duckType(t)})`;
      const e = `__e${depth}`;
      const k = rebuild(t.key, key, `${e}.key`, depth + 1);
      const v = rebuild(t.value, value, `${e}.value`, depth + 1);
      return `map_from_entries(list_transform(map_entries(${expr}), ${e} -> {'key': ${k}, 'value': ${v}}))`;
    }
    default:
      return expr;
  }
}
