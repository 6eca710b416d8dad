import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/program.ts";
import {
  type FloeServer,
  closedPort,
  commit,
  head,
  killLeftovers,
  namespace,
  runFloe,
  startFloe,
  table,
} from "./floe-process.ts";

/**
 * The CLI end to end: a real `floe serve` on an embedded store, and the client commands run as
 * separate processes against it, checked in their human and `--json` forms.
 */

/** A command's help as `floe … --help` prints it to a pipe (80 columns, no colour). */
function helpOf(cmd: Command): string {
  let out = "";
  cmd.configureOutput({
    writeOut: (text) => (out += text),
    getOutHelpWidth: () => 80,
    getOutHasColors: () => false,
  });
  cmd.outputHelp();
  return out;
}

let server: FloeServer;
let cwd: string;
const floe = (...args: string[]) => runFloe([...args, "--uri", server.url], { cwd });
const json = async (...args: string[]) => {
  const r = await floe(...args, "--json");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as unknown;
};

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), "floe-cli-"));
  server = await startFloe("serve", ["--store", `pglite:${join(cwd, "catalog")}`, "--port", "0"], { cwd });
});

afterAll(async () => {
  try {
    if (server) expect(await server.stop("SIGTERM")).toBe(0);
  } finally {
    await killLeftovers();
  }
});

describe("client commands against floe serve", () => {
  let mainHash: string;
  let ordersId: string;

  it("lists the default branch of a new repository", async () => {
    const refs = (await json("branch")) as Array<{ type: string; name: string; hash: string }>;
    expect(refs.map((r) => [r.type, r.name])).toEqual([["BRANCH", "main"]]);
    const human = await floe("branch", "list");
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^ {2}NAME +HASH/);
    expect(human.stdout).toMatch(/^\* main +[0-9a-f]{12}/m);
    expect((await floe("tag")).stdout).toBe("No tags.\n");
    expect((await floe("log")).stdout).toBe("No commits on main.\n");
  });

  it("creates a branch from commits made over the HTTP API", async () => {
    const setup = await commit(server.url, "main", await head(server.url, "main"), "create namespace sales", [
      namespace("sales"),
    ]);
    const created = await commit(server.url, "main", setup.hash, "add orders", [
      table(["sales", "orders"], 1),
    ]);
    mainHash = created.hash;
    ordersId = created.added.find((a) => a.key.elements.join(".") === "sales.orders")?.contentId ?? "";
    expect(ordersId).not.toBe("");

    const human = await floe("branch", "create", "dev");
    expect(human.stderr).toBe("");
    expect(human.stdout).toBe(`Created branch dev at ${mainHash} (from main)\n`);
    const tag = (await json("tag", "create", "v1", "--from", `main@${setup.hash}`)) as Record<
      string,
      unknown
    >;
    expect(tag).toEqual({ type: "TAG", name: "v1", hash: setup.hash });

    const branches = (await json("branch")) as Array<{ name: string; hash: string }>;
    expect(branches.map((b) => [b.name, b.hash])).toEqual([
      ["dev", mainHash],
      ["main", mainHash],
    ]);
    const tags = await floe("tag");
    expect(tags.stdout).toMatch(new RegExp(`^ {2}v1 +${setup.hash.slice(0, 12)} `, "m"));
  });

  it("shows the log, newest first, with operations", async () => {
    const devHead = await head(server.url, "dev");
    await commit(server.url, "dev", devHead, "change orders, add customers", [
      table(["sales", "orders"], 2, ordersId),
      table(["sales", "customers"], 1),
    ]);

    const log = (await json("log", "dev")) as Array<{ commitMeta: { message: string; hash: string } }>;
    expect(log.map((e) => e.commitMeta.message)).toEqual([
      "change orders, add customers",
      "add orders",
      "create namespace sales",
    ]);
    const one = (await json("log", "dev", "-n", "1", "--operations")) as Array<{
      operations: Array<{ type: string; key: { elements: string[] } }>;
    }>;
    expect(one).toHaveLength(1);
    expect(one[0]?.operations.map((o) => `${o.type} ${o.key.elements.join(".")}`).sort()).toEqual([
      "PUT sales.customers",
      "PUT sales.orders",
    ]);

    const human = await floe("log", "dev", "--operations");
    const lines = human.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^HASH +COMMITTED +AUTHOR +MESSAGE$/);
    expect(lines[1]).toMatch(
      /^[0-9a-f]{12} +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +tester +change orders, add customers$/,
    );
    expect(human.stdout).toMatch(/^ {4}PUT +sales\.orders +ICEBERG_TABLE$/m);
    expect(human.stdout).toMatch(/^ {4}PUT +sales +NAMESPACE$/m);
    expect(lines).toHaveLength(1 + 3 + 4);
  });

  it("diffs two refs", async () => {
    const diffs = (await json("diff", "main", "dev")) as Array<{
      key: { elements: string[] };
      from: unknown;
      to: unknown;
    }>;
    expect(diffs.map((d) => [d.key.elements.join("."), d.from === null || d.from === undefined])).toEqual([
      ["sales.customers", true],
      ["sales.orders", false],
    ]);
    const human = await floe("diff", "main", "dev");
    expect(human.stdout).toBe(
      [
        "CHANGE   KEY              TYPE",
        "added    sales.customers  ICEBERG_TABLE",
        "changed  sales.orders     ICEBERG_TABLE",
        "",
      ].join("\n"),
    );
    expect((await floe("diff", "dev", "dev")).stdout).toBe("No differences between dev and dev.\n");
  });

  it("lists entries and shows one key", async () => {
    const entries = (await json("entries", "dev")) as Array<{ type: string; name: { elements: string[] } }>;
    expect(entries.map((e) => [e.name.elements.join("."), e.type])).toEqual([
      ["sales", "NAMESPACE"],
      ["sales.customers", "ICEBERG_TABLE"],
      ["sales.orders", "ICEBERG_TABLE"],
    ]);
    const human = await floe("entries");
    expect(human.stdout).toMatch(
      /^KEY +TYPE +CONTENT ID\nsales +NAMESPACE +\S+\nsales\.orders +ICEBERG_TABLE +\S+\n$/,
    );

    const content = (await json("show", "dev", "sales.orders")) as Record<string, unknown>;
    expect(content).toMatchObject({
      type: "ICEBERG_TABLE",
      id: ordersId,
      snapshotId: 2,
      metadataLocation: "s3://wh/sales/orders/metadata/2.metadata.json",
    });
    const shown = await floe("show", `main@${mainHash}`, "sales.orders");
    expect(shown.stdout).toContain("key:              sales.orders\n");
    expect(shown.stdout).toContain("type:             ICEBERG_TABLE\n");
    expect(shown.stdout).toContain(`id:               ${ordersId}\n`);
    expect(shown.stdout).toContain("snapshotId:       1\n");
  });

  it("merges a branch, with a dry run first", async () => {
    const dry = await floe("merge", "dev", "--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^Dry run: merging dev into main would succeed/);
    expect(await head(server.url, "main")).toBe(mainHash);

    const merged = (await json("merge", "dev", "--into", "main", "-m", "merge dev")) as Record<
      string,
      unknown
    >;
    expect(merged).toMatchObject({ wasApplied: true, wasSuccessful: true });
    const newHead = await head(server.url, "main");
    expect(merged.resultantTargetHash).toBe(newHead);
    expect((await floe("diff", "main", "dev")).stdout).toBe("No differences between main and dev.\n");
    const log = (await json("log", "main", "-n", "1")) as Array<{ commitMeta: { message: string } }>;
    expect(log[0]?.commitMeta.message).toBe("merge dev");
  });

  it("reports merge conflicts and exits 1, and --force-key resolves them", async () => {
    const [mainHead, devHead] = [await head(server.url, "main"), await head(server.url, "dev")];
    await commit(server.url, "main", mainHead, "orders on main", [table(["sales", "orders"], 10, ordersId)]);
    await commit(server.url, "dev", devHead, "orders on dev", [table(["sales", "orders"], 20, ordersId)]);

    const conflict = await floe("merge", "dev");
    expect(conflict.code).toBe(1);
    expect(conflict.stdout).toMatch(
      /^Merging dev into main has conflicts:\nKEY +CONFLICT +MESSAGE\nsales\.orders +\S+/,
    );

    const forced = await floe("merge", "dev", "--force-key", "sales.orders");
    expect(forced.stderr).toBe("");
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/^Merged dev into main \(\d+ keys?\): main is now at [0-9a-f]{64}\n$/);
    expect(((await json("show", "main", "sales.orders")) as { snapshotId: number }).snapshotId).toBe(20);
  });

  it("assigns and deletes branches and tags", async () => {
    const mainHead = await head(server.url, "main");
    const devHead = await head(server.url, "dev");
    const assigned = await floe("branch", "assign", "dev", "main");
    expect(assigned.stdout).toBe(`Assigned branch dev to ${mainHead} (was ${devHead})\n`);
    expect(await head(server.url, "dev")).toBe(mainHead);

    const tag = (await json("tag", "assign", "v1", `@${devHead}`)) as Record<string, unknown>;
    expect(tag).toMatchObject({ type: "TAG", name: "v1", hash: devHead });

    expect((await floe("tag", "delete", "v1")).stdout).toBe(`Deleted tag v1 (was ${devHead})\n`);
    const deleted = (await json("branch", "delete", "dev")) as Record<string, unknown>;
    expect(deleted).toMatchObject({ type: "BRANCH", name: "dev", hash: mainHead });
    expect(((await json("branch")) as Array<{ name: string }>).map((b) => b.name)).toEqual(["main"]);
  });

  it("prints server errors as one line with the error code", async () => {
    const r = await floe("log", "nope");
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: .*nope.* \(REFERENCE_NOT_FOUND\)\n$/);

    const exists = await floe("branch", "create", "main");
    expect(exists.code).toBe(1);
    expect(exists.stderr).toMatch(/^error: .* \(REFERENCE_ALREADY_EXISTS\)\n$/);

    const badKey = await floe("show", "main", "sales..orders");
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toBe("error: invalid content key 'sales..orders': empty element\n");

    const missing = await floe("show", "main", "sales.nothing");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: .* \(CONTENT_NOT_FOUND\)\n$/);
  });
});

describe("client commands without a server", () => {
  it("explain how to start one", async () => {
    const port = await closedPort();
    const r = await runFloe(["branch", "--uri", `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: cannot reach floe at http://127.0.0.1:${port} (connection refused): start a server with 'floe up' (or 'npm start'), or point --uri / FLOE_URI at one\n`,
    );
  });

  it("take the server from FLOE_URI", async () => {
    const port = await closedPort();
    const r = await runFloe(["log"], { env: { FLOE_URI: `http://127.0.0.1:${port}` } });
    expect(r.stderr).toContain(`error: cannot reach floe at http://127.0.0.1:${port} (connection refused)`);
  });

  it("reject bad settings with one line", async () => {
    const r = await runFloe(["branch"], { env: { FLOE_URI: "nonsense" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("error: FLOE_URI: expected an http:// or https:// URL, got 'nonsense'\n");
  });

  // Every command's help, from the program in this process (no process per command: many at once
  // time out on a loaded machine); one real `floe … --help` shows that a process prints the same.
  it("have help with examples", async () => {
    const all: Array<[string, string]> = [];
    const walk = (cmd: Command, path: string): void => {
      all.push([path, helpOf(cmd)]);
      for (const sub of cmd.commands) walk(sub, `${path} ${sub.name()}`);
    };
    walk(buildProgram(), "floe");
    expect(all.length).toBeGreaterThan(25);
    for (const [name, help] of all) expect(help, name).toContain("Examples:\n  $ ");

    const r = await runFloe(["branch", "create", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(all.find(([name]) => name === "floe branch create")?.[1]);
  });
});
