import type { Command } from "commander";
import { loadConfig, s3Settings } from "../../core/config.ts";
import { isFloeError } from "../../core/errors.ts";
import { checkIngestArgs } from "../../engine/ingest/args.ts";
import { stringifyJson } from "../../core/json.ts";
import { CliError, examples } from "../common.ts";
import { bytes, progressPrinter } from "../progress.ts";

interface IngestFlags {
  readonly format?: string;
  readonly partitionBy?: string;
  readonly evolveSchema?: boolean;
  readonly ref?: string;
  readonly branch?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly memoryLimit?: string;
  readonly config?: string;
  readonly store?: string;
  readonly warehouse?: string;
  readonly uri?: string;
}

/**
 * `floe ingest <file | dir | glob> <ns.table>`: loads CSV, Parquet or JSON files into an Iceberg
 * table of the configuration's catalog in one commit (`engine/ingest/ingest.ts`), creating the
 * table when it is absent. Progress goes to standard error, the summary to standard output. While
 * a server holds the embedded catalog, the files are written here and committed through that
 * server's Iceberg REST API (`uri` of the configuration), as any Iceberg client does.
 */
export function registerIngest(program: Command): void {
  examples(
    program
      .command("ingest")
      .description(
        "load CSV, Parquet or JSON files into an Iceberg table (created when absent) in one commit",
      )
      .argument(
        "<input>",
        "a file, a directory (its CSV / Parquet / JSON files, recursively) or a quoted glob",
      )
      .argument("<table>", "the table: namespace.table (the namespace must exist)")
      .option("--format <format>", "csv, parquet or json (NDJSON or arrays); default by file extension")
      .option("--partition-by <transforms>", 'partitioning of a new table, e.g. "day(ts), bucket(16, id)"')
      .option("--evolve-schema", "add input columns the table lacks (else they are an error)")
      .option("--ref <branch>", "branch to commit to (default: the default branch)")
      .option("--branch <name>", "the same as --ref")
      .option("--json", "print the summary as JSON")
      .option("-q, --quiet", "no progress and no summary (errors still print)")
      .option(
        "--memory-limit <size>",
        "DuckDB's memory limit; it spills to a temp directory beyond it",
        "512MB",
      )
      .option("--config <file>", "config file (default floe.yaml / floe.json in the current directory)")
      .option("--store <url>", "metadata store: pglite:<dir>, pglite:memory or postgres://…")
      .option("--warehouse <location>", "table data location: a directory or s3://bucket/prefix")
      .option(
        "--uri <url>",
        "server to commit through while it holds an embedded catalog (default from the config)",
      ),
    [
      `floe ingest events.csv web.events --partition-by "day(ts)"`,
      `floe ingest 'exports/*.parquet' sales.orders --branch dev`,
      `floe ingest logs/ web.logs --format json --evolve-schema --json`,
    ],
  ).action(async (input: string, table: string, flags: IngestFlags) => {
    if (flags.ref && flags.branch && flags.ref !== flags.branch)
      throw new CliError("give --ref or --branch, not both");
    checkIngestArgs(table, flags.format, flags.partitionBy); // before the store opens: a typo fails at once
    const { config } = loadConfig({
      flags: { store: flags.store, warehouse: flags.warehouse, uri: flags.uri },
      configFile: flags.config,
    });
    // Loaded here so that other commands start without DuckDB and the store.
    const [{ openKvStore }, { openVersionStore }, { ObjectStoreResolver }, { openCatalog }, ing] =
      await Promise.all([
        import("../../storage/open-kv.ts"),
        import("../../versioning/version-store.ts"),
        import("../../storage/open-object-store.ts"),
        import("../../catalog/catalog.ts"),
        import("../../engine/ingest/ingest.ts"),
      ]);
    const kv = await openKvStore(config.store, { poolSize: config.storePoolSize }).catch((e: unknown) => {
      if (isFloeError(e, "SERVICE_UNAVAILABLE")) return undefined; // a server holds the embedded catalog
      throw e;
    });
    const store = kv && (await openVersionStore(kv, { defaultBranch: config.defaultBranch }));
    const objects = new ObjectStoreResolver({ s3: s3Settings(config) });
    const progress =
      flags.quiet || flags.json
        ? undefined
        : progressPrinter((s) => process.stderr.write(s), process.stderr.isTTY === true);
    // Ctrl-C interrupts DuckDB; the failed write then removes its files before the process exits.
    const abort = new AbortController();
    const onSignal = () => abort.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      const ref = flags.ref ?? flags.branch;
      const summary = await ing.ingest({
        ...(store === undefined
          ? { server: config.uri }
          : { catalog: openCatalog({ store, objects, warehouse: config.warehouse }) }),
        objects,
        input,
        table,
        ...(ref === undefined ? {} : { ref }),
        ...(flags.format === undefined ? {} : { format: flags.format }),
        ...(flags.partitionBy === undefined ? {} : { partitionBy: flags.partitionBy }),
        evolveSchema: flags.evolveSchema === true,
        ...(flags.memoryLimit === undefined ? {} : { memoryLimit: flags.memoryLimit }),
        author: process.env.USER ?? "floe",
        signal: abort.signal,
        ...(progress === undefined ? {} : { onProgress: progress.update }),
      });
      progress?.done();
      if (flags.json) {
        process.stdout.write(
          `${stringifyJson({
            table: summary.table,
            ref: summary.ref,
            format: summary.format,
            files: summary.files,
            bytes: summary.bytes,
            rows: summary.rows,
            dataFiles: summary.dataFiles,
            dataBytes: summary.dataBytes,
            snapshotId: summary.snapshotId ?? null,
            created: summary.created,
            addedColumns: summary.addedColumns,
            seconds: summary.seconds,
          })}\n`,
        );
      } else if (!flags.quiet) {
        const what = `${summary.files} ${summary.format} file${summary.files === 1 ? "" : "s"} (${bytes(summary.bytes)})`;
        process.stdout.write(
          summary.snapshotId === undefined
            ? `No rows in ${what}: nothing committed\n`
            : `Ingested ${summary.rows} rows from ${what} into ${summary.table} on ${summary.ref}` +
                `${summary.created ? " (created)" : ""}${summary.addedColumns.length > 0 ? ` adding ${summary.addedColumns.join(", ")}` : ""}: ` +
                `${summary.dataFiles} data file${summary.dataFiles === 1 ? "" : "s"}, snapshot ${summary.snapshotId}, ${summary.seconds.toFixed(1)} s\n`,
        );
      }
    } catch (e) {
      progress?.done();
      throw e;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      await store?.close();
      await objects.close();
    }
  });
}
