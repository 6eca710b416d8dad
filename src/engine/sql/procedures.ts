import type { Json } from "@duckdb/node-api";
import { loadTable } from "../../catalog/tables.ts";
import { badRequest, FloeError, isFloeError } from "../../core/errors.ts";
import { deleteFiles, requireGcEnabled } from "../../iceberg/maintenance/delete-files.ts";
import { deleteExpiredFiles, expiredFiles } from "../../iceberg/maintenance/expire-files.ts";
import { planExpireSnapshots } from "../../iceberg/maintenance/expire-snapshots.ts";
import { removeOrphanFiles } from "../../iceberg/maintenance/orphan-files.ts";
import { rollbackTo, rollbackToTime, setCurrentSnapshot } from "../../iceberg/maintenance/rollback.ts";
import type { TableChange } from "../../iceberg/maintenance/table-change.ts";
import { MAIN_BRANCH } from "../../iceberg/snapshot-ref.ts";
import type { TableMetadata } from "../../iceberg/table-metadata.ts";
import { sqlString } from "../duck-types.ts";
import { produceRewrite } from "../rewrite-data-files.ts";
import { rowsResult, type SqlColumn, type StatementResult } from "./result.ts";
import type { SessionContext } from "./session-context.ts";
import type { CallValue, Statement } from "./statements.ts";
import { otherHolders } from "./table-holders.ts";
import { whereExpression } from "./where.ts";
import { commitProduced } from "./writes.ts";
import { requireBranch } from "./writable-ref.ts";
import { Cursor } from "./cursor.ts";

/**
 * Spark's Iceberg procedures (`CALL system.<name>(…)`), each with Spark's arguments (by name or
 * position) and result columns, run through floe's maintenance functions; every table change is
 * one commit on the session's branch through the commit path.
 */
type Args = ReadonlyMap<string, CallValue>;

interface Procedure {
  /** Parameters in Spark's order (positional arguments bind in it). */
  readonly params: readonly string[];
  readonly required: readonly string[];
  /** Parameters Spark has that floe refuses, with why. */
  readonly refused?: Readonly<Record<string, string>>;
  /** True when it commits nothing (it may still delete files no reference reaches): runs on a tag too. */
  readonly commitsNothing?: boolean;
  run(s: SessionContext, args: Args, name: string): Promise<StatementResult>;
}

const PROCEDURES: Record<string, Procedure> = {
  rewrite_data_files: {
    params: ["table", "strategy", "sort_order", "options", "where"],
    required: ["table"],
    refused: { sort_order: "the sort strategy is not supported (floe compacts with binpack)" },
    run: rewriteDataFiles,
  },
  expire_snapshots: {
    params: [
      "table",
      "older_than",
      "retain_last",
      "max_concurrent_deletes",
      "stream_results",
      "snapshot_ids",
    ],
    required: ["table"],
    refused: {
      snapshot_ids: "expiring chosen snapshot ids is not supported; use older_than and retain_last",
    },
    run: expireSnapshots,
  },
  remove_orphan_files: {
    params: ["table", "older_than", "location", "dry_run", "max_concurrent_deletes"],
    required: ["table"],
    refused: { location: "only the table's own locations are searched" },
    commitsNothing: true,
    run: removeOrphans,
  },
  rollback_to_snapshot: {
    params: ["table", "snapshot_id"],
    required: ["table", "snapshot_id"],
    run: (s, args, name) =>
      moveMain(s, args, name, (m) =>
        rollbackTo(m, bigintArg(args, "snapshot_id", name), { branch: MAIN_BRANCH }),
      ),
  },
  rollback_to_timestamp: {
    params: ["table", "timestamp"],
    required: ["table", "timestamp"],
    run: async (s, args, name) => {
      const ms = await timestampArg(s, args, "timestamp", name);
      return moveMain(s, args, name, (m) => rollbackToTime(m, ms as number, { branch: MAIN_BRANCH }));
    },
  },
  set_current_snapshot: {
    params: ["table", "snapshot_id"],
    required: ["table", "snapshot_id"],
    run: (s, args, name) =>
      moveMain(s, args, name, (m) =>
        setCurrentSnapshot(m, bigintArg(args, "snapshot_id", name), { branch: MAIN_BRANCH }),
      ),
  },
};

export async function runCall(
  s: SessionContext,
  st: Extract<Statement, { kind: "call" }>,
): Promise<StatementResult> {
  const name = `system.${st.procedure}`;
  const p = PROCEDURES[st.procedure];
  if (!p)
    throw new FloeError(
      "NOT_FOUND",
      `Unknown procedure ${name} (floe has: ${Object.keys(PROCEDURES).join(", ")})`,
    );
  const args = new Map<string, CallValue>();
  st.args.forEach((a, i) => {
    const param = a.name ?? p.params[i];
    if (param === undefined) throw badRequest(`Procedure ${name} takes at most ${p.params.length} arguments`);
    if (!p.params.includes(param))
      throw badRequest(`Procedure ${name} has no argument ${param} (it takes ${p.params.join(", ")})`);
    if (args.has(param)) throw badRequest(`Procedure ${name} got argument ${param} twice`);
    const why = p.refused?.[param];
    if (why !== undefined) throw badRequest(`Procedure ${name}: argument ${param} is not supported: ${why}`);
    args.set(param, a.value);
  });
  for (const r of p.required) if (!args.has(r)) throw badRequest(`Procedure ${name} needs argument ${r}`);
  if (p.commitsNothing !== true) await requireBranch(s);
  return p.run(s, args, name);
}

// --- arguments

function stringArg(args: Args, key: string, name: string): string | undefined {
  const v = args.get(key);
  if (v === undefined) return undefined;
  if (v.type !== "string") throw badRequest(`Procedure ${name}: argument ${key} must be a string`);
  return v.value;
}

function intArg(args: Args, key: string, name: string, min: number): number | undefined {
  const v = args.get(key);
  if (v === undefined) return undefined;
  const n = v.type === "number" || v.type === "string" ? Number(v.value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min)
    throw badRequest(`Procedure ${name}: argument ${key} must be an integer of at least ${min}`);
  return n;
}

function bigintArg(args: Args, key: string, name: string): bigint {
  const v = args.get(key);
  if ((v?.type === "number" || v?.type === "string") && /^-?\d+$/.test(v.value)) return BigInt(v.value);
  throw badRequest(`Procedure ${name}: argument ${key} must be a snapshot id (an integer)`);
}

function boolArg(args: Args, key: string, name: string): boolean | undefined {
  const v = args.get(key);
  if (v === undefined) return undefined;
  if (v.type === "boolean") return v.value;
  if (v.type === "string" && /^(true|false)$/i.test(v.value)) return v.value.toLowerCase() === "true";
  throw badRequest(`Procedure ${name}: argument ${key} must be true or false`);
}

/** A `TIMESTAMP '…'` (or a string DuckDB reads as one; a number is milliseconds since the epoch). */
async function timestampArg(
  s: SessionContext,
  args: Args,
  key: string,
  name: string,
): Promise<number | undefined> {
  const v = args.get(key);
  if (v === undefined) return undefined;
  if (v.type === "number" && /^\d+$/.test(v.value)) return Number(v.value);
  if (v.type !== "timestamp" && v.type !== "string")
    throw badRequest(
      `Procedure ${name}: argument ${key} must be a timestamp (TIMESTAMP '2024-01-01 00:00:00')`,
    );
  const reader = await s.duck
    .runAndReadAll(`SELECT epoch_ms(CAST(${sqlString(v.value)} AS TIMESTAMPTZ))`)
    .catch(() => {
      throw badRequest(`Procedure ${name}: argument ${key} is not a valid timestamp: '${v.value}'`);
    });
  return Number(reader.getRows()[0]?.[0]);
}

/**
 * The table a `table => 'ns.t'` argument names on the session's reference: any number of namespace
 * levels (`a.b.t`), a quoted level being one (`"a.b".t`); a leading catalog name is skipped.
 */
async function tableArg(s: SessionContext, args: Args, name: string) {
  const text = stringArg(args, "table", name) as string;
  const parts = tableParts(text);
  if (parts === undefined || parts.length < 2 || parts.some((p) => p === ""))
    throw badRequest(`Procedure ${name}: argument table must name <namespace>.<table>, not '${text}'`);
  const load = (key: string[]) => loadTable(s.catalog, s.ref, key).then((t) => ({ key, ...t }));
  const notFound = (e: unknown): unknown =>
    isFloeError(e, "NOT_FOUND") ? new FloeError("NOT_FOUND", `Table ${text} does not exist on ${s.ref}`) : e;
  try {
    return await load(parts);
  } catch (e) {
    if (isFloeError(e, "NOT_FOUND") && parts.length > 2)
      return load(parts.slice(1)).catch(() => {
        throw notFound(e);
      });
    throw notFound(e);
  }
}

/** `a.b.t`, `"a.b".t`, `` `a`.t ``: the parts of a dotted name (quoted: one each); undefined when it is none. */
function tableParts(text: string): string[] | undefined {
  if (!/["`]/.test(text)) return text.split(".");
  try {
    const c = new Cursor(text);
    const parts = c.qualifiedName();
    c.expectEnd();
    return parts;
  } catch {
    return undefined;
  }
}

const row = (columns: readonly [string, string][], values: Json[], message?: string): StatementResult =>
  rowsResult(
    columns.map(([n, type]): SqlColumn => ({ name: n, type })),
    [values],
    message,
  );

// --- procedures

const REWRITE_OPTIONS = new Set(["min-input-files", "target-file-size-bytes"]);

async function rewriteDataFiles(s: SessionContext, args: Args, name: string): Promise<StatementResult> {
  const strategy = stringArg(args, "strategy", name);
  if (strategy !== undefined && strategy.toLowerCase() !== "binpack")
    throw badRequest(
      `Procedure ${name}: strategy '${strategy}' is not supported (floe compacts with binpack)`,
    );
  const options = new Map<string, string>();
  const o = args.get("options");
  if (o !== undefined) {
    if (o.type !== "map")
      throw badRequest(`Procedure ${name}: argument options must be map('key', 'value', …)`);
    for (const [k, v] of o.value) {
      if (!REWRITE_OPTIONS.has(k))
        throw badRequest(
          `Procedure ${name}: option ${k} is not supported (floe takes ${[...REWRITE_OPTIONS].join(", ")})`,
        );
      options.set(k, v);
    }
  }
  const where = stringArg(args, "where", name);
  const filter =
    where === undefined
      ? undefined
      : await whereExpression(s.duck, where).catch((e: unknown) => {
          if (!isFloeError(e)) throw e;
          throw badRequest(e.message.replace(/WHERE in DELETE/, `where in ${name}`));
        });
  const optionInt = (k: string): number | undefined => {
    const v = options.get(k);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 1)
      throw badRequest(`Procedure ${name}: option ${k} must be a positive integer, not '${v}'`);
    return n;
  };
  const minInput = optionInt("min-input-files");
  const target = optionInt("target-file-size-bytes");
  for (let attempt = 1; ; attempt++) {
    const t = await tableArg(s, args, name);
    const store = s.objects.storeFor(t.metadata.location);
    const r = await produceRewrite({
      duck: s.duck,
      store,
      table: { location: t.metadataLocation, metadata: t.metadata },
      ...(filter ? { filter, caseSensitive: false } : {}),
      ...(minInput === undefined ? {} : { minInputFiles: minInput }),
      ...(target === undefined ? {} : { targetFileSizeBytes: target }),
    });
    const columns: [string, string][] = [
      ["rewritten_data_files_count", "INTEGER"],
      ["added_data_files_count", "INTEGER"],
      ["rewritten_bytes_count", "BIGINT"],
      ["failed_data_files_count", "INTEGER"],
      ["removed_delete_files_count", "INTEGER"],
    ];
    const out = () =>
      row(columns, [
        r.rewrittenDataFiles,
        r.addedDataFiles,
        String(r.rewrittenBytes),
        0,
        r.removedDeleteFiles,
      ]);
    if (!r.produced) return out();
    const change = { key: t.key, requirements: r.produced.requirements, updates: r.produced.updates };
    try {
      await commitProduced(
        s,
        change,
        [...r.writtenFiles, ...r.produced.writtenFiles],
        `Rewrite data files of ${t.key.join(".")}`,
      );
      return out();
    } catch (e) {
      if (!isFloeError(e, "COMMIT_CONFLICT") || attempt >= 2) throw e;
    }
  }
}

async function expireSnapshots(s: SessionContext, args: Args, name: string): Promise<StatementResult> {
  const olderThanMs = await timestampArg(s, args, "older_than", name);
  const retainLast = intArg(args, "retain_last", name, 1);
  const concurrency = intArg(args, "max_concurrent_deletes", name, 1);
  boolArg(args, "stream_results", name); // accepted; results are counts either way
  const t = await tableArg(s, args, name);
  const table = t.key.join(".");
  requireGcEnabled(t.metadata, `expire snapshots of ${table}`);
  const plan = planExpireSnapshots(t.metadata, {
    nowMs: Date.now(),
    ...(olderThanMs === undefined ? {} : { olderThanMs }),
    ...(retainLast === undefined ? {} : { retainLast }),
  });
  const columns: [string, string][] = [
    ["deleted_data_files_count", "BIGINT"],
    ["deleted_position_delete_files_count", "BIGINT"],
    ["deleted_equality_delete_files_count", "BIGINT"],
    ["deleted_manifest_files_count", "BIGINT"],
    ["deleted_manifest_lists_count", "BIGINT"],
    ["deleted_statistics_files_count", "BIGINT"],
  ];
  if (plan.updates.length === 0) return row(columns, ["0", "0", "0", "0", "0", "0"]);
  const change = { key: t.key, requirements: plan.requirements, updates: plan.updates };
  const done = await commitProduced(s, change, [], `Expire snapshots of ${table}`);
  const store = s.objects.storeFor(t.metadata.location);
  const files = await expiredFiles({ before: t.metadata, after: done.metadata, store });
  const removed = `Expired ${plan.removedSnapshotIds.length} snapshots of ${table}`;
  const [holder] = await otherHolders(s, t.key, t.metadata.location);
  if (holder)
    return row(
      columns,
      ["0", "0", "0", "0", "0", "0"],
      `${removed}; their files are kept: ${holder.type} ${holder.name} still holds the table`,
    );
  const report = await deleteExpiredFiles(store, done.metadata, files, concurrency);
  const failed = new Set(report.failed.map((f) => f.path));
  const count = (paths: readonly string[] | undefined) =>
    String((paths ?? []).filter((p) => !failed.has(p)).length);
  const equality = new Set(files.equalityDeleteFiles ?? []);
  return row(
    columns,
    [
      count(files.dataFiles),
      count(files.deleteFiles.filter((p) => !equality.has(p))),
      count([...equality]),
      count(files.manifests),
      count(files.manifestLists),
      count([...files.statisticsFiles, ...files.partitionStatisticsFiles]),
    ],
    report.failed.length === 0
      ? removed
      : `${removed}; ${report.failed.length} files could not be deleted: ${report.failed[0]?.path} (${report.failed[0]?.error})`,
  );
}

/**
 * Orphans of the table on the session's reference that no other branch or tag holding the table
 * reaches either (a file only another branch's snapshots use is no orphan).
 */
async function removeOrphans(s: SessionContext, args: Args, name: string): Promise<StatementResult> {
  const olderThanMs = await timestampArg(s, args, "older_than", name);
  const dryRun = boolArg(args, "dry_run", name) ?? false;
  const concurrency = intArg(args, "max_concurrent_deletes", name, 1);
  const t = await tableArg(s, args, name);
  const store = s.objects.storeFor(t.metadata.location);
  const nowMs = Date.now();
  const orphansOf = async (table: { metadataLocation: string; metadata: TableMetadata }) =>
    (
      await removeOrphanFiles({
        store,
        table: { location: table.metadataLocation, metadata: table.metadata },
        nowMs,
        ...(olderThanMs === undefined ? {} : { olderThanMs }),
        dryRun: true,
      })
    ).orphans;
  let orphans = await orphansOf(t);
  for (const holder of await otherHolders(s, t.key, t.metadata.location)) {
    const theirs = new Set(await orphansOf(holder.table));
    orphans = orphans.filter((p) => theirs.has(p));
  }
  let message = `${orphans.length} orphan files${dryRun ? " found (dry run: nothing deleted)" : " deleted"}`;
  if (!dryRun && orphans.length > 0) {
    requireGcEnabled(t.metadata, `remove orphan files of ${t.key.join(".")}`);
    const report = await deleteFiles(store, orphans, concurrency);
    if (report.failed.length > 0)
      message = `${report.deleted} orphan files deleted; ${report.failed.length} could not be: ${report.failed[0]?.path} (${report.failed[0]?.error})`;
  }
  return rowsResult(
    [{ name: "orphan_file_location", type: "VARCHAR" }],
    orphans.map((p) => [p]),
    message,
  );
}

/** rollback_to_snapshot, rollback_to_timestamp, set_current_snapshot: moves the table's main branch. */
async function moveMain(
  s: SessionContext,
  args: Args,
  name: string,
  move: (m: TableMetadata) => TableChange,
): Promise<StatementResult> {
  const t = await tableArg(s, args, name);
  const previous = t.metadata.refs[MAIN_BRANCH]?.snapshotId ?? t.metadata.currentSnapshotId;
  let change: TableChange;
  try {
    change = move(t.metadata);
  } catch (e) {
    // the maintenance functions name the table by its location; name it as the user did
    if (isFloeError(e))
      throw new FloeError(e.kind, e.message.replace(`table ${t.metadata.location}`, t.key.join(".")));
    throw e;
  }
  const columns: [string, string][] = [
    ["previous_snapshot_id", "BIGINT"],
    ["current_snapshot_id", "BIGINT"],
  ];
  const done =
    change.updates.length === 0
      ? undefined
      : await commitProduced(s, { key: t.key, ...change }, [], `Move main of ${t.key.join(".")} (${name})`);
  const current = done ? done.metadata.refs[MAIN_BRANCH]?.snapshotId : previous;
  return row(columns, [
    previous === undefined ? null : String(previous),
    current === undefined ? null : String(current),
  ]);
}
