import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type { CatalogContext } from "../../catalog/context.ts";
import { badRequest, FloeError, isFloeError } from "../../core/errors.ts";
import type { ObjectStoreResolver } from "../../storage/open-object-store.ts";
import { parseRefSpec } from "../../versioning/ref-spec.ts";
import { attachFiles, duckFiles, type DuckFiles, type EngineFiles, engineFiles } from "../duck-files.ts";
import { quoteIdent, sqlString } from "../duck-types.ts";
import {
  runAlterTable,
  runCreateNamespace,
  runCreateTable,
  runDropNamespace,
  runDropTable,
  runShowNamespaces,
  runShowTables,
} from "./ddl.ts";
import { Cancellation } from "./cancel.ts";
import { parseStatement } from "./parse.ts";
import { runCall } from "./procedures.ts";
import { runCreateView, runDropView } from "./view-ddl.ts";
import { runReferenceStatement } from "./references.ts";
import { messageResult, type StatementResult } from "./result.ts";
import { rewriteTableRefs } from "./rewrite.ts";
import type { SessionContext } from "./session-context.ts";
import type { Statement } from "./statements.ts";
import { errorOffset } from "./error-position.ts";
import { explainScans, FLOE_SCAN_KEY } from "./explain.ts";
import { parseTree, registerTables } from "./table-views.ts";
import { exactExpression, whereNode } from "./where.ts";
import { targetFilter } from "./scan-filters.ts";
import { currentSchema } from "../../iceberg/table-metadata.ts";
import { appendToTable, deleteFromTable, tableForWrite } from "./writes.ts";
import { runMerge } from "./merge.ts";
import { checkInTransaction, rollback, runTransaction } from "./transaction.ts";
import { runUpdate } from "./update.ts";
import { requireBranch } from "./writable-ref.ts";
import { alwaysTrue } from "../../iceberg/expressions/expression.ts";

export interface SessionOptions {
  readonly catalog: CatalogContext;
  readonly objects: ObjectStoreResolver;
  /** The reference to start on: a branch, a tag or `ref@hash`; default the default branch. */
  readonly ref?: string;
  /** Author of the commits the session makes. */
  readonly author?: string;
  /** How DuckDB reads data files on S3; by default httpfs when it loads, else a shared temporary cache. */
  readonly files?: EngineFiles;
}

/** Statements DuckDB runs (after floe's tables are made visible): queries and session settings. */
const QUERY_WORDS = new Set([
  "SELECT",
  "WITH",
  "VALUES",
  "FROM",
  "TABLE",
  "EXPLAIN",
  "DESCRIBE",
  "SUMMARIZE",
  "SHOW",
  "SET",
  "RESET",
  "(",
]);

/** Statements that commit on the session's reference (procedures: `runCall` says which commit). */
const WRITES = new Set<Statement["kind"]>([
  "create-namespace",
  "drop-namespace",
  "create-table",
  "drop-table",
  "alter-table",
  "insert",
  "delete",
  "update",
  "merge",
  "create-view",
  "drop-view",
]);

/** The table or view a write names, if it names one. */
function writeTarget(st: Statement): readonly string[] | undefined {
  switch (st.kind) {
    case "insert":
    case "delete":
    case "update":
      return st.table;
    case "merge":
      return st.target;
    case "create-table":
    case "drop-table":
    case "alter-table":
    case "create-view":
    case "drop-view":
      return st.name;
    default:
      return undefined;
  }
}

/**
 * A SQL session: a DuckDB connection (in memory, in this process) plus a current reference of the
 * catalog. `execute` runs one statement: floe's own (branches, namespaces, tables, INSERT) through
 * the catalog, each write (INSERT, DELETE) as ONE commit on the session's branch through the commit path; queries in
 * DuckDB over the Iceberg tables they name, read at the session's reference. A statement that fails
 * commits nothing. One statement at a time.
 */
export class SqlSession {
  private constructor(
    private readonly ctx: SessionContext,
    private readonly instance: DuckDBInstance,
  ) {}

  static async open(opts: SessionOptions): Promise<SqlSession> {
    const ref = opts.ref ?? opts.catalog.store.defaultBranch;
    await opts.catalog.store.resolve(parseRefSpec(ref));
    const files = opts.files ?? (await engineFiles({ objects: opts.objects }));
    const instance = await DuckDBInstance.create(
      ":memory:",
      files.extensionDirectory === undefined ? {} : { extension_directory: files.extensionDirectory },
    );
    let duck: DuckDBConnection;
    try {
      duck = await instance.connect();
    } catch (e) {
      instance.closeSync();
      throw e;
    }
    attachFiles(duck, files);
    const ctx: SessionContext = {
      catalog: opts.catalog,
      objects: opts.objects,
      duck,
      ref,
      views: new Set(),
      ...(opts.author === undefined ? {} : { author: opts.author }),
    };
    return new SqlSession(ctx, instance);
  }

  /** The reference statements read and write (`USE REFERENCE` changes it). */
  get ref(): string {
    return this.ctx.ref;
  }

  /**
   * Runs one statement. When `signal` aborts (Ctrl-C, a timeout), DuckDB is interrupted and the
   * statement fails with the signal's reason (`cancel.ts`). A statement that fails inside a
   * transaction ends it (`transaction.ts`): nothing of it is committed, its files are removed.
   */
  async execute(sql: string, opts: { readonly signal?: AbortSignal } = {}): Promise<StatementResult> {
    const files = duckFiles(this.ctx.duck);
    files.release(); // the cached files of the previous statement, if its rows were not read to the end
    const cancel = new Cancellation(this.ctx.duck, opts.signal);
    try {
      const st = parseStatement(sql);
      checkInTransaction(this.ctx, st);
      cancel.check();
      return cancel.watch(releasedWhenRead(await this.run(st), files));
    } catch (e) {
      cancel.release();
      files.release();
      const error = opts.signal?.aborted ? cancel.reason() : duckError(e, this.ctx.ref, sql);
      if (!this.ctx.tx) throw error;
      await rollback(this.ctx);
      throw error instanceof FloeError
        ? new FloeError(error.kind, `${error.message} (the transaction was rolled back)`)
        : error;
    }
  }

  private async run(st: Statement): Promise<StatementResult> {
    const s = this.ctx;
    if (WRITES.has(st.kind)) await requireBranch(s, writeTarget(st));
    switch (st.kind) {
      case "create-reference":
      case "use-reference":
      case "merge-branch":
      case "show-references":
      case "show-reference":
      case "show-log":
      case "assign-reference":
      case "drop-reference":
        return runReferenceStatement(s, st);
      case "create-namespace":
        return runCreateNamespace(s, st);
      case "drop-namespace":
        return runDropNamespace(s, st);
      case "show-namespaces":
        return runShowNamespaces(s);
      case "show-tables":
        return runShowTables(s, st);
      case "create-table":
        return runCreateTable(
          s,
          st.asQuery === undefined ? st : { ...st, asQuery: rewriteTableRefs(st.asQuery) },
        );
      case "drop-table":
        return runDropTable(s, st);
      case "alter-table":
        return runAlterTable(s, st);
      case "insert":
        return this.insert(st);
      case "delete": {
        // A condition floe can turn into an Iceberg expression prunes files and picks the rows;
        // any other (functions, subqueries) is evaluated by DuckDB, on the files its convertible
        // conjuncts leave.
        const where = st.where === undefined ? undefined : rewriteTableRefs(st.where);
        const condition = where === undefined ? undefined : await whereNode(s.duck, where);
        const exact = condition === undefined ? alwaysTrue() : exactExpression(condition, where ?? "");
        if (exact === undefined) await registerTables(s, `SELECT 1 FROM __floe_target WHERE ${where}`);
        const alias = st.table[st.table.length - 1] as string;
        const n = await deleteFromTable(
          s,
          [...st.table],
          (t) => exact ?? targetFilter(condition, currentSchema(t.metadata), alias),
          exact ? undefined : where,
        );
        return messageResult(`Deleted ${n} rows from ${st.table.join(".")}`);
      }
      case "query":
        return this.query(st.sql);
      case "call":
        return runCall(s, st);
      case "update":
        return runUpdate(s, st);
      case "merge":
        return runMerge(s, st);
      case "transaction":
        return runTransaction(s, st);
      case "create-view":
        return runCreateView(s, st);
      case "drop-view":
        return runDropView(s, st);
      case "show-views":
        return runShowTables(s, st, "ICEBERG_VIEW");
    }
  }

  private async insert(st: Extract<Statement, { kind: "insert" }>): Promise<StatementResult> {
    const s = this.ctx;
    const key = [...st.table];
    const { metadata: m } = await tableForWrite(s, key);
    const fields = m.schemas.find((x) => x.schemaId === m.currentSchemaId)?.fields ?? [];
    const columns = (st.columns ?? fields.map((f) => f.name)).map((c) => {
      const f =
        fields.find((x) => x.name === c) ?? fields.find((x) => x.name.toLowerCase() === c.toLowerCase());
      if (!f) throw badRequest(`Table ${key.join(".")} has no column ${c}`);
      return f.name;
    });
    if (new Set(columns).size !== columns.length)
      throw badRequest(`A column is named twice in INSERT INTO ${key.join(".")}`);
    const body = rewriteTableRefs(st.source);
    // the tables as they are now (a previous statement's views may predate an ALTER TABLE)
    await registerTables(s, `SELECT * FROM (${body}) AS __floe_src`);
    const count = await this.ctx.duck.runAndReadAll(`SELECT * FROM (${body}) AS __floe_src LIMIT 0`).then(
      (r) => r.columnCount,
      () => undefined, // the source's own error is reported by the write below
    );
    if (count !== undefined && count !== columns.length)
      throw badRequest(
        `INSERT INTO ${key.join(".")} has ${columns.length} target columns but the source has ${count}`,
      );
    const select = fields.map((f) =>
      columns.includes(f.name) ? quoteIdent(f.name) : `NULL AS ${quoteIdent(f.name)}`,
    );
    const source = `SELECT ${select.join(", ")} FROM (${body}) AS __floe_src(${columns.map(quoteIdent).join(", ")})`;
    const n = (await appendToTable(s, key, source)).rows;
    return messageResult(
      n === 0n ? `Inserted no rows into ${key.join(".")}` : `Inserted ${n} rows into ${key.join(".")}`,
    );
  }

  private async query(text: string): Promise<StatementResult> {
    const first = /^\s*(\(|[A-Za-z]+)/.exec(text)?.[1]?.toUpperCase() ?? "";
    if (!QUERY_WORDS.has(first)) {
      await parseTree(this.ctx.duck, text); // a syntax error is reported as one
      const what = /^\s*(MERGE\s+INTO|[A-Za-z]+)/i.exec(text)?.[1]?.toUpperCase() ?? text.slice(0, 20);
      throw badRequest(`Unsupported statement: ${what} is not supported by floe sql`);
    }
    const sql = rewriteTableRefs(text);
    await registerTables(this.ctx, sql);
    const result = await this.ctx.duck.stream(sql);
    const names = result.columnNames();
    const types = result.columnTypes();
    const rows = mapErrors(result.yieldRowsJson(), this.ctx.ref);
    // EXPLAIN: floe's scan planning (filters, files skipped) as a row before DuckDB's plan
    const explain = first === "EXPLAIN" && names[0] === "explain_key" && names.length === 2;
    return {
      columns: names.map((name, i) => ({ name, type: String(types[i]) })),
      batches: explain ? withFirst([[FLOE_SCAN_KEY, explainScans(this.ctx.scans ?? [])]], rows) : rows,
    };
  }

  /**
   * Writes the rows of a query (`SELECT`, `WITH`, …) to a Parquet file with DuckDB's `COPY … TO`
   * (`floe sql --format parquet -o <file>`); returns the number of rows.
   */
  async copyTo(sql: string, path: string, opts: { readonly signal?: AbortSignal } = {}): Promise<bigint> {
    const st = parseStatement(sql);
    if (st.kind !== "query") throw badRequest("Only the rows of a query can be written to a Parquet file");
    const files = duckFiles(this.ctx.duck);
    files.release();
    const cancel = new Cancellation(this.ctx.duck, opts.signal);
    try {
      cancel.check();
      const query = rewriteTableRefs(st.sql);
      await registerTables(this.ctx, query);
      const r = await this.ctx.duck.runAndReadAll(`COPY (${query}) TO ${sqlString(path)} (FORMAT parquet)`);
      cancel.check();
      return BigInt(String(r.getRows()[0]?.[0] ?? 0));
    } catch (e) {
      if (opts.signal?.aborted) throw cancel.reason();
      throw duckError(e, this.ctx.ref, sql);
    } finally {
      cancel.release();
      files.release();
    }
  }

  async close(): Promise<void> {
    await rollback(this.ctx); // an open transaction ends with the session, committing nothing
    duckFiles(this.ctx.duck).release();
    this.ctx.duck.closeSync();
    this.instance.closeSync();
  }
}

async function* withFirst<T>(first: T, rest: AsyncIterable<T>): AsyncIterable<T> {
  yield first;
  yield* rest;
}

async function* mapErrors<T>(batches: AsyncIterable<T>, ref: string): AsyncIterable<T> {
  try {
    yield* batches;
  } catch (e) {
    throw duckError(e, ref);
  }
}

const USER_ERRORS =
  /^(Parser|Binder|Catalog|Conversion|Invalid Input|Out of Range|Constraint|Not implemented|Invalid Type|Dependency|Syntax) Error/;

/** DuckDB's errors as FloeErrors with one line; an unknown table names the session's reference. */
function duckError(e: unknown, ref: string, sql?: string): unknown {
  // DuckDB prefixes a statement it cannot split into statements (`SET x =`) with this
  const line = (e instanceof Error ? (e.message.split("\n")[0] ?? e.message) : "").replace(
    /^Failed to extract statements: /,
    "",
  );
  // A plain bad-request carrying DuckDB's multi-line message (its query excerpt): its first line
  if (isFloeError(e, "BAD_REQUEST") && e.constructor === FloeError && line !== e.message)
    return badRequest(line);
  if (isFloeError(e) || !(e instanceof Error)) return e;
  const missing = /^Catalog Error: Table with name "?([^"\s]+)"? does not exist/.exec(line);
  if (missing) return new FloeError("NOT_FOUND", `Table ${missing[1]} does not exist on ${ref}`);
  const offset = /position/.test(line) ? undefined : errorOffset(e.message, sql);
  const where = offset === undefined ? "" : ` (at position ${offset})`;
  return USER_ERRORS.test(line) ? badRequest(`${line}${where}`) : new FloeError("INTERNAL", line);
}

/**
 * A result whose cached data files (`DuckFiles`) are unpinned once its rows have been read, or
 * given up: the cache may then evict them while the session sits idle. (The next statement
 * unpins them too, should the rows never be read to the end.)
 */
function releasedWhenRead(r: StatementResult, files: DuckFiles): StatementResult {
  return { ...r, batches: releasing(r.batches, files) };
}

async function* releasing<T>(batches: AsyncIterable<T>, files: DuckFiles): AsyncIterable<T> {
  try {
    yield* batches;
  } finally {
    files.release();
  }
}
