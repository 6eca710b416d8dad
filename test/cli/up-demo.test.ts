import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { killLeftovers, runFloe, startFloe } from "./floe-process.ts";

afterEach(killLeftovers);

/** Row count of a table on a ref: `floe sql` in the same directory, sent to the server holding the catalog. */
async function count(cwd: string, url: string, ref: string, table: string): Promise<number> {
  const r = await runFloe(
    ["sql", "--uri", url, "--branch", ref, "--format", "csv", "-e", `SELECT count(*) AS n FROM ${table}`],
    {
      cwd,
    },
  );
  expect(r.stderr).toBe("");
  return Number(r.stdout.trim().split("\n")[1]);
}

async function tableKeys(url: string, ref: string): Promise<string[]> {
  const res = await fetch(`${url}/api/v2/trees/${ref}/entries`);
  const body = (await res.json()) as { entries: Array<{ type: string; name: { elements: string[] } }> };
  return body.entries
    .filter((e) => e.type === "ICEBERG_TABLE")
    .map((e) => e.name.elements.join("."))
    .sort();
}

describe("floe up --demo", () => {
  it("loads customers and orders on main and a dev branch with more orders, once", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "floe-demo-"));
    const args = ["--demo", "--port", "0", "--log-file", "floe.log"];
    const first = await startFloe("up", args, { cwd });
    const out = first.output().stdout;
    expect(out).toMatch(/main +demo\.customers +1000 rows/);
    expect(out).toMatch(/main +demo\.orders +5000 rows/);
    expect(out).toMatch(/dev +demo\.orders +5500 rows/);
    expect(out).toContain('floe.js sql -e "SELECT status');
    expect(out).toContain("floe.js sql --branch dev -e");

    // What the Nessie API and the SQL endpoint hold, not only what was printed.
    expect(await tableKeys(first.url, "main")).toEqual(["demo.customers", "demo.orders"]);
    expect(await tableKeys(first.url, "dev")).toEqual(["demo.customers", "demo.orders"]);
    expect(await count(cwd, first.url, "main", "demo.customers")).toBe(1000);
    expect(await count(cwd, first.url, "main", "demo.orders")).toBe(5000);
    expect(await count(cwd, first.url, "dev", "demo.orders")).toBe(5500);
    const spec = (await (
      await fetch(`${first.url}/iceberg/main/v1/namespaces/demo/tables/orders`)
    ).json()) as { metadata: { "partition-specs": Array<{ fields: Array<{ transform: string }> }> } };
    expect(spec.metadata["partition-specs"].at(-1)?.fields.map((f) => f.transform)).toEqual(["month"]);
    const mainHead = (await (await fetch(`${first.url}/api/v2/trees/main`)).json()) as {
      reference: { hash: string };
    };
    expect(await first.stop()).toBe(0);

    // A second run finds the demo and changes nothing.
    const second = await startFloe("up", args, { cwd });
    expect(second.output().stdout).toContain(
      "Demo: namespace 'demo' already exists on main, nothing loaded.",
    );
    const again = (await (await fetch(`${second.url}/api/v2/trees/main`)).json()) as {
      reference: { hash: string };
    };
    expect(again.reference.hash).toBe(mainHead.reference.hash);
    expect(await count(cwd, second.url, "dev", "demo.orders")).toBe(5500);
    expect(await second.stop()).toBe(0);
  });
});
