import type { Cursor } from "./cursor.ts";
import { parseTransformTerm } from "./parse-transform.ts";
import type { AlterAction, SortDef } from "./statements.ts";

/**
 * The partition-spec and write-order clauses of `ALTER TABLE t …` (Spark's Iceberg SQL extensions),
 * or undefined when the clause is another one:
 * `ADD PARTITION FIELD bucket(16, id) [AS shard]`, `DROP PARTITION FIELD days(ts) | shard`,
 * `REPLACE PARTITION FIELD days(ts) WITH hours(ts) [AS h]`,
 * `WRITE [LOCALLY] ORDERED BY col [ASC|DESC] [NULLS FIRST|LAST], …`, `WRITE UNORDERED`,
 * `WRITE DISTRIBUTED BY PARTITION [LOCALLY ORDERED BY …]`.
 */
export function parseAlterSpec(c: Cursor): AlterAction | undefined {
  if (c.acceptWord("ADD", "PARTITION", "FIELD")) {
    const field = parseTransformTerm(c);
    return { action: "add-partition-field", field, ...alias(c) };
  }
  if (c.acceptWord("DROP", "PARTITION", "FIELD"))
    return { action: "drop-partition-field", field: parseTransformTerm(c) };
  if (c.acceptWord("REPLACE", "PARTITION", "FIELD")) {
    const field = parseTransformTerm(c);
    c.expectWord("WITH");
    const by = parseTransformTerm(c);
    return { action: "replace-partition-field", field, by, ...alias(c) };
  }
  if (c.acceptWord("WRITE")) {
    if (c.acceptWord("UNORDERED")) return { action: "write-order", order: [], distribution: "none" };
    if (c.acceptWord("ORDERED", "BY"))
      return { action: "write-order", order: sortTerms(c), distribution: "range" };
    if (c.acceptWord("LOCALLY", "ORDERED", "BY"))
      return { action: "write-order", order: sortTerms(c), distribution: "none" };
    c.expectWord("DISTRIBUTED", "BY", "PARTITION");
    const order = c.acceptWord("LOCALLY", "ORDERED", "BY") ? sortTerms(c) : undefined;
    return { action: "write-order", ...(order ? { order } : {}), distribution: "hash" };
  }
  return undefined;
}

function alias(c: Cursor): { name?: string } {
  return c.acceptWord("AS") ? { name: c.ident("a partition field name") } : {};
}

function sortTerms(c: Cursor): SortDef[] {
  const out: SortDef[] = [];
  do {
    const term = parseTransformTerm(c);
    const direction = c.acceptWord("DESC") ? "desc" : (c.acceptWord("ASC"), "asc");
    let nullOrder: SortDef["nullOrder"] = direction === "asc" ? "nulls-first" : "nulls-last";
    if (c.acceptWord("NULLS", "FIRST")) nullOrder = "nulls-first";
    else if (c.acceptWord("NULLS", "LAST")) nullOrder = "nulls-last";
    out.push({ ...term, direction, nullOrder });
  } while (c.acceptSymbol(","));
  return out;
}
