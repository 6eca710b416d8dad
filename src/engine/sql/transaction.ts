import { commitMessage, commitTables, type TableChange } from "../../catalog/commit-path.ts";
import { cleanlyRefused } from "../../catalog/context.ts";
import { badRequest, FloeError, isFloeError } from "../../core/errors.ts";
import { applyUpdates } from "../../iceberg/apply-updates.ts";
import type { TableRequirement } from "../../iceberg/requirements.ts";
import type { TableMetadata } from "../../iceberg/table-metadata.ts";
import type { TableUpdate } from "../../iceberg/updates.ts";
import type { ContentKey } from "../../versioning/model.ts";
import type { DmlStatement } from "./dml-statements.ts";
import { messageResult, type StatementResult } from "./result.ts";
import type { SessionContext } from "./session-context.ts";
import type { Statement } from "./statements.ts";
import { commitMeta, discardFiles, type WriteBase } from "./writes.ts";

/** A table a transaction changed: where it started, and its changes so far. */
interface PendingTable {
  readonly key: ContentKey;
  readonly base: WriteBase;
  /** The first statement's requirements: the table as the transaction found it. */
  readonly requirements: readonly TableRequirement[];
  readonly updates: TableUpdate[];
  /** The base with every update applied: what statements in the transaction read and write. */
  metadata: TableMetadata;
}

/**
 * A `BEGIN … COMMIT` transaction of a SQL session: each write's change (updates and requirements,
 * from the same producers a statement outside a transaction uses) is staged here instead of
 * committed; later statements read and write the tables it changed at their pending metadata. COMMIT
 * sends every table's changes to the one commit path (`commitTables`) as ONE version-store commit;
 * ROLLBACK, a failed statement or the session's end deletes the files the transaction wrote.
 */
export class Transaction {
  private readonly tables = new Map<string, PendingTable>();
  /** Data, delete, manifest and manifest-list files the staged changes refer to. */
  readonly written: string[] = [];

  constructor(readonly ref: string) {}

  /** A table the transaction changed, at its pending state. */
  table(key: ContentKey): WriteBase | undefined {
    const t = this.tables.get(key.join("\u0000"));
    return t && { metadataLocation: t.base.metadataLocation, metadata: t.metadata };
  }

  /** Stages a statement's change, made from `base` (the table's pending state or the branch head's). */
  stage(change: TableChange, base: WriteBase, files: readonly string[]): void {
    const k = change.key.join("\u0000");
    const t = this.tables.get(k);
    const metadata = applyUpdates(t?.metadata ?? base.metadata, change.updates);
    if (t) {
      t.updates.push(...change.updates);
      t.metadata = metadata;
    } else
      this.tables.set(k, {
        key: change.key,
        base,
        requirements: change.requirements,
        updates: [...change.updates],
        metadata,
      });
    this.written.push(...files);
  }

  changes(): TableChange[] {
    return [...this.tables.values()].map((t) => ({
      key: t.key,
      requirements: t.requirements,
      updates: t.updates,
    }));
  }
}

/** Statements a transaction allows: writes to existing tables, queries, and what only reads the catalog. */
const ALLOWED = new Set<Statement["kind"]>([
  "insert",
  "delete",
  "update",
  "merge",
  "query",
  "transaction",
  "show-references",
  "show-reference",
  "show-log",
  "show-namespaces",
  "show-tables",
]);

/** Refuses a statement a transaction does not allow (DDL, reference changes) with one line. */
export function checkInTransaction(s: SessionContext, st: Statement): void {
  if (s.tx && !ALLOWED.has(st.kind))
    throw badRequest(
      `${statementName(st)} is not allowed inside a transaction (only INSERT, UPDATE, DELETE, MERGE INTO and queries); COMMIT or ROLLBACK first`,
    );
}

const statementName = (st: Statement): string =>
  st.kind
    .split("-")
    .map((w) => w.toUpperCase())
    .join(" ");

/** BEGIN / START TRANSACTION, COMMIT, ROLLBACK. */
export async function runTransaction(
  s: SessionContext,
  st: Extract<DmlStatement, { kind: "transaction" }>,
): Promise<StatementResult> {
  if (st.action === "begin") {
    if (s.tx)
      throw badRequest(
        "A transaction is already open (transactions do not nest): COMMIT or ROLLBACK it first",
      );
    s.tx = new Transaction(s.ref);
    return messageResult(`Transaction started on ${s.ref}`);
  }
  const tx = s.tx;
  if (!tx) throw badRequest(`${st.action.toUpperCase()} without a transaction: no BEGIN came before it`);
  if (st.action === "rollback") {
    await rollback(s);
    return messageResult("Rolled back: nothing was committed");
  }
  s.tx = undefined;
  const changes = tx.changes();
  if (changes.length === 0) return messageResult("Committed: the transaction changed nothing");
  try {
    await commitTables(
      s.catalog,
      tx.ref,
      changes,
      commitMeta(s, `SQL transaction: ${commitMessage(changes)}`),
    );
  } catch (e) {
    // Files stay when the commit may have landed (outcome unknown): never delete what a commit refers to.
    if (!cleanlyRefused(e) || !isFloeError(e)) throw e;
    await discardFiles(s, tx.written);
    throw new FloeError(e.kind, `COMMIT failed, nothing was committed: ${e.message}`);
  }
  const names = changes.map((c) => c.key.join("."));
  return messageResult(
    `Committed ${names.length === 1 ? "1 table" : `${names.length} tables`} (${names.join(", ")}) in one commit on ${tx.ref}`,
  );
}

/** Ends the open transaction, if any, deleting the files it wrote: nothing of it is committed. */
export async function rollback(s: SessionContext): Promise<void> {
  const tx = s.tx;
  s.tx = undefined;
  if (tx) await discardFiles(s, tx.written);
}

/** Whether a statement's text is BEGIN / START TRANSACTION, COMMIT or ROLLBACK. */
export function isTransactionStatement(sql: string): boolean {
  return /^\s*(BEGIN|START\s+TRANSACTION|COMMIT|ROLLBACK|ABORT)\b/i.test(sql);
}

/**
 * Whether statements are one whole transaction: BEGIN / START TRANSACTION first, COMMIT or ROLLBACK
 * last. A session that lives for one request (`POST /api/v1/sql`) runs a transaction only so.
 */
export function isTransactionBlock(statements: readonly string[]): boolean {
  const first = statements[0] ?? "";
  const last = statements[statements.length - 1] ?? "";
  return (
    statements.length >= 2 &&
    /^\s*(BEGIN|START\s+TRANSACTION)\b/i.test(first) &&
    /^\s*(COMMIT|ROLLBACK|ABORT)\b/i.test(last)
  );
}
