import type { Cursor } from "./cursor.ts";
import type { PartitionDef } from "./statements.ts";

const TRANSFORMS: Record<string, string> = {
  years: "year",
  year: "year",
  months: "month",
  month: "month",
  days: "day",
  day: "day",
  date: "day",
  hours: "hour",
  hour: "hour",
  date_hour: "hour",
  identity: "identity",
  void: "void",
};

/**
 * One transform term of `PARTITIONED BY`, `ADD PARTITION FIELD` or `ORDERED BY`: a column
 * (`customer`, `address.city`), or `bucket(16, id)`, `truncate(10, s)` (the width may come first
 * or second), `days(ts)`, … .
 */
export function parseTransformTerm(c: Cursor): PartitionDef {
  const word = c.ident("a column or transform");
  if (!c.acceptSymbol("(")) {
    const path = [word];
    while (c.acceptSymbol(".")) path.push(c.ident("a column name"));
    return { column: path.join("."), transform: "identity" };
  }
  const fn = word.toLowerCase();
  const at = c.peek(-2);
  let out: PartitionDef;
  if (fn === "bucket" || fn === "truncate") {
    let width: number;
    let column: string;
    if (c.peek()?.kind === "number") {
      width = c.integer("a width");
      c.expectSymbol(",");
      column = c.qualifiedName("a column name").join(".");
    } else {
      column = c.qualifiedName("a column name").join(".");
      c.expectSymbol(",");
      width = c.integer("a width");
    }
    out = { column, transform: `${fn}[${width}]` };
  } else {
    const transform = TRANSFORMS[fn];
    if (!transform) c.fail(`unknown partition transform '${word}'`, at);
    out = { column: c.qualifiedName("a column name").join("."), transform };
  }
  c.expectSymbol(")");
  return out;
}
