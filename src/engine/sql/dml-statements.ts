/** The parsed forms of UPDATE, MERGE INTO and the transaction statements (`parse-dml.ts`). */

/** `col = expr` of a SET list; `expr` is SQL text DuckDB evaluates. */
export interface SetItem {
  readonly column: string;
  readonly expr: string;
}

/** A `WHEN [NOT] MATCHED [AND cond] THEN …` clause of MERGE INTO. */
export type MergeClause =
  | {
      readonly when: "matched";
      readonly condition?: string;
      /** `UPDATE SET *`: every target column from the source column of its name. */
      readonly action: "update";
      readonly set: readonly SetItem[] | "*";
    }
  | { readonly when: "matched"; readonly condition?: string; readonly action: "delete" }
  | {
      readonly when: "not-matched";
      readonly condition?: string;
      readonly action: "insert";
      /** `INSERT *`: every target column from the source column of its name. */
      readonly columns?: readonly string[];
      readonly values: readonly string[] | "*";
    };

/** `USING ns.t` or `USING (query)`. */
export type MergeSource = { readonly table: readonly string[] } | { readonly query: string };

export type DmlStatement =
  | {
      readonly kind: "update";
      readonly table: readonly string[];
      readonly alias?: string;
      readonly set: readonly SetItem[];
      /** The condition after WHERE, as written; absent: every row. */
      readonly where?: string;
    }
  | {
      readonly kind: "merge";
      readonly target: readonly string[];
      readonly targetAlias?: string;
      readonly source: MergeSource;
      readonly sourceAlias?: string;
      readonly on: string;
      readonly clauses: readonly MergeClause[];
    }
  | { readonly kind: "transaction"; readonly action: "begin" | "commit" | "rollback" };
