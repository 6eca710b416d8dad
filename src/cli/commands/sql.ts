import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { loadConfig, s3Settings } from "../../core/config.ts";
import { isFloeError } from "../../core/errors.ts";
import { CliError, examples } from "../common.ts";
import { rowsResult, type StatementResult } from "../../engine/sql/result.ts";
import { SQL_FORMATS, type SqlFormat, writeResult } from "../sql-output.ts";
import { remoteStatement } from "../sql-remote.ts";

interface SqlFlags {
  readonly execute?: string;
  readonly ref?: string;
  readonly branch?: string;
  readonly format?: string;
  readonly config?: string;
  readonly store?: string;
  readonly warehouse?: string;
  readonly uri?: string;
}

/**
 * `floe sql`: runs SQL in this process (DuckDB) against the catalog the configuration names — the
 * one `floe up` / `floe serve` use — opening its store itself. An embedded (PGlite) catalog is
 * locked to one process: while a server holds it, the statements go to that server's SQL endpoint
 * (`uri` of the configuration) instead.
 */
export function registerSql(program: Command): void {
  examples(
    program
      .command("sql")
      .description("run SQL on the catalog's Iceberg tables: one statement, a file, or statements on stdin")
      .argument("[file]", "a file of statements separated by ';' (- = standard input)")
      .option("-e, --execute <statement>", "run these statements")
      .option(
        "--ref <ref>",
        "reference to read and write: a branch, a tag or ref@hash (default: the default branch)",
      )
      .option("--branch <name>", "the same as --ref")
      .option("--format <format>", `output: ${SQL_FORMATS.join(", ")} (JSON lines)`, "table")
      .option("--config <file>", "config file (default floe.yaml / floe.json in the current directory)")
      .option("--store <url>", "metadata store: pglite:<dir>, pglite:memory or postgres://…")
      .option("--warehouse <location>", "table data location: a directory or s3://bucket/prefix")
      .option(
        "--uri <url>",
        "server to send statements to while it holds an embedded catalog (default from the config)",
      ),
    [
      `floe sql -e "CREATE NAMESPACE sales"`,
      `floe sql -e "SELECT * FROM sales.orders LIMIT 10" --format csv`,
      `floe sql --branch dev script.sql`,
      `echo "SHOW REFERENCES" | floe sql --format json`,
    ],
  ).action(async (file: string | undefined, flags: SqlFlags) => {
    const format = flags.format as SqlFormat;
    if (!SQL_FORMATS.includes(format))
      throw new CliError(`unknown --format '${flags.format}': use ${SQL_FORMATS.join(", ")}`);
    if (flags.ref && flags.branch && flags.ref !== flags.branch)
      throw new CliError("give --ref or --branch, not both");
    const script = readScript(file, flags.execute);
    const { config } = loadConfig({
      flags: { store: flags.store, warehouse: flags.warehouse, uri: flags.uri },
      configFile: flags.config,
    });
    // Loaded here so that other commands start without DuckDB and the store.
    const [
      { openKvStore },
      { openVersionStore },
      { ObjectStoreResolver },
      { openCatalog },
      { SqlSession },
      { splitStatements },
      { parseStatement },
      { engineFilesFromConfig },
    ] = await Promise.all([
      import("../../storage/open-kv.ts"),
      import("../../versioning/version-store.ts"),
      import("../../storage/open-object-store.ts"),
      import("../../catalog/catalog.ts"),
      import("../../engine/sql/session.ts"),
      import("../../engine/sql/lexer.ts"),
      import("../../engine/sql/parse.ts"),
      import("../../engine/duck-files.ts"),
    ]);
    const statements = splitStatements(script);
    if (statements.length === 0) throw new CliError("no statement to run");
    const ref = flags.ref ?? flags.branch;
    const run = async (execute: (sql: string) => Promise<StatementResult>): Promise<void> => {
      for (const [i, st] of statements.entries()) {
        try {
          await writeResult(
            await execute(st.sql),
            format,
            (s) => process.stdout.write(s),
            (s) => process.stderr.write(s),
          );
        } catch (e) {
          const where =
            statements.length > 1 ? `statement ${i + 1} (line ${lineOf(script, st.start)}): ` : "";
          throw new CliError(`${where}${e instanceof Error ? e.message : String(e)}`);
        }
      }
    };
    const kv = await openKvStore(config.store, { poolSize: config.storePoolSize }).catch((e: unknown) => {
      if (isFloeError(e, "SERVICE_UNAVAILABLE")) return undefined; // a server holds the embedded catalog
      throw e;
    });
    if (kv === undefined) {
      // Through the server that holds the catalog: each statement in a session of its own there, so
      // the reference `USE REFERENCE` picks is kept here.
      let current = ref;
      // A transaction is sent whole at its COMMIT / ROLLBACK (the server's session lasts one request).
      let pending: string[] | undefined;
      return run(async (sql) => {
        const st = parseStatement(sql);
        if (st.kind === "transaction" && st.action === "begin" && pending === undefined) pending = [];
        if (pending !== undefined) {
          pending.push(sql);
          if (st.kind !== "transaction" || st.action === "begin") return rowsResult([], []);
          const block = pending.join(";\n");
          pending = undefined;
          return remoteStatement(config.uri, block, current);
        }
        const r = await remoteStatement(config.uri, sql, current);
        if (st.kind === "use-reference") current = st.hash === undefined ? st.name : `${st.name}@${st.hash}`;
        return r;
      });
    }
    const store = await openVersionStore(kv, { defaultBranch: config.defaultBranch });
    const objects = new ObjectStoreResolver({ s3: s3Settings(config) });
    try {
      const catalog = openCatalog({ store, objects, warehouse: config.warehouse });
      const session = await SqlSession.open({
        catalog,
        objects,
        files: await engineFilesFromConfig(config, objects),
        ...(ref ? { ref } : {}),
        author: process.env.USER ?? "floe",
      });
      try {
        await run((sql) => session.execute(sql));
      } finally {
        await session.close();
      }
    } finally {
      await store.close();
      await objects.close();
    }
  });
}

function readScript(file: string | undefined, execute: string | undefined): string {
  if (execute !== undefined && file !== undefined) throw new CliError("give -e or a file, not both");
  if (execute !== undefined) return execute;
  if (file === undefined && process.stdin.isTTY)
    throw new CliError("give a statement with -e, a file, or statements on standard input");
  const path = file === undefined || file === "-" ? 0 : file;
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new CliError(`cannot read ${file ?? "standard input"}: ${(e as Error).message}`);
  }
}

const lineOf = (text: string, offset: number): number => text.slice(0, offset).split("\n").length;
