import type { Command } from "commander";
import { type MergeRequest, type MergeResponseJson, keyToString, parseKey } from "../client.ts";
import { type ClientOptions, CliError, clientFrom, clientOptions, examples } from "../common.ts";
import { printJson, printLine, printTable } from "../output.ts";

interface MergeOptions extends ClientOptions {
  readonly into?: string;
  readonly dryRun?: boolean;
  readonly forceKey?: string[];
  readonly dropKey?: string[];
  readonly message?: string;
}

/** `floe merge <from> [--into <branch>]`: a squashed three-way merge, as Nessie does it. */
export function registerMerge(program: Command): void {
  examples(
    clientOptions(
      program
        .command("merge")
        .description("merge a ref into a branch (one squashed commit)")
        .argument("<from>", "branch, tag, name@hash or @hash to merge")
        .option("--into <branch>", "target branch (default: the default branch)")
        .option("--dry-run", "only check whether the merge would succeed")
        .option("--force-key <keys...>", "keys (a.b.c) that take the source's content even on conflict")
        .option("--drop-key <keys...>", "keys (a.b.c) whose changes are not merged")
        .option("-m, --message <text>", "commit message of the merge commit"),
    ),
    [
      "floe merge dev",
      "floe merge dev --into main --dry-run",
      "floe merge dev --force-key sales.orders sales.customers",
    ],
  ).action(async (from: string, opts: MergeOptions) => {
    const client = clientFrom(opts);
    const into = opts.into ?? (await client.config()).defaultBranch;
    const [target, source] = await Promise.all([client.getReference(into), client.resolveRef(from)]);
    const req: MergeRequest = {
      fromRefName: source.name ?? "DETACHED",
      fromHash: source.hash,
      ...(opts.dryRun ? { dryRun: true } : {}),
      ...(opts.message !== undefined ? { message: opts.message } : {}),
      keyMergeModes: [
        ...keys(opts.forceKey).map((key) => ({ key, mergeBehavior: "FORCE" as const })),
        ...keys(opts.dropKey).map((key) => ({ key, mergeBehavior: "DROP" as const })),
      ],
    };
    const res = await client.merge(into, target.hash, req);
    const conflicts = (res.details ?? []).filter((d) => d.conflict);
    const failed = res.wasSuccessful === false || conflicts.length > 0;
    if (opts.json) printJson(res);
    else report(from, into, target.hash, opts.dryRun === true, res, conflicts);
    if (failed) process.exitCode = 1;
  });
}

function keys(texts: readonly string[] | undefined): Array<{ elements: string[] }> {
  return (texts ?? []).map((t) => {
    try {
      return { elements: parseKey(t) };
    } catch (e) {
      throw new CliError((e as Error).message);
    }
  });
}

function report(
  from: string,
  into: string,
  before: string,
  dryRun: boolean,
  res: MergeResponseJson,
  conflicts: NonNullable<MergeResponseJson["details"]>,
): void {
  if (res.wasSuccessful === false || conflicts.length > 0) {
    printLine(`${dryRun ? "Dry run: merging" : "Merging"} ${from} into ${into} has conflicts:`);
    printTable(
      ["KEY", "CONFLICT", "MESSAGE"],
      conflicts.map((d) => [keyToString(d.key), d.conflict?.conflictType ?? "", d.conflict?.message ?? ""]),
      "(the server named no keys)",
    );
    return;
  }
  const changed = (res.details ?? []).length;
  const keysText = `${changed} key${changed === 1 ? "" : "s"}`;
  if (dryRun) {
    printLine(`Dry run: merging ${from} into ${into} would succeed (${keysText})`);
  } else if (!res.wasApplied || res.resultantTargetHash === before) {
    printLine(`Nothing to merge: ${into} already has every change of ${from}`);
  } else {
    printLine(`Merged ${from} into ${into} (${keysText}): ${into} is now at ${res.resultantTargetHash}`);
  }
}
