import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { open, mkdtemp, readdir, rm, rmdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CatalogContext } from "../../catalog/context.ts";
import { badRequest, FloeError, isFloeError } from "../../core/errors.ts";
import type { Schema } from "../../iceberg/schema.ts";
import type { TableMetadata } from "../../iceberg/table-metadata.ts";
import { parseLocation } from "../../storage/location.ts";
import type { ObjectStoreResolver } from "../../storage/open-object-store.ts";
import { quoteIdent, sqlString } from "../duck-types.ts";
import { schemaOf, specOf } from "../sql/ddl.ts";
import type { SessionContext } from "../sql/session-context.ts";
import type { PartitionDef } from "../sql/statements.ts";
import { appendRows, createWithRows, type WriteOutcome } from "../sql/writes.ts";
import { checkIngestArgs, type IngestArgs } from "./args.ts";
import { type InputFormat, type Inputs, resolveInputs } from "./inputs.ts";
import { matchColumns } from "./match.ts";
import { describeInput, inputColumnSql, readerSql } from "./reader.ts";
import { openRestCatalog } from "./rest-catalog.ts";
import { type IngestCatalog, localCatalog } from "./target.ts";

export interface IngestOptions {
  /** The catalog, opened in this process; or `server`. */
  readonly catalog?: CatalogContext;
  /**
   * A floe server's URL, when it holds the catalog: the files are written here, the table loaded,
   * created and committed through its Iceberg REST API.
   */
  readonly server?: string;
  /** Where the data files are written: the warehouse's object stores. */
  readonly objects: ObjectStoreResolver;
  /** A file, a directory or a glob of local files. */
  readonly input: string;
  /** `namespace.table`. */
  readonly table: string;
  /** The branch to commit to; default the default branch. */
  readonly ref?: string;
  /** Forces the input format (`csv`, `parquet`, `json`); default by the files' names. */
  readonly format?: string;
  /** `day(ts), bucket(16, id)`: the partitioning of a table the ingest creates. */
  readonly partitionBy?: string;
  /** Add input columns the table lacks (else they are an error). */
  readonly evolveSchema?: boolean;
  /** DuckDB's `memory_limit` (default 512MB); DuckDB spills to `tempDir` beyond it. */
  readonly memoryLimit?: string;
  /** Where DuckDB spills (default a fresh directory under the system's temp dir, removed after). */
  readonly tempDir?: string;
  readonly author?: string;
  /**
   * Called about every `progressIntervalMs` (default 250) while rows are written, and once with
   * `fraction` 1 when they are, before the commit.
   */
  readonly onProgress?: (p: IngestProgress) => void;
  readonly progressIntervalMs?: number;
  /**
   * Aborting it interrupts DuckDB's running query, and it is checked right before the commit: an
   * ingest aborted before its commit fails, commits nothing and removes its files.
   */
  readonly signal?: AbortSignal;
}

/** How far the write is: DuckDB's own progress of the query reading the input. */
export interface IngestProgress {
  /** 0 … 1. */
  readonly fraction: number;
  readonly totalBytes: number;
  /** Estimated: `fraction` × the input's bytes. */
  readonly bytesRead: number;
  /** Estimated from the input (Parquet: exact totals; CSV/JSON: the first MiB's rows per byte), if it can be. */
  readonly rowsEstimate?: number;
  readonly elapsedMs: number;
}

export interface IngestSummary {
  readonly table: string;
  readonly ref: string;
  readonly format: InputFormat;
  readonly files: number;
  readonly bytes: number;
  readonly rows: bigint;
  readonly dataFiles: number;
  readonly dataBytes: bigint;
  /** Undefined when the input had no rows: nothing was committed. */
  readonly snapshotId?: bigint;
  readonly created: boolean;
  readonly addedColumns: readonly string[];
  readonly seconds: number;
}

/**
 * `floe ingest`: reads local CSV, Parquet or JSON files with DuckDB (schema inferred by its
 * readers), creates the table when it is absent or appends to it, and makes ONE Iceberg commit on
 * the branch through the SQL engine's write path (`appendToTable` / `createWithRows`: data
 * files by DuckDB's `COPY`, a fast append, the catalog's commit path — or, with `server`, the
 * server's Iceberg REST API, as any Iceberg client commits). DuckDB streams the input to
 * Parquet files, with a memory limit and a spill directory, so no input is held in memory. A
 * failure commits nothing and removes the files written.
 */
export async function ingest(opts: IngestOptions): Promise<IngestSummary> {
  const started = Date.now();
  const args = checkIngestArgs(opts.table, opts.format, opts.partitionBy);
  const spill = opts.tempDir ?? (await mkdtemp(join(tmpdir(), "floe-ingest-")));
  const instance = await DuckDBInstance.create(":memory:", {
    memory_limit: opts.memoryLimit ?? "512MB",
    temp_directory: spill,
    preserve_insertion_order: "false",
  });
  try {
    const duck = await instance.connect();
    try {
      // Progress is only tracked with the progress bar on; it is read, never printed, by DuckDB.
      await duck.run("SET enable_progress_bar = true; SET enable_progress_bar_print = false");
      const interrupt = () => duck.interrupt();
      opts.signal?.addEventListener("abort", interrupt);
      try {
        opts.signal?.throwIfAborted();
        return await run(opts, duck, args, started);
      } catch (e) {
        if (opts.signal?.aborted) throw interrupted();
        throw e;
      } finally {
        opts.signal?.removeEventListener("abort", interrupt);
      }
    } finally {
      duck.closeSync();
    }
  } finally {
    instance.closeSync();
    if (opts.tempDir === undefined) await rm(spill, { recursive: true, force: true });
  }
}

async function run(
  opts: IngestOptions,
  duck: DuckDBConnection,
  { key, format, partitioning }: IngestArgs,
  started: number,
): Promise<IngestSummary> {
  const name = key.join(".");
  const progress = startProgress(duck, opts);
  const target = interruptible(await openTarget(opts, duck), opts.signal, progress);
  const ref = target.ref;
  const inputs = await resolveInputs(duck, opts.input, format);
  const plain = readerSql(inputs);
  const columns = await duckRead(() => describeInput(duck, plain));
  const existing = await target.find(key);
  const s = { duck, objects: opts.objects };
  progress.input(inputs.totalBytes, await estimateRows(duck, inputs));
  const write = (f: () => Promise<WriteOutcome>) => progress.during(() => duckRead(f));
  const nothing = async (): Promise<boolean> =>
    (await duckRead(() => duck.runAndReadAll(`SELECT 1 FROM ${plain} LIMIT 1`))).getRows().length === 0;

  let outcome: WriteOutcome;
  let added: string[] = [];
  if (existing === undefined) {
    const schema = schemaOf(columns.map((c) => ({ name: c.name, type: c.type, required: false })));
    const metadata = await target.newTable(key, schema, specOf(schema, partitioning ?? []));
    if (await nothing()) return summary(opts, inputs, ref, started, { rows: 0n, files: [] }, true, []);
    const source = `SELECT ${columns.map((c) => `${inputColumnSql(c)} AS ${quoteIdent(c.name)}`).join(", ")} FROM ${plain}`;
    try {
      outcome = await write(() =>
        createWithRows(
          s,
          target,
          key,
          metadata,
          source,
          `Ingest ${inputs.files.length} ${inputs.format} file(s) into new table ${name}`,
        ),
      );
    } catch (e) {
      await removeEmptyDirs(metadata.location);
      throw e;
    }
  } else {
    const schema = existing.schemas.find((x) => x.schemaId === existing.currentSchemaId) as Schema;
    if (partitioning !== undefined) checkPartitioning(existing, schema, partitioning, name);
    const match = matchColumns(schema, name, columns, inputs.format, opts.evolveSchema === true);
    added = match.added.map((c) => c.name);
    const source = `SELECT ${match.select} FROM ${readerSql(inputs, match.readerTypes)}`;
    outcome = await write(() =>
      appendRows(s, target, key, source, match.evolve === undefined ? {} : { evolve: match.evolve }),
    );
  }
  return summary(opts, inputs, ref, started, outcome, existing === undefined, added);
}

function summary(
  opts: IngestOptions,
  inputs: Inputs,
  ref: string,
  started: number,
  outcome: WriteOutcome,
  created: boolean,
  addedColumns: string[],
): IngestSummary {
  return {
    table: opts.table,
    ref,
    format: inputs.format,
    files: inputs.files.length,
    bytes: inputs.totalBytes,
    rows: outcome.rows,
    dataFiles: outcome.files.length,
    dataBytes: outcome.files.reduce((n, f) => n + f.fileSizeInBytes, 0n),
    ...(outcome.snapshotId === undefined ? {} : { snapshotId: outcome.snapshotId }),
    created: created && outcome.snapshotId !== undefined,
    addedColumns: outcome.snapshotId === undefined ? [] : addedColumns,
    seconds: (Date.now() - started) / 1000,
  };
}

/** The catalog to write to, on the branch (which must exist): this process's, or the server's. */
async function openTarget(opts: IngestOptions, duck: DuckDBConnection): Promise<IngestCatalog> {
  const application = "floe ingest";
  if (opts.server !== undefined) return openRestCatalog(opts.server, opts.ref, opts.author, application);
  if (opts.catalog === undefined) throw new Error("ingest needs a catalog or a server");
  const s: SessionContext = {
    catalog: opts.catalog,
    objects: opts.objects,
    duck,
    ref: opts.ref ?? opts.catalog.store.defaultBranch,
    views: new Set(),
    application,
    ...(opts.author === undefined ? {} : { author: opts.author }),
  };
  return localCatalog(s);
}

/** `--partition-by` on an existing table must say its partitioning (it only shapes a new table). */
function checkPartitioning(m: TableMetadata, schema: Schema, defs: PartitionDef[], name: string): void {
  const want = specOf(schema, defs).fields.map((f) => `${f.sourceId}:${JSON.stringify(f.transform)}`);
  const spec = m.partitionSpecs.find((x) => x.specId === m.defaultSpecId);
  const have = (spec?.fields ?? []).map((f) => `${f.sourceId}:${JSON.stringify(f.transform)}`);
  if (want.join(",") !== have.join(","))
    throw badRequest(
      `Table ${name} exists with another partitioning; --partition-by only shapes a table the ingest creates`,
    );
}

/**
 * Rows the input holds, estimated for progress: Parquet's footers say exactly; for uncompressed CSV
 * and JSON lines, the first MiB of the first file gives the rows per byte.
 */
async function estimateRows(duck: DuckDBConnection, inputs: Inputs): Promise<number | undefined> {
  if (inputs.format === "parquet") {
    const files = `[${inputs.files.map((f) => sqlString(f.path)).join(", ")}]`;
    const r = await duck
      .runAndReadAll(`SELECT sum(num_rows) FROM parquet_file_metadata(${files})`)
      .catch(() => undefined);
    const n = r?.getRows()[0]?.[0];
    return n === undefined || n === null ? undefined : Number(n);
  }
  const first = inputs.files[0];
  if (first === undefined || /\.(gz|zst)$/i.test(first.path) || first.bytes === 0) return undefined;
  const fh = await open(first.path, "r");
  try {
    const buf = Buffer.alloc(Math.min(first.bytes, 1 << 20));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    let lines = 0;
    for (let i = 0; i < bytesRead; i++) if (buf[i] === 10) lines++;
    if (lines === 0) return undefined;
    const perByte = (lines - (inputs.format === "csv" ? 1 : 0)) / bytesRead;
    return Math.max(0, Math.round(perByte * inputs.totalBytes));
  } finally {
    await fh.close();
  }
}

/** The progress of the write: DuckDB's, reported while it runs (never going back), then done once. */
interface WriteProgress {
  /** What the input holds, for the reports. */
  input(totalBytes: number, rowsEstimate: number | undefined): void;
  /** Runs the write, reporting every `progressIntervalMs`, and the final report if none was made. */
  during<T>(f: () => Promise<T>): Promise<T>;
  /** The final report (fraction 1), once: the rows are written, the commit comes next. */
  written(): void;
}

function startProgress(duck: DuckDBConnection, opts: IngestOptions): WriteProgress {
  const report = opts.onProgress;
  let totalBytes = 0;
  let rowsEstimate: number | undefined;
  let started = Date.now();
  let fraction = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let done = false;
  const tick = (final = false) => {
    if (report === undefined || done) return;
    if (final) fraction = 1;
    else {
      const p = duck.progress.percentage;
      if (Number.isFinite(p) && p > 0) fraction = Math.max(fraction, Math.min(p / 100, 0.999));
    }
    report({
      fraction,
      totalBytes,
      bytesRead: Math.round(fraction * totalBytes),
      ...(rowsEstimate === undefined ? {} : { rowsEstimate: Math.round(fraction * rowsEstimate) }),
      elapsedMs: Date.now() - started,
    });
  };
  const written = () => {
    clearInterval(timer);
    tick(true);
    done = true;
  };
  return {
    input: (bytes, rows) => {
      totalBytes = bytes;
      rowsEstimate = rows;
    },
    during: async (f) => {
      started = Date.now();
      if (report !== undefined) timer = setInterval(tick, opts.progressIntervalMs ?? 250);
      try {
        const out = await f();
        written();
        return out;
      } finally {
        clearInterval(timer);
      }
    },
    written,
  };
}

/**
 * The target, committing only while the ingest is not interrupted: the final progress report is
 * made (the rows are written), then the signal is checked right before each commit, so an ingest
 * interrupted at any point before its commit commits nothing and its files are removed (the
 * refusal is a BAD_REQUEST: the commit cleanly did not happen).
 */
function interruptible(
  target: IngestCatalog,
  signal: AbortSignal | undefined,
  progress: WriteProgress,
): IngestCatalog {
  return {
    ...target,
    commit: async (change, message, staged) => {
      progress.written();
      if (signal?.aborted) throw interrupted();
      await target.commit(change, message, staged);
    },
  };
}

const interrupted = () => badRequest("Interrupted: nothing was committed");

/**
 * DuckDB's errors about the input (a malformed CSV row, a file that is not Parquet) in one line:
 * the error's first line with the details DuckDB gives below it (the column, the file).
 */
async function duckRead<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    const lines = e.message.split("\n").map((l) => l.trim());
    const first = (lines[0] ?? "").replace(/^Cannot write the rows of the source query: /, "");
    if (!/^[A-Z][A-Za-z ]* Error: /.test(first)) throw e;
    const detail = lines.filter((l) =>
      /^(Error when converting|Expected Number of Columns|Value with unterminated quote|Invalid unicode|file = )/.test(
        l,
      ),
    );
    const line = [first, ...detail.map((l) => l.replace(/^file = /, "file "))].join("; ");
    throw isFloeError(e) ? new FloeError(e.kind, line) : badRequest(line);
  }
}

/** Removes the directories a failed create left empty under a fresh local table location. */
async function removeEmptyDirs(location: string): Promise<void> {
  const loc = parseLocation(location);
  if (loc.kind !== "file") return;
  const prune = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
    if (entries === undefined) return;
    for (const e of entries) if (e.isDirectory()) await prune(join(dir, e.name));
    await rmdir(dir).catch(() => undefined);
  };
  await prune(loc.path);
}
