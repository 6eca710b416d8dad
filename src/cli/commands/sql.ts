import { createWriteStream, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { loadConfig } from "../../core/config.ts";
import { CliError, examples } from "../common.ts";
import { errorLines, showError } from "../sql-errors.ts";
import { openExecutor, type SqlExecutor } from "../sql-executor.ts";
import { SQL_FORMATS, type SqlFormat, TextSink, writeResult } from "../sql-output.ts";

interface SqlFlags {
  readonly execute?: string;
  readonly ref?: string;
  readonly branch?: string;
  readonly format?: string;
  readonly output?: string;
  readonly config?: string;
  readonly store?: string;
  readonly warehouse?: string;
  readonly uri?: string;
}

/**
 * `floe sql`: runs SQL in this process (DuckDB) against the catalog the configuration names — the
 * one `floe up` / `floe serve` use — opening its store itself. An embedded (PGlite) catalog is
 * locked to one process: while a server holds it, the statements go to that server's SQL endpoint
 * (`uri` of the configuration) instead. With no statements and a terminal, an interactive shell.
 */
export function registerSql(program: Command): void {
  examples(
    program
      .command("sql")
      .description(
        "run SQL on the catalog's Iceberg tables: one statement, a file, statements on stdin, or a shell",
      )
      .argument("[file]", "a file of statements separated by ';' (- = standard input)")
      .option("-e, --execute <statement>", "run these statements")
      .option(
        "--ref <ref>",
        "reference to read and write: a branch, a tag or ref@hash (default: the default branch)",
      )
      .option("--branch <name>", "the same as --ref")
      .option(
        "--format <format>",
        "output: table (aligned), csv, json (JSON lines) or parquet (needs -o)",
        "table",
      )
      .option("-o, --output <file>", "write the rows to this file instead of standard output")
      .option("--config <file>", "config file (default floe.yaml / floe.json in the current directory)")
      .option("--store <url>", "metadata store: pglite:<dir>, pglite:memory or postgres://…")
      .option("--warehouse <location>", "table data location: a directory or s3://bucket/prefix")
      .option(
        "--uri <url>",
        "server to send statements to while it holds an embedded catalog (default from the config)",
      ),
    [
      `floe sql                                   # the interactive shell (on a terminal)`,
      `floe sql -e "CREATE NAMESPACE sales"`,
      `floe sql -e "SELECT * FROM sales.orders LIMIT 10" --format csv`,
      `floe sql --branch dev script.sql`,
      `floe sql -e "SELECT * FROM sales.orders" --format parquet -o orders.parquet`,
      `echo "SHOW REFERENCES" | floe sql --format json`,
    ],
  ).action(async (file: string | undefined, flags: SqlFlags) => {
    const format = flags.format as SqlFormat;
    if (!SQL_FORMATS.includes(format))
      throw new CliError(`unknown --format '${flags.format}': use ${SQL_FORMATS.join(", ")}`);
    if (format === "parquet" && flags.output === undefined)
      throw new CliError("--format parquet writes a file: give it with -o <file>");
    if (flags.ref && flags.branch && flags.ref !== flags.branch)
      throw new CliError("give --ref or --branch, not both");
    if (flags.execute !== undefined && file !== undefined) throw new CliError("give -e or a file, not both");
    const interactive = flags.execute === undefined && file === undefined && process.stdin.isTTY;
    if (interactive && flags.output !== undefined)
      throw new CliError("-o writes the rows of -e, a file or standard input, not of the shell");
    const script = interactive ? "" : readScript(file, flags.execute);
    const { config } = loadConfig({
      flags: { store: flags.store, warehouse: flags.warehouse, uri: flags.uri },
      configFile: flags.config,
    });
    const { splitStatements } = await import("../../engine/sql/lexer.ts");
    const statements = splitStatements(script);
    if (!interactive && statements.length === 0) throw new CliError("no statement to run");
    const executor = await openExecutor(config, flags.ref ?? flags.branch);
    try {
      if (interactive) {
        const { runShell } = await import("../sql-shell.ts");
        await runShell({
          input: process.stdin,
          output: process.stdout,
          terminal: true,
          executor,
          format: format === "parquet" ? "table" : format,
          historyFile: join(homedir(), ".floe_history"),
        });
      } else process.exitCode = await runScript(executor, script, statements, format, flags.output);
    } finally {
      await executor.close();
    }
  });
}

/**
 * Runs a script's statements in order, rows to standard output or `-o`, what statements did to
 * standard error; stops at the first error, shown with its line and column in the script. Ctrl-C
 * interrupts the running statement. Returns the exit code.
 */
async function runScript(
  executor: SqlExecutor,
  script: string,
  statements: ReadonlyArray<{ readonly sql: string; readonly start: number }>,
  format: SqlFormat,
  output: string | undefined,
): Promise<number> {
  const { parseStatement } = await import("../../engine/sql/parse.ts");
  if (format === "parquet") {
    const queries = statements.filter((st) => isQuery(parseStatement, st.sql)).length;
    if (queries !== 1)
      throw new CliError(
        `--format parquet writes the rows of one query to ${output}: the input has ${queries}`,
      );
  }
  const file = output === undefined || format === "parquet" ? undefined : createWriteStream(output);
  const out = new TextSink(file ?? process.stdout);
  const abort = new AbortController();
  const onSigint = () => abort.abort(new Error("Cancelled"));
  process.once("SIGINT", onSigint);
  try {
    for (const [i, st] of statements.entries()) {
      try {
        if (format === "parquet" && output !== undefined && isQuery(parseStatement, st.sql)) {
          const n = await executor.copyTo(st.sql, output, abort.signal);
          process.stderr.write(`Wrote ${n} ${n === 1n ? "row" : "rows"} to ${output}\n`);
        } else
          await writeResult(
            await executor.execute(st.sql, abort.signal),
            format === "parquet" ? "table" : format,
            format === "parquet" ? new TextSink(process.stdout) : out,
            (s) => process.stderr.write(s),
          );
      } catch (e) {
        const where = statements.length > 1 ? `statement ${i + 1} (line ${lineOf(script, st.start)}): ` : "";
        const shown = showError(e instanceof Error ? e.message : String(e), script, st.start);
        process.stderr.write(errorLines(shown, `error: ${where}`));
        return 1;
      }
    }
    return 0;
  } finally {
    process.off("SIGINT", onSigint);
    await out.flush();
    if (file)
      await new Promise<void>((resolve, reject) =>
        file.end((e?: Error | null) => (e ? reject(e) : resolve())),
      );
  }
}

function isQuery(parse: (sql: string) => { kind: string }, sql: string): boolean {
  try {
    return parse(sql).kind === "query";
  } catch {
    return false;
  }
}

function readScript(file: string | undefined, execute: string | undefined): string {
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
