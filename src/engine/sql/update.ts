import { badRequest, isFloeError } from "../../core/errors.ts";
import type { Expression } from "../../iceberg/expressions/expression.ts";
import type { TableFile } from "../../iceberg/producers/metadata-file.ts";
import type { NestedField } from "../../iceberg/types.ts";
import { currentSchema } from "../../iceberg/table-metadata.ts";
import { deleteMode, type ProducedRowChange, produceRowChange } from "../delete-rows.ts";
import { duckType, quoteIdent } from "../duck-types.ts";
import { FILE_COLUMN, POS_COLUMN, tableRows } from "../table-rows.ts";
import type { DmlStatement } from "./dml-statements.ts";
import { messageResult, type StatementResult } from "./result.ts";
import { rewriteTableRefs } from "./rewrite.ts";
import type { SessionContext } from "./session-context.ts";
import { registerTables } from "./table-views.ts";
import { whereNode } from "./where.ts";
import { targetFilter } from "./scan-filters.ts";
import { changeRows } from "./writes.ts";

/** The DuckDB temp table an UPDATE or MERGE computes its changed rows into. */
export const CHANGES = "__floe_changes";
const FILE = quoteIdent(FILE_COLUMN);
const POS = quoteIdent(POS_COLUMN);

/** The field of `fields` a statement names (exact, else case-insensitive), or a one-line error. */
export function fieldNamed(fields: readonly NestedField[], name: string, table: string): NestedField {
  const f =
    fields.find((x) => x.name === name) ?? fields.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (!f) throw badRequest(`Table ${table} has no column ${name}`);
  return f;
}

/** `CAST((expr) AS <the column's type>)`: a value for a column, converted as the column stores it. */
export const castTo = (f: NestedField, expr: string): string => `CAST((${expr}) AS ${duckType(f.type)})`;

/**
 * Makes the row change of an UPDATE or MERGE from `changes`, a query over the target's rows
 * (`tableRows(...).sql`, given as the alias `target`) whose columns are `FILE_COLUMN` and
 * `POS_COLUMN` of the target row it replaces or deletes (NULL for an inserted row), `__floe_keep`
 * (whether the row is written: false for a deleted one) and the table's columns by name. The rows
 * are computed once into a temp table; the target rows named are deleted by the table's `modeProperty`
 * (copy-on-write rewrites, merge-on-read position deletes) and the kept rows written as new data
 * files, in one snapshot (`produceRowChange`). `check` sees the temp table before anything is written.
 */
export async function produceChangedRows(
  s: SessionContext,
  table: TableFile,
  opts: {
    readonly filter: Expression;
    readonly modeProperty: string;
    readonly changes: (target: string) => string;
    readonly check?: () => Promise<void>;
  },
): Promise<ProducedRowChange> {
  const m = table.metadata;
  const store = s.objects.storeFor(m.location);
  const rows = await tableRows({ duck: s.duck, store, metadata: m, filter: opts.filter });
  const mode = deleteMode(m.properties, opts.modeProperty);
  try {
    await s.duck
      .run(`CREATE OR REPLACE TEMP TABLE ${CHANGES} AS ${opts.changes(rows.sql)}`)
      .catch((e: unknown) => {
        // A position in the query floe made up would mislead: DuckDB's first line names the problem.
        throw e instanceof Error && !isFloeError(e) ? new Error(e.message.split("\n")[0]) : e;
      });
    await opts.check?.();
    return await produceRowChange(
      {
        duck: s.duck,
        store,
        table,
        filter: opts.filter,
        mode,
        matchSql: `(${FILE}, ${POS}) IN (SELECT ${FILE}, ${POS} FROM ${CHANGES} WHERE ${FILE} IS NOT NULL)`,
      },
      `SELECT * FROM ${CHANGES} WHERE __floe_keep`,
    );
  } finally {
    await s.duck.run(`DROP TABLE IF EXISTS ${CHANGES}`);
  }
}

/**
 * `UPDATE t [AS a] SET col = expr, … [WHERE cond]`: the rows the condition matches get the new
 * values (cast to the columns' types) in ONE commit on the session's branch, by the table's
 * `write.update.mode` — copy-on-write (the files holding them rewritten) by default, merge-on-read
 * (position deletes plus new data files) when the property says so. The condition and values are
 * any DuckDB SQL over the table's columns, subqueries over other tables included.
 */
export async function runUpdate(
  s: SessionContext,
  st: Extract<DmlStatement, { kind: "update" }>,
): Promise<StatementResult> {
  const key = [...st.table];
  const name = key.join(".");
  const aliasName = st.alias ?? (key[key.length - 1] as string);
  const alias = quoteIdent(aliasName);
  const where = st.where === undefined ? undefined : rewriteTableRefs(st.where);
  const exprs = st.set.map((x) => ({ column: x.column, expr: rewriteTableRefs(x.expr) }));
  // Tables the values or the condition read (subqueries) become views, as for a query.
  await registerTables(
    s,
    `SELECT ${exprs.map((x) => x.expr).join(", ")} FROM __floe_target${where ? ` WHERE ${where}` : ""}`,
  );
  const condition = where === undefined ? undefined : await whereNode(s.duck, where);
  const made = await changeRows(s, key, (table) => {
    const schema = currentSchema(table.metadata);
    const fields = schema.fields;
    const filter = targetFilter(condition, schema, aliasName);
    const set = new Map<string, string>();
    for (const x of exprs) {
      const f = fieldNamed(fields, x.column, name);
      if (set.has(f.name)) throw badRequest(`Column ${f.name} is set twice in UPDATE ${name}`);
      set.set(f.name, castTo(f, x.expr));
    }
    const columns = fields.map((f) => {
      const v = set.get(f.name);
      return v === undefined ? `${alias}.${quoteIdent(f.name)}` : `${v} AS ${quoteIdent(f.name)}`;
    });
    return produceChangedRows(s, table, {
      filter,
      modeProperty: "write.update.mode",
      changes: (target) =>
        `SELECT ${alias}.${FILE}, ${alias}.${POS}, true AS __floe_keep, ${columns.join(", ")} ` +
        `FROM (${target}) AS ${alias}${where ? ` WHERE ${where}` : ""}`,
    });
  });
  return messageResult(`Updated ${made.deletedRows} rows in ${name}`);
}
