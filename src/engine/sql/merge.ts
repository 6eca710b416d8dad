import { badRequest } from "../../core/errors.ts";
import { currentSchema } from "../../iceberg/table-metadata.ts";
import type { NestedField } from "../../iceberg/types.ts";
import { quoteIdent } from "../duck-types.ts";
import { FILE_COLUMN, POS_COLUMN } from "../table-rows.ts";
import type { DmlStatement, MergeClause } from "./dml-statements.ts";
import { messageResult, type StatementResult } from "./result.ts";
import { rewriteTableRefs } from "./rewrite.ts";
import type { SessionContext } from "./session-context.ts";
import { registerTables } from "./table-views.ts";
import { mergeFilter } from "./merge-pruning.ts";
import { CHANGES, castTo, fieldNamed, produceChangedRows } from "./update.ts";
import { changeRows } from "./writes.ts";

type Merge = Extract<DmlStatement, { kind: "merge" }>;

const FILE = quoteIdent(FILE_COLUMN);
const POS = quoteIdent(POS_COLUMN);
const SOURCE_MARK = "__floe_src";

/**
 * `MERGE INTO target [AS t] USING source [AS s] ON cond WHEN [NOT] MATCHED [AND c] THEN …` (Spark's
 * syntax): DuckDB joins the target's rows with the source (a table or a query) and picks, for each
 * pair, the first clause whose condition holds; floe then deletes the target rows that clauses update
 * or delete and writes the updated and inserted rows, by the table's `write.merge.mode`, in ONE
 * commit on the session's branch. A target row that more than one source row would update or delete
 * is an error, as in Spark; nothing is written then.
 */
export async function runMerge(s: SessionContext, st: Merge): Promise<StatementResult> {
  const key = [...st.target];
  const name = key.join(".");
  const targetName = st.targetAlias ?? (key[key.length - 1] as string);
  const t = quoteIdent(targetName);
  const sourceName = "table" in st.source ? st.source.table : undefined;
  const sourceAlias = st.sourceAlias ?? (sourceName?.[sourceName.length - 1] as string);
  const src = quoteIdent(sourceAlias);
  const sourceSql =
    "query" in st.source
      ? rewriteTableRefs(st.source.query)
      : rewriteTableRefs(`SELECT * FROM ${(sourceName ?? []).map(quoteIdent).join(".")}`);
  const on = rewriteTableRefs(st.on);
  const clauses = st.clauses.map(rewriteClause);
  const fragments = clauses.flatMap((c) => [
    ...(c.condition === undefined ? [] : [c.condition]),
    ...(c.action === "update" && c.set !== "*" ? c.set.map((x) => x.expr) : []),
    ...(c.action === "insert" && c.values !== "*" ? c.values : []),
  ]);
  // Tables the source, the condition or the values read become views, as for a query.
  await registerTables(
    s,
    `SELECT ${fragments.length > 0 ? fragments.join(", ") : "1"} FROM (${sourceSql}) AS ${src} JOIN __floe_target AS ${t} ON ${on}`,
  );
  const joinType = clauses.some((c) => c.when === "not-matched") ? "RIGHT JOIN" : "JOIN";
  const counts = { updated: 0n, deleted: 0n, inserted: 0n };
  await changeRows(s, key, async (table) => {
    const schema = currentSchema(table.metadata);
    const fields = schema.fields;
    const whens = clauses.map((c) => {
      const present = `${t}.${FILE} IS ${c.when === "matched" ? "NOT NULL" : "NULL"}`;
      return c.condition === undefined ? present : `${present} AND (${c.condition})`;
    });
    const pick = (values: string[]): string =>
      `CASE ${whens.map((w, i) => `WHEN ${w} THEN ${values[i] ?? "NULL"}`).join(" ")} END`;
    const perClause = clauses.map((c) => clauseValues(c, fields, t, src, name));
    const keep = pick(clauses.map((c) => (c.action === "delete" ? "false" : "true")));
    const columns = fields.map(
      (f, j) => `${pick(perClause.map((v) => v?.[j] ?? "NULL"))} AS ${quoteIdent(f.name)}`,
    );
    const filter = await mergeFilter(s, { on, target: targetName, source: sourceAlias, sourceSql, schema });
    return produceChangedRows(s, table, {
      filter,
      modeProperty: "write.merge.mode",
      changes: (target) =>
        `SELECT * FROM (SELECT ${t}.${FILE}, ${t}.${POS}, ${keep} AS __floe_keep, ${columns.join(", ")} ` +
        `FROM (${target}) AS ${t} ${joinType} (SELECT *, true AS ${SOURCE_MARK} FROM (${sourceSql})) AS ${src} ` +
        `ON ${on}) WHERE __floe_keep IS NOT NULL`,
      check: async () => {
        const r = await s.duck.runAndReadAll(
          `SELECT (SELECT count(*) FROM (SELECT 1 FROM ${CHANGES} WHERE ${FILE} IS NOT NULL GROUP BY ${FILE}, ${POS} HAVING count(*) > 1)), ` +
            `count(*) FILTER (WHERE ${FILE} IS NOT NULL AND __floe_keep), ` +
            `count(*) FILTER (WHERE ${FILE} IS NOT NULL AND NOT __floe_keep), ` +
            `count(*) FILTER (WHERE ${FILE} IS NULL) FROM ${CHANGES}`,
        );
        const [dup, updated, deleted, inserted] = (r.getRows()[0] ?? []).map((v) => BigInt(v as bigint));
        if (dup !== undefined && dup > 0n)
          throw badRequest(
            `MERGE INTO ${name}: ${dup} target ${dup === 1n ? "row matches" : "rows match"} more than one source row; ` +
              "a target row may be updated or deleted only once (make the ON condition match one source row)",
          );
        Object.assign(counts, { updated, deleted, inserted });
      },
    });
  });
  return messageResult(
    `Merged into ${name}: ${counts.updated} rows updated, ${counts.deleted} deleted, ${counts.inserted} inserted`,
  );
}

function rewriteClause(c: MergeClause): MergeClause {
  const condition = c.condition === undefined ? {} : { condition: rewriteTableRefs(c.condition) };
  if (c.action === "delete") return { ...c, ...condition };
  if (c.action === "update")
    return {
      ...c,
      ...condition,
      set: c.set === "*" ? "*" : c.set.map((x) => ({ column: x.column, expr: rewriteTableRefs(x.expr) })),
    };
  return { ...c, ...condition, values: c.values === "*" ? "*" : c.values.map(rewriteTableRefs) };
}

/** The value of each of the table's columns a clause writes (undefined for DELETE). */
function clauseValues(
  c: MergeClause,
  fields: readonly NestedField[],
  t: string,
  src: string,
  name: string,
): string[] | undefined {
  if (c.action === "delete") return undefined;
  const fromSource = (f: NestedField) => castTo(f, `${src}.${quoteIdent(f.name)}`);
  if (c.action === "update") {
    if (c.set === "*") return fields.map(fromSource);
    const set = new Map<string, string>();
    for (const x of c.set) {
      const f = fieldNamed(fields, x.column, name);
      if (set.has(f.name)) throw badRequest(`Column ${f.name} is set twice in MERGE INTO ${name}`);
      set.set(f.name, castTo(f, x.expr));
    }
    return fields.map((f) => set.get(f.name) ?? `${t}.${quoteIdent(f.name)}`);
  }
  if (c.values === "*") return fields.map(fromSource);
  const columns = (c.columns ?? fields.map((f) => f.name)).map((x) => fieldNamed(fields, x, name).name);
  if (new Set(columns).size !== columns.length)
    throw badRequest(`A column is named twice in the INSERT of MERGE INTO ${name}`);
  if (columns.length !== c.values.length)
    throw badRequest(
      `The INSERT of MERGE INTO ${name} names ${columns.length} columns but gives ${c.values.length} values`,
    );
  const values = c.values;
  return fields.map((f) => {
    const i = columns.indexOf(f.name);
    return castTo(f, i < 0 ? "NULL" : (values[i] as string));
  });
}
