import { badRequest } from "../../core/errors.ts";
import type { ViewMetadata } from "../../iceberg/view-metadata.ts";

/** The dialects floe runs a view's query in, best first. */
const RUNNABLE = ["duckdb", "spark", "trino"];

/** The representation of a view version floe runs: duckdb, else spark, else trino; none is an error. */
export function runnableSql(m: ViewMetadata, name: string): string {
  const version = m.versions.find((v) => v.versionId === m.currentVersionId);
  const reps = version?.representations ?? [];
  for (const d of RUNNABLE) {
    const r = reps.find((x) => x.dialect.toLowerCase() === d);
    if (r) return r.sql;
  }
  throw badRequest(
    `View ${name} has no query floe can run (dialects: ${reps.map((r) => r.dialect).join(", ") || "none"}; floe runs ${RUNNABLE.join(", ")})`,
  );
}
