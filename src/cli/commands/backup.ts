import type { Command } from "commander";
import { type FloeConfig, loadConfig, s3Settings } from "../../core/config.ts";
import { examples } from "../common.ts";
import { printJson, printLine } from "../output.ts";
import { type ServerFlags, serverFlags, serverOptions } from "./serve.ts";

const configOf = (opts: ServerFlags) =>
  loadConfig({ flags: serverFlags(opts), configFile: opts.config }).config;

/** Opens the configured store (loaded here, so other commands start without the store's code). */
async function openStore(config: FloeConfig) {
  const { openKvStore } = await import("../../storage/open-kv.ts");
  return openKvStore(config.store, { poolSize: 2 });
}

const counts = (s: { entries: number; refs: number; commits: number; treeNodes: number }) =>
  `${s.entries} entries: ${s.refs} references, ${s.commits} commits, ${s.treeNodes} tree nodes`;

/**
 * `floe backup` and `floe restore`: the catalog's whole version store (references, commits with
 * their operations and contents, trees) as one file, and back into an empty catalog
 * (docs/adr/0003-catalog-backup.md). Iceberg metadata and data files are not in it.
 */
export function registerBackup(program: Command): void {
  examples(
    serverOptions(
      program
        .command("backup")
        .description("write the catalog (references, commits, contents) to one backup file")
        .option("--to <dest>", "a file, a directory, s3://bucket/key or s3://bucket/prefix/", ".")
        .option("--json", "print machine-readable JSON"),
    ),
    ["floe backup --to backups/", "FLOE_STORE=postgres://… floe backup --to s3://backups/floe/ --json"],
  ).action(async (opts: ServerFlags & { to: string; json?: boolean }) => {
    const [{ backupStore }, { backupTarget, writeBackupFile }] = await Promise.all([
      import("../../versioning/backup.ts"),
      import("../../storage/backup-location.ts"),
    ]);
    const now = new Date();
    const target = backupTarget(opts.to, now);
    const config = configOf(opts);
    const kv = await openStore(config);
    try {
      let summary!: Awaited<ReturnType<typeof backupStore>>;
      const bytes = await writeBackupFile(target, s3Settings(config), async (out) => {
        summary = await backupStore(kv, out, now);
      });
      if (opts.json) return printJson({ file: target, bytes, ...summary });
      printLine(`backed up ${summary.source} to ${target} (${bytes} bytes)`);
      printLine(counts(summary));
    } finally {
      await kv.close();
    }
  });

  examples(
    serverOptions(
      program
        .command("restore <source>")
        .description(
          "restore a backup file (a file, s3://bucket/key, or the newest under s3://bucket/prefix/) into an empty catalog",
        )
        .option("--json", "print machine-readable JSON"),
    ),
    [
      "floe restore backups/floe-backup-20261126T020000Z.ndjson.gz --store pglite:./restored",
      "floe restore s3://backups/floe/",
    ],
  ).action(async (source: string, opts: ServerFlags & { json?: boolean }) => {
    const [{ restoreStore }, { readBackup }, { readBackupFile }] = await Promise.all([
      import("../../versioning/backup.ts"),
      import("../../versioning/backup-file.ts"),
      import("../../storage/backup-location.ts"),
    ]);
    const config = configOf(opts);
    // the whole file is read and checked before the store is opened: a bad file writes nothing
    const { from, bytes } = await readBackupFile(source, s3Settings(config));
    const backup = readBackup(from, bytes);
    const kv = await openStore(config);
    try {
      const summary = await restoreStore(kv, backup);
      if (opts.json) return printJson({ file: from, store: kv.description, ...summary });
      printLine(`restored ${from} (made ${summary.created} from ${summary.source}) into ${kv.description}`);
      printLine(counts(summary));
    } finally {
      await kv.close();
    }
  });
}
