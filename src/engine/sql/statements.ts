import type { IcebergType } from "../../iceberg/types.ts";
import type { DmlStatement } from "./dml-statements.ts";

/**
 * What floe's parser makes of a statement. Statements floe handles itself (branches, DDL, writes)
 * are parsed into these; everything else is a `query` that DuckDB runs with the session's Iceberg
 * tables visible.
 */
export type RefType = "BRANCH" | "TAG";

export interface ColumnDef {
  readonly name: string;
  readonly type: IcebergType;
  readonly required: boolean;
  readonly doc?: string;
}

/** A partition transform of `PARTITIONED BY`: `identity`, `bucket[16]`, `day`, … of a column. */
export interface PartitionDef {
  readonly column: string;
  readonly transform: string;
}

export type AlterAction =
  | { readonly action: "add-columns"; readonly columns: readonly ColumnDef[] }
  | { readonly action: "rename-column"; readonly from: string; readonly to: string }
  | { readonly action: "drop-column"; readonly name: string }
  | { readonly action: "alter-column-type"; readonly name: string; readonly type: IcebergType }
  | { readonly action: "set-properties"; readonly properties: Readonly<Record<string, string>> }
  | { readonly action: "unset-properties"; readonly keys: readonly string[] }
  | { readonly action: "rename-table"; readonly to: readonly string[] }
  | { readonly action: "add-partition-field"; readonly field: PartitionDef; readonly name?: string }
  | { readonly action: "drop-partition-field"; readonly field: PartitionDef }
  | {
      readonly action: "replace-partition-field";
      readonly field: PartitionDef;
      readonly by: PartitionDef;
      readonly name?: string;
    }
  | {
      readonly action: "write-order";
      /** Absent: the sort order stays (`WRITE DISTRIBUTED BY PARTITION`). */
      readonly order?: readonly SortDef[];
      /** `write.distribution-mode`, as Spark sets it. */
      readonly distribution: "none" | "hash" | "range";
    };

/** A term of `WRITE ORDERED BY`. */
export interface SortDef extends PartitionDef {
  readonly direction: "asc" | "desc";
  readonly nullOrder: "nulls-first" | "nulls-last";
}

export type Statement =
  | {
      readonly kind: "create-reference";
      readonly type: RefType;
      readonly name: string;
      readonly ifNotExists: boolean;
      readonly from?: string;
    }
  | { readonly kind: "use-reference"; readonly name: string; readonly hash?: string }
  | { readonly kind: "merge-branch"; readonly from?: string; readonly into?: string }
  | { readonly kind: "show-references" }
  | { readonly kind: "show-reference" }
  | { readonly kind: "show-log"; readonly ref?: string }
  | {
      readonly kind: "assign-reference";
      readonly type: RefType;
      readonly name?: string;
      readonly to?: string;
    }
  | {
      readonly kind: "drop-reference";
      readonly type: RefType;
      readonly name: string;
      readonly ifExists: boolean;
    }
  | {
      readonly kind: "create-namespace";
      readonly namespace: readonly string[];
      readonly ifNotExists: boolean;
      readonly properties: Readonly<Record<string, string>>;
    }
  | { readonly kind: "drop-namespace"; readonly namespace: readonly string[]; readonly ifExists: boolean }
  | { readonly kind: "show-namespaces" }
  | { readonly kind: "show-tables"; readonly namespace?: readonly string[] }
  | {
      readonly kind: "create-table";
      readonly name: readonly string[];
      readonly ifNotExists: boolean;
      /** Absent for CREATE TABLE … AS SELECT, where the query's columns make the schema. */
      readonly columns?: readonly ColumnDef[];
      readonly partitionBy: readonly PartitionDef[];
      readonly properties: Readonly<Record<string, string>>;
      readonly location?: string;
      readonly asQuery?: string;
    }
  | {
      readonly kind: "drop-table";
      readonly name: readonly string[];
      readonly ifExists: boolean;
      readonly purge: boolean;
    }
  | { readonly kind: "alter-table"; readonly name: readonly string[]; readonly change: AlterAction }
  | {
      readonly kind: "insert";
      readonly table: readonly string[];
      readonly columns?: readonly string[];
      /** `VALUES …` or a query. */
      readonly source: string;
    }
  | {
      readonly kind: "delete";
      readonly table: readonly string[];
      /** The condition after WHERE, as written; absent: every row. */
      readonly where?: string;
    }
  | { readonly kind: "query"; readonly sql: string }
  | { readonly kind: "call"; readonly procedure: string; readonly args: readonly CallArg[] }
  | DmlStatement
  | {
      readonly kind: "create-view";
      readonly name: readonly string[];
      readonly orReplace: boolean;
      readonly ifNotExists: boolean;
      /** The view's query, as written. */
      readonly query: string;
    }
  | { readonly kind: "drop-view"; readonly name: readonly string[]; readonly ifExists: boolean }
  | { readonly kind: "show-views"; readonly namespace?: readonly string[] };

/** An argument of `CALL`: by name or by position. */
export interface CallArg {
  readonly name?: string;
  readonly value: CallValue;
}

export type CallValue =
  | { readonly type: "string" | "timestamp" | "number"; readonly value: string }
  | { readonly type: "boolean"; readonly value: boolean }
  | { readonly type: "map"; readonly value: readonly (readonly [string, string])[] };
