import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  closedPort,
  commit,
  head,
  killLeftovers,
  launchFloe,
  namespace,
  runFloe,
  startFloe,
  table,
} from "./floe-process.ts";

afterEach(killLeftovers);

const tmp = () => mkdtempSync(join(tmpdir(), "floe-serve-"));

describe("floe serve", () => {
  it("serves until SIGINT, then exits 0", async () => {
    const cwd = tmp();
    const server = await startFloe("serve", ["--store", "pglite:memory", "--port", "0"], { cwd });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    const config = (await (await fetch(`${server.url}/api/v2/config`)).json()) as { defaultBranch: string };
    expect(config.defaultBranch).toBe("main");
    expect(await server.stop("SIGINT")).toBe(0);
    const { stdout, stderr } = server.output();
    expect(stderr).toMatch(/^floe serving http:\/\/127\.0\.0\.1:\d+ \(store pglite:memory\)\n$/);
    // The log is JSON, one object per line.
    const records = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg?: string });
    expect(records.some((r) => r.msg === "floe started")).toBe(true);
  });

  it("finishes in-flight requests on SIGTERM and keeps every commit it acknowledged", async () => {
    const cwd = tmp();
    const args = ["--store", `pglite:${join(cwd, "catalog")}`, "--port", "0", "--log-level", "warn"];
    const server = await startFloe("serve", args, { cwd });
    const setup = await commit(server.url, "main", await head(server.url, "main"), "ns", [namespace("ns")]);
    const attempts = Array.from({ length: 30 }, (_, i) =>
      commit(server.url, "main", setup.hash, `commit ${i}`, [table(["ns", `t${i}`], i)]).then(
        () => `ns.t${i}`,
        () => undefined,
      ),
    );
    // Stop while most of them are still running.
    await Promise.race(attempts);
    const exit = server.stop("SIGTERM");
    const acknowledged = (await Promise.all(attempts)).filter((k) => k !== undefined);
    expect(await exit).toBe(0);
    expect(acknowledged.length).toBeGreaterThan(0);

    const again = await startFloe("serve", args, { cwd });
    try {
      const res = await fetch(`${again.url}/api/v2/trees/main/entries`);
      const body = (await res.json()) as { entries: Array<{ name: { elements: string[] } }> };
      const keys = body.entries.map((e) => e.name.elements.join("."));
      for (const key of acknowledged) expect(keys).toContain(key);
    } finally {
      expect(await again.stop()).toBe(0);
    }
  });

  it("takes its settings from a config file and the environment", async () => {
    const cwd = tmp();
    writeFileSync(join(cwd, "floe.yaml"), "store: pglite:memory\ndefaultBranch: trunk\nlogLevel: warn\n");
    const server = await startFloe("serve", [], { cwd, env: { FLOE_PORT: "0" } });
    const config = (await (await fetch(`${server.url}/api/v2/config`)).json()) as { defaultBranch: string };
    expect(config.defaultBranch).toBe("trunk");
    expect(await server.stop()).toBe(0);
    expect(server.output().stdout).toBe("");
  });

  it("fails with one line and exit 1 when the port is in use", async () => {
    const first = await startFloe("serve", ["--store", "pglite:memory", "--port", "0"]);
    const port = new URL(first.url).port;
    try {
      const second = await runFloe(["serve", "--store", "pglite:memory", "--port", port]);
      expect(second.code).toBe(1);
      expect(second.stderr).toBe(
        `error: cannot listen on 127.0.0.1:${port}: address already in use (is another floe running? choose another port with --port)\n`,
      );
    } finally {
      expect(await first.stop()).toBe(0);
    }
  });

  it("fails with one line and exit 1 on a bad store", async () => {
    const bad = await runFloe(["serve", "--store", "mysql://db/x", "--port", "0"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      "error: --store: expected a store URL (pglite:<dir>, pglite:memory or postgres://…), got 'mysql://db/x'\n",
    );
    // Nothing listens on port 9: the database cannot be reached.
    const port = await closedPort();
    const unreachable = await runFloe([
      "serve",
      "--store",
      `postgres://u:pw@127.0.0.1:${port}/db`,
      "--port",
      "0",
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain(`error: cannot open store postgres://u:***@127.0.0.1:${port}/db: `);
    expect(unreachable.stderr).toContain("ECONNREFUSED");
    expect(unreachable.stderr.split("\n")).toHaveLength(2);
  });

  it("rejects a bad setting before starting", async () => {
    const r = await runFloe(["serve", "--store", "pglite:memory"], { env: { FLOE_PORT: "abc" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("error: FLOE_PORT: expected a port number 1-65535, got 'abc'\n");
  });
});

describe("floe up", () => {
  it("creates ./.floe on the first run and prints how to connect", async () => {
    const cwd = tmp();
    const up = await startFloe("up", ["--port", "0"], { cwd });
    const url = up.url;
    const { stdout } = up.output();
    expect(stdout).toMatch(/^Creating the catalog in \.\/\.floe \(first run: this takes a few seconds\)…\n/);
    expect(existsSync(join(cwd, ".floe", "catalog"))).toBe(true);
    expect(existsSync(join(cwd, ".floe", "warehouse"))).toBe(true);
    expect(existsSync(join(cwd, ".floe", "floe.log"))).toBe(true);
    expect(stdout).toContain(`floe is running at ${url}\n`);
    expect(stdout).toMatch(/catalog +pglite:\/.*\/\.floe\/catalog {2}\(new\)/);
    expect(stdout).toContain(`  ${url}/api/v2\n`);
    expect(stdout).toContain("spark.sql.catalog.nessie.catalog-impl=org.apache.iceberg.nessie.NessieCatalog");
    expect(stdout).toContain(`spark.sql.catalog.nessie.uri=${url}/api/v2`);
    expect(stdout).toContain(`spark.sql.catalog.nessie.warehouse=file://${join(cwd, ".floe", "warehouse")}`);
    expect(stdout).toContain("iceberg.catalog.type=nessie");
    const icebergRest = (await fetch(`${url}/iceberg/main/v1/config`)).status === 200;
    // Only what the server serves is advertised.
    expect(stdout.includes(`${url}/iceberg/main`)).toBe(icebergRest);
    expect(stdout.includes("\npyiceberg:\n")).toBe(icebergRest);
    expect(stdout.includes("\nDuckDB:\n")).toBe(icebergRest);
    // A second `floe up` in the same directory stops before it touches the embedded store.
    const port = new URL(url).port;
    const second = await runFloe(["up", "--port", port], { cwd });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(`^error: cannot listen on 127\\.0\\.0\\.1:${port}: address already in use`),
    );
    expect((await fetch(`${url}/api/v2/trees/main`)).status).toBe(200);
    expect(await up.stop("SIGINT")).toBe(0);

    const again = await startFloe("up", ["--port", "0"], { cwd });
    expect(again.output().stdout).not.toContain("(new)");
    expect(again.output().stdout).not.toContain("Creating the catalog");
    expect(await again.stop("SIGTERM")).toBe(0);
  });

  it("waits for the store on a stop signal during start-up, then exits 0", async () => {
    const cwd = tmp();
    const up = launchFloe(["up", "--port", "0"], { cwd });
    await up.waitFor("stdout", /Creating the catalog/);
    expect(await up.stop("SIGINT")).toBe(0);
    expect(up.output().stdout).not.toContain("floe is running");
    // The catalog it was creating is usable.
    const again = await startFloe("up", ["--port", "0"], { cwd });
    expect((await fetch(`${again.url}/api/v2/trees/main`)).status).toBe(200);
    expect(await again.stop()).toBe(0);
  });
});

describe("floe config", () => {
  it("shows each setting with its source", async () => {
    const r = await runFloe(["config", "--json", "--host", "0.0.0.0"], {
      cwd: tmp(),
      env: { FLOE_PORT: "8080", FLOE_STORE: "postgres://floe:secret@db/floe" },
    });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      config: Record<string, unknown>;
      sources: Record<string, string>;
      file: string | null;
    };
    expect(out.config).toMatchObject({
      port: 8080,
      host: "0.0.0.0",
      store: "postgres://floe:***@db/floe",
      uri: "http://127.0.0.1:8080",
    });
    expect(out.sources).toMatchObject({
      port: "FLOE_PORT",
      host: "--host",
      warehouse: "default",
      uri: "derived from host and port",
    });
    expect(out.file).toBeNull();
    const human = await runFloe(["config"], { cwd: tmp() });
    expect(human.stdout).toMatch(
      /^config file: none\nSETTING +VALUE +SOURCE +ENV +FLAG\nstore +pglite:\.\/\.floe\/catalog +default +FLOE_STORE +--store\n/,
    );
  });
});
