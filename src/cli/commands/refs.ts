import type { Command } from "commander";
import type { RefType, ReferenceJson } from "../client.ts";
import { type ClientOptions, clientFrom, clientOptions, examples } from "../common.ts";
import { firstLine, printJson, printLine, printTable, shortHash, shortTime } from "../output.ts";

/** `floe branch …` and `floe tag …`: list, create, delete, assign. */
export function registerRefCommands(program: Command, kind: "branch" | "tag"): void {
  const type: RefType = kind === "branch" ? "BRANCH" : "TAG";
  const plural = kind === "branch" ? "branches" : "tags";
  const group = examples(
    program.command(kind).description(`list, create, delete and move ${plural}`),
    kind === "branch"
      ? [
          "floe branch",
          "floe branch create dev --from main",
          "floe branch assign dev main",
          "floe branch delete dev",
        ]
      : [
          "floe tag",
          "floe tag create v1 --from main",
          "floe tag assign v1 main@1a2b3c4d",
          "floe tag delete v1",
        ],
  );

  examples(
    clientOptions(group.command("list", { isDefault: true }).description(`list ${plural} (the default)`)),
    [`floe ${kind} list`, `floe ${kind} --json`],
  ).action(async (opts: ClientOptions) => {
    const client = clientFrom(opts);
    const [config, refs] = await Promise.all([
      client.config(),
      client.listReferences({ withMetadata: true }),
    ]);
    const mine = refs
      .filter((r) => r.type === type)
      .sort((a, b) => (a.name ?? "").localeCompare(b.name ?? ""));
    if (opts.json) return printJson(mine);
    const isDefault = (r: ReferenceJson) => type === "BRANCH" && r.name === config.defaultBranch;
    const branches = type === "BRANCH";
    const rows = mine.map((r) => {
      const head = r.metadata?.commitMetaOfHEAD;
      const ahead = r.metadata?.numCommitsAhead;
      const behind = r.metadata?.numCommitsBehind;
      const aheadBehind = isDefault(r) || ahead === undefined ? "" : `${ahead}/${behind ?? 0}`;
      return [
        `${isDefault(r) ? "*" : " "} ${r.name ?? ""}`,
        shortHash(r.hash),
        ...(branches ? [aheadBehind] : []),
        shortTime(head?.commitTime),
        firstLine(head?.message),
      ];
    });
    const headers = [
      "  NAME",
      "HASH",
      ...(branches ? [`AHEAD/BEHIND ${config.defaultBranch}`] : []),
      "COMMITTED",
      "MESSAGE",
    ];
    printTable(headers, rows, `No ${plural}.`);
  });

  examples(
    clientOptions(
      group
        .command("create")
        .description(`create a ${kind} at the head of a ref (or at a given commit)`)
        .argument("<name>", `name of the new ${kind}`)
        .option("--from <ref>", "where it starts: name, name@hash or @hash (default: the default branch)"),
    ),
    [
      `floe ${kind} create ${kind === "branch" ? "dev" : "v1"} --from main`,
      `floe ${kind} create fix --from main@1a2b3c4d`,
    ],
  ).action(async (name: string, opts: ClientOptions & { from?: string }) => {
    const client = clientFrom(opts);
    const from = opts.from ?? (await client.config()).defaultBranch;
    const source = await client.resolveRef(from);
    const created = await client.createReference(name, type, source);
    if (opts.json) return printJson(created);
    printLine(`Created ${kind} ${created.name ?? name} at ${created.hash} (from ${from})`);
  });

  examples(
    clientOptions(
      group
        .command("delete")
        .description(`delete a ${kind}`)
        .argument("<name>", `the ${kind} to delete`)
        .option("--hash <hash>", `delete only if the ${kind} is still at this commit`),
    ),
    [`floe ${kind} delete ${kind === "branch" ? "dev" : "v1"}`],
  ).action(async (name: string, opts: ClientOptions & { hash?: string }) => {
    const client = clientFrom(opts);
    const hash = opts.hash ?? (await client.getReference(name)).hash;
    const deleted = await client.deleteReference(name, type, hash);
    if (opts.json) return printJson(deleted);
    printLine(`Deleted ${kind} ${name} (was ${deleted.hash ?? hash})`);
  });

  examples(
    clientOptions(
      group
        .command("assign")
        .description(`move a ${kind} to the commit a ref points at`)
        .argument("<name>", `the ${kind} to move`)
        .argument("<ref>", "target: name, name@hash or @hash")
        .option("--hash <hash>", `move only if the ${kind} is still at this commit`),
    ),
    [
      `floe ${kind} assign ${kind === "branch" ? "dev main" : "v1 main"}`,
      `floe ${kind} assign ${kind === "branch" ? "dev" : "v1"} @1a2b3c4d`,
    ],
  ).action(async (name: string, target: string, opts: ClientOptions & { hash?: string }) => {
    const client = clientFrom(opts);
    const expected = opts.hash ?? (await client.getReference(name)).hash;
    const to = await client.resolveRef(target);
    const assigned = await client.assignReference(name, type, expected, to);
    if (opts.json) return printJson(assigned);
    printLine(`Assigned ${kind} ${name} to ${assigned.hash} (was ${expected})`);
  });
}
