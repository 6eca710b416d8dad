import type { Command } from "commander";
import { type OperationJson, keyToString } from "../client.ts";
import { type ClientOptions, CliError, clientFrom, clientOptions, examples } from "../common.ts";
import { firstLine, printJson, printLine, shortHash, shortTime, table } from "../output.ts";

/** `floe log [ref] [-n N] [--operations]`: the commit log, newest first. */
export function registerLog(program: Command): void {
  examples(
    clientOptions(
      program
        .command("log")
        .description("show the commit log of a ref, newest first")
        .argument("[ref]", "branch, tag, name@hash or @hash (default: the default branch)")
        .option("-n, --max-count <n>", "show at most n commits")
        .option("--operations", "list the keys each commit changed"),
    ),
    ["floe log", "floe log dev -n 10", "floe log main --operations --json"],
  ).action(
    async (ref: string | undefined, opts: ClientOptions & { maxCount?: string; operations?: boolean }) => {
      const limit = opts.maxCount === undefined ? undefined : Number(opts.maxCount);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
        throw new CliError(`-n: expected a positive number, got '${opts.maxCount}'`);
      }
      const client = clientFrom(opts);
      const name = ref ?? (await client.config()).defaultBranch;
      const entries = await client.log(name, { limit, withOperations: opts.operations === true });
      if (opts.json) return printJson(entries);
      if (entries.length === 0) return printLine(`No commits on ${name}.`);
      const rows = entries.map((e) => [
        shortHash(e.commitMeta.hash),
        shortTime(e.commitMeta.commitTime),
        e.commitMeta.authors?.[0] ?? e.commitMeta.committer ?? "",
        firstLine(e.commitMeta.message),
      ]);
      const lines = table(["HASH", "COMMITTED", "AUTHOR", "MESSAGE"], rows);
      const keyWidth = Math.max(
        0,
        ...entries.flatMap((e) => (e.operations ?? []).map((op) => keyToString(op.key).length)),
      );
      printLine(lines[0]);
      entries.forEach((e, i) => {
        printLine(lines[i + 1]);
        for (const op of opts.operations ? (e.operations ?? []) : []) {
          printLine(`    ${describeOperation(op, keyWidth)}`);
        }
      });
    },
  );
}

/** `PUT     sales.orders  ICEBERG_TABLE`, keys padded to `keyWidth` so the types line up. */
function describeOperation(op: OperationJson, keyWidth: number): string {
  const key = keyToString(op.key);
  return op.content?.type
    ? `${op.type.padEnd(9)}${key.padEnd(keyWidth)}  ${op.content.type}`
    : `${op.type.padEnd(9)}${key}`;
}
