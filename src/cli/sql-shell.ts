import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { createInterface, type Interface } from "node:readline";
import { splitStatements, tokenize } from "../engine/sql/lexer.ts";
import { Completer } from "./sql-completion.ts";
import { errorLines, showError } from "./sql-errors.ts";
import type { SqlExecutor } from "./sql-executor.ts";
import { SQL_FORMATS, type TextFormat, TextSink, writeResult } from "./sql-output.ts";

/** Entries `~/.floe_history` keeps (the newest). */
export const HISTORY_SIZE = 1000;

export interface ShellOptions {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  /** Whether input and output are a terminal (line editing, history keys, Tab, Ctrl-C as a key). */
  readonly terminal: boolean;
  readonly executor: SqlExecutor;
  readonly format: TextFormat;
  /** Where history is kept between runs; none = not kept. */
  readonly historyFile?: string;
  /** Called as each statement starts (tests wait on it). */
  readonly onStatement?: (sql: string) => void;
}

const HELP = `Statements end with ';' and may span lines. Ctrl-C cancels a running statement or clears
the input; Ctrl-D or \\q leaves. Tab completes keywords, namespaces and tables.

  \\help            this text
  \\q               quit
  \\refs            branches and tags (SHOW REFERENCES)
  \\use <ref>       switch to a branch, tag or ref@hash (USE REFERENCE)
  \\log [ref]       commits of the reference (SHOW LOG)
  \\dn              namespaces (SHOW NAMESPACES)
  \\d [ns]          tables, of one namespace (also a nested one, a.b) if given (SHOW TABLES)
  \\d <ns.table>    a table's columns (DESCRIBE)
  \\format <f>      output: table, csv or json

Statements: docs/sql.md.
`;

/**
 * `floe sql`'s interactive shell (node:readline): a prompt with the session's reference
 * (`floe (main)> `), statements over several lines until `;`, history kept in a file, backslash
 * commands, Tab completion, Ctrl-C that interrupts the running statement and leaves the shell
 * usable. Resolves when the input ends (Ctrl-D, `\q`).
 */
export async function runShell(opts: ShellOptions): Promise<void> {
  const { executor, output } = opts;
  const out = new TextSink(output);
  const say = (s: string) => output.write(s);
  let format = opts.format;
  let running: AbortController | undefined;
  let buffer: string[] = [];
  const completer = new Completer(executor, () => running !== undefined);
  const history = readHistory(opts.historyFile);
  const rl = createInterface({
    input: opts.input,
    output,
    terminal: opts.terminal,
    history,
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    completer: (line: string, cb: (err: Error | null, result: [string[], string]) => void) => {
      completer.complete(line).then(
        (r) => cb(null, r),
        () => cb(null, [[], line]),
      );
    },
  }) as Interface & { history: string[]; line: string };

  const prompt = () => {
    const first = `floe (${executor.ref})> `;
    rl.setPrompt(buffer.length === 0 ? first : `${" ".repeat(first.length - 3)}-> `);
    rl.prompt();
  };

  rl.on("SIGINT", () => {
    if (running) {
      running.abort(new Error("Cancelled"));
      return;
    }
    // Ctrl-C at the prompt: drop what was typed, statement lines included.
    const typed = buffer.length > 0 || rl.line !== "";
    buffer = [];
    rl.write(null, { ctrl: true, name: "e" });
    rl.write(null, { ctrl: true, name: "u" });
    say(typed ? "^C\n" : "^C (\\q or Ctrl-D leaves)\n");
    prompt();
  });

  const run = async (text: string): Promise<void> => {
    let statements;
    try {
      statements = splitStatements(text);
    } catch (e) {
      say(errorLines(showError((e as Error).message, text)));
      return;
    }
    for (const st of statements) {
      await completer.idle();
      const abort = new AbortController();
      running = abort;
      try {
        opts.onStatement?.(st.sql);
        const result = await executor.execute(st.sql, abort.signal);
        await writeResult(result, format, out, say);
      } catch (e) {
        await out.flush();
        if (abort.signal.aborted) say("Cancelled\n");
        else say(errorLines(showError(e instanceof Error ? e.message : String(e), text, st.start)));
        return;
      } finally {
        running = undefined;
        completer.stale();
      }
    }
  };

  const command = async (line: string): Promise<boolean> => {
    const [name = "", ...args] = line.trim().split(/\s+/);
    const arg = args.join(" ");
    switch (name) {
      case "\\q":
      case "\\quit":
        return false;
      case "\\help":
      case "\\h":
      case "\\?":
        say(HELP);
        break;
      case "\\refs":
        await run("SHOW REFERENCES");
        break;
      case "\\use":
        if (arg === "") say("\\use needs a reference: \\use dev\n");
        else await run(`USE REFERENCE ${arg}`);
        break;
      case "\\log":
        await run(`SHOW LOG ${arg}`);
        break;
      case "\\dn":
        await run("SHOW NAMESPACES");
        break;
      case "\\d":
        await run(
          arg === ""
            ? "SHOW TABLES"
            : arg.includes(".") && !(await completer.isNamespace(arg))
              ? `DESCRIBE ${arg}`
              : `SHOW TABLES IN ${arg}`,
        );
        break;
      case "\\format":
        if ((SQL_FORMATS as readonly string[]).includes(arg) && arg !== "parquet") format = arg as TextFormat;
        else say(`\\format takes table, csv or json (now ${format})\n`);
        break;
      default:
        say(`unknown command ${name}: \\help lists them\n`);
    }
    return true;
  };

  say(`floe sql on ${executor.remote ? "a server" : "this machine"}: \\help for help, \\q to quit\n`);
  prompt();
  for await (const line of rl) {
    if (buffer.length === 0 && /^\s*\\/.test(line)) {
      writeHistory(opts.historyFile, rl.history);
      if (!(await command(line))) break;
    } else if (buffer.length > 0 || line.trim() !== "") {
      buffer.push(line);
      const text = buffer.join("\n");
      if (!complete(text)) {
        prompt();
        continue;
      }
      buffer = [];
      // One history entry for a statement typed over several lines.
      const typed = text.split("\n").filter((l) => l.trim() !== "").length;
      if (typed > 1 && opts.terminal) {
        rl.history.splice(0, typed);
        rl.history.unshift(text.replace(/\s*\n\s*/g, " "));
      }
      writeHistory(opts.historyFile, rl.history);
      await run(text);
    }
    prompt();
  }
  running?.abort(new Error("Cancelled"));
  rl.close();
  await out.flush();
}

/** Whether `text` ends with a statement's `;` (outside quotes, comments and parentheses). */
function complete(text: string): boolean {
  try {
    const tokens = tokenize(text);
    const last = tokens[tokens.length - 1];
    return last?.kind === "symbol" && last.value === ";";
  } catch {
    return false; // an open quote: more lines follow
  }
}

function readHistory(file: string | undefined): string[] {
  if (file === undefined) return [];
  try {
    return readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .reverse()
      .slice(0, HISTORY_SIZE);
  } catch {
    return [];
  }
}

/** Oldest first, as a file of lines; `history` is readline's (newest first). */
function writeHistory(file: string | undefined, history: readonly string[]): void {
  if (file === undefined) return;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${[...history.slice(0, HISTORY_SIZE)].reverse().join("\n")}\n`, { mode: 0o600 });
  } catch {
    // history is a convenience: a read-only home does not stop the shell
  }
}
