import { badRequest } from "../../core/errors.ts";
import type { ViewMetadata } from "../../iceberg/view-metadata.ts";
import { tokenize } from "./lexer.ts";
import { nestedTableNames } from "./nested-names.ts";

/** The dialects floe runs a view's query in, best first. */
const RUNNABLE = ["duckdb", "spark", "trino"];

/**
 * The representation of a view version floe runs: duckdb, else spark, else trino; none is an
 * error. Table names that start with the version's `default-catalog` (Spark's and Trino's views
 * name tables through their catalog: `nessie.db.t`) lose that first part, floe being that catalog.
 */
export function runnableSql(m: ViewMetadata, name: string): string {
  const version = m.versions.find((v) => v.versionId === m.currentVersionId);
  const reps = version?.representations ?? [];
  for (const d of RUNNABLE) {
    const r = reps.find((x) => x.dialect.toLowerCase() === d);
    if (r) return withoutCatalog(r.sql, version?.defaultCatalog);
  }
  throw badRequest(
    `View ${name} has no query floe can run (dialects: ${reps.map((r) => r.dialect).join(", ") || "none"}; floe runs ${RUNNABLE.join(", ")})`,
  );
}

/** `sql` with `catalog.` removed from the table names of three or more parts that start with it. */
function withoutCatalog(sql: string, catalog: string | undefined): string {
  if (catalog === undefined || catalog === "") return sql;
  const tokens = tokenize(sql);
  let out = "";
  let at = 0;
  for (const n of nestedTableNames(tokens)) {
    const first = tokens[n.start];
    const next = tokens[n.start + 2];
    if (!first || !next || first.value.toLowerCase() !== catalog.toLowerCase()) continue;
    out += sql.slice(at, first.start);
    at = next.start;
  }
  return out + sql.slice(at);
}
