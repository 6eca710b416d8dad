import type { Command } from "commander";
import { type ContentJson, type DiffEntryJson, keyToString, parseKey } from "../client.ts";
import { type ClientOptions, CliError, clientFrom, clientOptions, examples } from "../common.ts";
import { printFields, printJson, printTable } from "../output.ts";

/** `floe diff`, `floe entries`, `floe show`: what the catalog holds on a ref. */
export function registerContentCommands(program: Command): void {
  examples(
    clientOptions(
      program
        .command("diff")
        .description("list the keys whose content differs between two refs")
        .argument("<from>", "branch, tag, name@hash or @hash")
        .argument("<to>", "branch, tag, name@hash or @hash"),
    ),
    ["floe diff main dev", "floe diff main~3 main --json"],
  ).action(async (from: string, to: string, opts: ClientOptions) => {
    const diffs = await clientFrom(opts).diff(from, to);
    if (opts.json) return printJson(diffs);
    const rows = diffs.map((d) => [change(d), keyToString(d.key), (d.to ?? d.from)?.type ?? ""]);
    printTable(["CHANGE", "KEY", "TYPE"], rows, `No differences between ${from} and ${to}.`);
  });

  examples(
    clientOptions(
      program
        .command("entries")
        .description("list the keys (tables, views, namespaces) on a ref")
        .argument("[ref]", "branch, tag, name@hash or @hash (default: the default branch)"),
    ),
    ["floe entries", "floe entries dev --json"],
  ).action(async (ref: string | undefined, opts: ClientOptions) => {
    const client = clientFrom(opts);
    const name = ref ?? (await client.config()).defaultBranch;
    const entries = await client.entries(name);
    if (opts.json) return printJson(entries);
    const rows = entries.map((e) => [keyToString(e.name), e.type, e.contentId ?? ""]);
    printTable(["KEY", "TYPE", "CONTENT ID"], rows, `No entries on ${name}.`);
  });

  examples(
    clientOptions(
      program
        .command("show")
        .description("show the content of one key on a ref")
        .argument("<ref>", "branch, tag, name@hash or @hash")
        .argument("<key>", "content key, elements joined by dots: sales.orders"),
    ),
    ["floe show main sales.orders", "floe show dev@1a2b3c4d sales.orders --json"],
  ).action(async (ref: string, key: string, opts: ClientOptions) => {
    let elements: string[];
    try {
      elements = parseKey(key);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    const content = await clientFrom(opts).content(ref, elements);
    if (opts.json) return printJson(content);
    printFields([["key", key], ...fields(content)]);
  });
}

function change(d: DiffEntryJson): string {
  if (!d.from) return "added";
  if (!d.to) return "removed";
  return "changed";
}

/** type and id first, then the content's own fields; nested values as JSON. */
function fields(content: ContentJson): Array<[string, string]> {
  const { type, id, ...rest } = content;
  const out: Array<[string, string]> = [["type", type]];
  if (id !== undefined) out.push(["id", id]);
  for (const [k, v] of Object.entries(rest)) out.push([k, typeof v === "string" ? v : JSON.stringify(v)]);
  return out;
}
