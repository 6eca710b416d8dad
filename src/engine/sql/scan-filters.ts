import { bind } from "../../iceberg/expressions/bind.ts";
import { alwaysTrue, and, type Expression } from "../../iceberg/expressions/expression.ts";
import type { Schema } from "../../iceberg/schema.ts";
import { isPrimitive, type PrimitiveType } from "../../iceberg/types.ts";
import { type ConditionContext, type Node, toExpression, unsupported } from "./where.ts";

/**
 * Which files of each Iceberg table a query can skip: the conditions of its `WHERE` and `JOIN … ON`
 * clauses that floe's scan planner can use, found in DuckDB's parse tree (`json_serialize_sql`).
 *
 * Every place a query reads a table (a `BASE_TABLE` named `schema.table`) gets the AND of the
 * conditions that apply to its rows there:
 * - conjuncts of its SELECT's `WHERE`, unless the table is on the null side of an outer join (a
 *   left join's right side, …) or under a join that is not a plain or cross join (ASOF, POSITIONAL,
 *   NATURAL, lateral: there, leaving rows out changes which rows pair up);
 * - conjuncts of an inner join's `ON`, and those of a left (right) join's `ON` for the tables on
 *   its right (left) side, the rows that can pair up at all.
 * A conjunct is used only when every column it names resolves to that one place (qualified by the
 * place's alias, table name or `schema.table`, or unqualified and no other table read there has
 * the column), it contains no subquery, converts with `toExpression`, each literal's DuckDB type fits
 * the column's Iceberg type the way DuckDB compares them (integers with int/long/decimal columns,
 * decimals with decimals, strings with strings, dates and timestamps without time zone, booleans;
 * never floats, doubles or time-zone types, where DuckDB's casts and Iceberg's bounds disagree), and
 * binds to the table's schema. Others are simply not used: DuckDB still evaluates the whole query,
 * so the filters only decide which files are read, never which rows are returned.
 */

/** DuckDB's name for a table a query reads. */
export interface TableName {
  readonly schema: string;
  readonly table: string;
}

export const tableKey = (t: TableName): string => `${t.schema}\u0000${t.table}`;

/** The schema rows of a named table are read with; undefined for a name that is no Iceberg table. */
export type SchemaOf = (t: TableName) => Schema | undefined;

interface Place {
  readonly key: string;
  readonly schema: Schema;
  readonly conditions: Expression[];
}

/** One source of a SELECT's FROM: its alias (lower case), and the table place if it is one. */
interface Source {
  readonly names: readonly string[];
  readonly place: Place | undefined;
}

interface Scope {
  readonly condition: Node;
  readonly eligible: ReadonlySet<Place>;
}

/**
 * For every Iceberg table the tree reads, the filter of each place it is read (`alwaysTrue` for a
 * place without usable conditions), keyed by `tableKey`.
 */
export function scanFilters(tree: unknown, schemaOf: SchemaOf): Map<string, Expression[]> {
  const places = new Map<Node, Place>();
  const placeOf = (n: Node): Place | undefined => {
    if (n.type !== "BASE_TABLE" || n.catalog_name !== "" || typeof n.schema_name !== "string")
      return undefined;
    if (n.schema_name === "") return undefined;
    let p = places.get(n);
    if (!p) {
      const name = { schema: n.schema_name, table: String(n.table_name) };
      const schema = schemaOf(name);
      if (!schema) return undefined;
      p = { key: tableKey(name), schema, conditions: [] };
      places.set(n, p);
    }
    return p;
  };
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === "object") {
      const n = node as Node;
      if (n.type === "SELECT_NODE") selectFilters(n, placeOf);
      else placeOf(n);
      Object.values(n).forEach(visit);
    }
  };
  visit(tree);
  const out = new Map<string, Expression[]>();
  for (const p of places.values())
    out.set(p.key, [
      ...(out.get(p.key) ?? []),
      p.conditions.length === 0 ? alwaysTrue() : and(...p.conditions),
    ]);
  return out;
}

function selectFilters(select: Node, placeOf: (n: Node) => Place | undefined): void {
  const sources: Source[] = [];
  const scopes: Scope[] = [];
  /** The places under a FROM item, each with whether it is on a null side (or otherwise unfilterable) there. */
  const walk = (f: Node | null | undefined): [Place, boolean][] => {
    if (!f) return [];
    if (f.type === "JOIN") {
      const left = walk(f.left as Node);
      const right = walk(f.right as Node);
      const plain = f.ref_type === "REGULAR" || f.ref_type === "CROSS";
      const filterable = (side: [Place, boolean][]) => new Set(side.filter(([, n]) => !n).map(([p]) => p));
      const all = (side: [Place, boolean][], nullable: boolean) =>
        side.map(([p, n]): [Place, boolean] => [p, n || nullable]);
      const on = f.condition as Node | null;
      if (!plain) return [...all(left, true), ...all(right, true)];
      switch (f.join_type) {
        case "INNER":
          if (on) scopes.push({ condition: on, eligible: filterable([...left, ...right]) });
          return [...left, ...right];
        case "LEFT":
        case "SEMI":
        case "ANTI":
          if (on) scopes.push({ condition: on, eligible: filterable(right) });
          return [...left, ...all(right, true)];
        case "RIGHT":
          if (on) scopes.push({ condition: on, eligible: filterable(left) });
          return [...all(left, true), ...right];
        default:
          return [...all(left, true), ...all(right, true)];
      }
    }
    const alias = typeof f.alias === "string" && f.alias !== "" ? f.alias.toLowerCase() : undefined;
    const place = placeOf(f);
    if (f.type === "BASE_TABLE") {
      const table = String(f.table_name).toLowerCase();
      const schema = String(f.schema_name).toLowerCase();
      sources.push({ names: alias ? [alias] : [table, `${schema}.${table}`], place });
    } else sources.push({ names: alias ? [alias] : [], place: undefined });
    return place ? [[place, false]] : [];
  };
  const top = walk(select.from_table as Node | undefined);
  const where = select.where_clause as Node | null | undefined;
  if (where) scopes.push({ condition: where, eligible: new Set(top.filter(([, n]) => !n).map(([p]) => p)) });

  for (const { condition, eligible } of scopes)
    for (const part of conjuncts(condition)) {
      const place = onePlace(part, sources);
      if (!place || !eligible.has(place)) continue;
      const expression = conditionExpression(part, place.schema);
      if (expression) place.conditions.push(expression);
    }
}

/** The parts of an AND (the node itself when it is no AND). */
export function conjuncts(n: Node): Node[] {
  if (n.type !== "CONJUNCTION_AND") return [n];
  return ((n.children ?? []) as Node[]).flatMap(conjuncts);
}

/** The one place every column of a condition belongs to; undefined if none, several, or a subquery. */
function onePlace(condition: Node, sources: readonly Source[]): Place | undefined {
  let found: Place | undefined;
  let ok = true;
  const visit = (node: unknown): void => {
    if (!ok) return;
    if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === "object") {
      const n = node as Node;
      if (n.class === "SUBQUERY" || n.type === "SUBQUERY") ok = false;
      else if (n.class === "COLUMN_REF") {
        const p = resolve(n, sources)?.place;
        if (!p || (found && found !== p)) ok = false;
        else found = p;
      } else Object.values(n).forEach(visit);
    }
  };
  visit(condition);
  return ok ? found : undefined;
}

/** The place and field name a column reference reads; undefined when it is not one table's column. */
function resolve(n: Node, sources: readonly Source[]): { place: Place; field: string } | undefined {
  const names = (n.column_names as string[] | undefined)?.map((x) => x.toLowerCase()) ?? [];
  const column = names.at(-1);
  if (column === undefined || names.length > 3) return undefined;
  const fieldOf = (p: Place | undefined) => p?.schema.fields.find((f) => f.name.toLowerCase() === column);
  if (names.length === 1) {
    const matches = sources.filter((s) => fieldOf(s.place));
    const [only] = matches;
    return matches.length === 1 && only?.place
      ? { place: only.place, field: fieldOf(only.place)!.name }
      : undefined;
  }
  const qualifier = names.slice(0, -1).join(".");
  const matches = sources.filter((s) => s.names.includes(qualifier));
  const [only] = matches;
  const field = fieldOf(only?.place);
  return matches.length === 1 && only?.place && field ? { place: only.place, field: field.name } : undefined;
}

/** DuckDB's integer types (a constant's type id, or `typeof` of a value). */
export const INTEGER_TYPES: ReadonlySet<string> = new Set([
  "TINYINT",
  "SMALLINT",
  "INTEGER",
  "BIGINT",
  "HUGEINT",
  "UTINYINT",
  "USMALLINT",
  "UINTEGER",
  "UBIGINT",
  "UHUGEINT",
]);

/** Whether DuckDB compares a literal with a column of this type as Iceberg's literal conversion does. */
function literalFits(type: PrimitiveType, lit: Node): boolean {
  let id: string | undefined;
  if (lit.class === "CONSTANT") id = (lit.value as { type?: { id?: string } } | undefined)?.type?.id;
  else if (lit.class === "CAST" && lit.try_cast !== true) {
    const child = lit.child as Node;
    const from = (child.value as { type?: { id?: string } } | undefined)?.type?.id;
    if (child.class === "CONSTANT" && from === "VARCHAR")
      id = `CAST:${(lit.cast_type as { id?: string } | undefined)?.id ?? ""}`;
  }
  if (id === undefined) return false;
  switch (type.type) {
    case "int":
    case "long":
      return INTEGER_TYPES.has(id);
    case "decimal":
      return INTEGER_TYPES.has(id) || id === "DECIMAL";
    case "string":
      return id === "VARCHAR";
    case "date":
      return id === "VARCHAR" || id === "CAST:DATE";
    case "timestamp":
      return id === "VARCHAR" || id === "CAST:TIMESTAMP";
    case "boolean":
      return id === "BOOLEAN" || id === "CAST:BOOLEAN";
    default:
      return false;
  }
}

/**
 * A condition on one table's columns (each COLUMN_REF's last part names one) as an Iceberg
 * expression that binds to its schema, or undefined when it has none usable for pruning.
 */
export function conditionExpression(condition: Node, schema: Schema): Expression | undefined {
  const cx: ConditionContext = {
    text: "",
    column: (n, c) => {
      const r = n.class === "COLUMN_REF" ? fieldName(n, schema) : undefined;
      if (!r) throw unsupported(n, c.text, "a column");
      return r;
    },
    accepts: (column, lit) => {
      const field = schema.fields.find((f) => f.name === column);
      return field !== undefined && isPrimitive(field.type) && literalFits(field.type, lit);
    },
    adapt: (column, value) =>
      typeof value === "string" && schema.fields.find((f) => f.name === column)?.type.type === "timestamp"
        ? isoTimestamp(value)
        : value,
  };
  try {
    const e = toExpression(condition, cx);
    bind(e, schema);
    return e;
  } catch {
    return undefined; // not usable for pruning; DuckDB evaluates it
  }
}

/** The schema's field a column reference's last part names (case-insensitive). */
function fieldName(n: Node, schema: Schema): string | undefined {
  const column = (n.column_names as string[] | undefined)?.at(-1)?.toLowerCase();
  return schema.fields.find((f) => f.name.toLowerCase() === column)?.name;
}

/**
 * The files a DELETE or UPDATE of one table must read, from its WHERE: the AND of the conjuncts
 * that `conditionExpression` converts and whose columns are the table's (unqualified, or qualified
 * by its alias); the rest (functions, subqueries, …) are left to DuckDB, which picks the rows.
 */
export function targetFilter(where: Node | undefined, schema: Schema, alias: string): Expression {
  if (!where) return alwaysTrue();
  const parts: Expression[] = [];
  for (const part of conjuncts(where)) {
    let own = true;
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(visit);
      else if (node !== null && typeof node === "object") {
        const n = node as Node;
        const names = n.class === "COLUMN_REF" ? (n.column_names as string[] | undefined) : undefined;
        if (
          names &&
          !(names.length === 1 || (names.length === 2 && names[0]?.toLowerCase() === alias.toLowerCase()))
        )
          own = false;
        else Object.values(n).forEach(visit);
      }
    };
    visit(part);
    const e = own ? conditionExpression(part, schema) : undefined;
    if (e) parts.push(e);
  }
  return parts.length === 0 ? alwaysTrue() : and(...parts);
}

/**
 * A timestamp as DuckDB spells it (`2024-06-01`, `2024-06-01 10:00:00.5`) in ISO form
 * (`2024-06-01T00:00:00`, `2024-06-01T10:00:00.5`), as Iceberg's literal conversion reads it; any
 * other text as it is (the conversion then refuses it, and the condition is not used).
 */
function isoTimestamp(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?))?$/.exec(text);
  return m ? `${m[1]}T${m[2] ?? "00:00:00"}` : text;
}
