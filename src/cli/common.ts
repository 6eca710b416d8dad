import type { Command } from "commander";
import { loadConfig } from "../core/config.ts";
import { isFloeError } from "../core/errors.ts";
import { ApiError, ConnectionError, FloeClient } from "./client.ts";

/** Options every client command has. */
export interface ClientOptions {
  readonly uri?: string;
  readonly json?: boolean;
  readonly config?: string;
}

/** Adds `--uri`, `--json` and `--config` to a command that talks to a running server. */
export function clientOptions(cmd: Command): Command {
  return cmd
    .option("--uri <url>", "floe server to talk to (env FLOE_URI; default http://127.0.0.1:19120)")
    .option("--json", "print machine-readable JSON")
    .option("--config <file>", "config file (default floe.yaml / floe.json in the current directory)");
}

export function clientFrom(opts: ClientOptions): FloeClient {
  const { config } = loadConfig({ flags: { uri: opts.uri }, configFile: opts.config });
  return new FloeClient(config.uri);
}

/** Appends an "Examples:" section to a command's help. */
export function examples(cmd: Command, lines: readonly string[]): Command {
  return cmd.addHelpText("after", `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`);
}

/** A failure the CLI reports as `error: <message>` without a stack trace. */
export class CliError extends Error {
  override name = "CliError";
}

/**
 * Prints one line for an error and returns the exit code. Server errors keep their Nessie error
 * code; a refused connection says how to start a server. `FLOE_DEBUG=1` adds the stack.
 */
export function reportError(e: unknown): number {
  let line: string;
  if (e instanceof ApiError) {
    line = e.errorCode ? `${e.message} (${e.errorCode})` : e.message;
  } else if (e instanceof ConnectionError) {
    line = `${e.message}: start a server with 'floe up' (or 'npm start'), or point --uri / FLOE_URI at one`;
  } else if (isFloeError(e) || e instanceof CliError) {
    line = e.message;
  } else if (e instanceof Error) {
    line = e.message;
  } else {
    line = String(e);
  }
  process.stderr.write(`error: ${line.split("\n")[0]}\n`);
  if (process.env.FLOE_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  return 1;
}
