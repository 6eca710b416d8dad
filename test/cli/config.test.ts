import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DEFAULTS,
  describeSource,
  loadConfig,
  redactStoreUrl,
  s3Settings,
  serverUrl,
} from "../../src/core/config.ts";

function dir(files: Record<string, string> = {}): string {
  const d = mkdtempSync(join(tmpdir(), "floe-config-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

const load = (opts: Parameters<typeof loadConfig>[0] = {}) => loadConfig({ env: {}, cwd: dir(), ...opts });

describe("loadConfig", () => {
  it("has embedded defaults", () => {
    const { config, sources, file } = load();
    expect(config).toEqual({
      store: "pglite:./.floe/catalog",
      storePoolSize: 10,
      warehouse: "./.floe/warehouse",
      host: "127.0.0.1",
      port: 19120,
      defaultBranch: "main",
      bodyLimit: 10 * 1024 * 1024,
      logLevel: "info",
      logFile: "-",
      "sql.statement-timeout-ms": 300_000,
      "sql.max-rows": 10_000,
      "sql.s3-reads": "auto",
      "sql.cache-max-size": 4 * 1024 ** 3,
      uri: "http://127.0.0.1:19120",
    });
    expect(sources.port).toEqual({ kind: "default" });
    expect(sources.uri).toEqual({ kind: "derived" });
    expect(file).toBeUndefined();
  });

  it("reads floe.yaml from the working directory", () => {
    const cwd = dir({ "floe.yaml": "port: 8080\nstore: postgres://u:p@db:5432/floe\nbodyLimit: 1MiB\n" });
    const { config, sources, file } = loadConfig({ env: {}, cwd });
    expect(config.port).toBe(8080);
    expect(config.store).toBe("postgres://u:p@db:5432/floe");
    expect(config.bodyLimit).toBe(1024 * 1024);
    expect(config.uri).toBe("http://127.0.0.1:8080");
    expect(describeSource(sources.port)).toBe("floe.yaml");
    expect(file).toBe(join(cwd, "floe.yaml"));
  });

  it("reads floe.json, and a file named by --config or FLOE_CONFIG", () => {
    const cwd = dir({
      "floe.json": JSON.stringify({ host: "0.0.0.0", logLevel: "warn" }),
      "prod.yml": "defaultBranch: trunk\n",
      "other.json": '{"warehouse": "s3://bucket/wh"}',
    });
    expect(loadConfig({ env: {}, cwd }).config).toMatchObject({ host: "0.0.0.0", logLevel: "warn" });
    expect(loadConfig({ env: {}, cwd }).config.uri).toBe("http://127.0.0.1:19120");
    const named = loadConfig({ env: {}, cwd, configFile: "prod.yml" });
    expect(named.config.defaultBranch).toBe("trunk");
    expect(named.config.host).toBe(DEFAULTS.host);
    const fromEnv = loadConfig({ env: { FLOE_CONFIG: "other.json" }, cwd });
    expect(fromEnv.config.warehouse).toBe("s3://bucket/wh");
  });

  it("applies file < environment < flags", () => {
    const cwd = dir({ "floe.yaml": "port: 1001\nhost: 10.0.0.1\nlogLevel: debug\nwarehouse: /from/file\n" });
    const env = { FLOE_PORT: "1002", FLOE_HOST: "10.0.0.2", FLOE_WAREHOUSE: "" };
    const { config, sources } = loadConfig({ env, cwd, flags: { port: "1003", logLevel: undefined } });
    expect(config.port).toBe(1003);
    expect(describeSource(sources.port)).toBe("--port");
    expect(config.host).toBe("10.0.0.2");
    expect(describeSource(sources.host)).toBe("FLOE_HOST");
    expect(config.logLevel).toBe("debug");
    expect(describeSource(sources.logLevel)).toBe("floe.yaml");
    // An empty variable counts as unset.
    expect(config.warehouse).toBe("/from/file");
    expect(config.uri).toBe("http://10.0.0.2:1003");
  });

  it("takes the client URI from FLOE_URI or --uri, without a trailing slash", () => {
    expect(load({ env: { FLOE_URI: "http://floe.example:80/" } }).config.uri).toBe("http://floe.example:80");
    const both = load({ env: { FLOE_URI: "http://a:1" }, flags: { uri: "https://b" } });
    expect(both.config.uri).toBe("https://b");
  });

  it("parses every kind of value", () => {
    const { config } = load({
      env: {
        FLOE_STORE: "pglite:memory",
        FLOE_STORE_POOL_SIZE: "4",
        FLOE_BODY_LIMIT: "512KiB",
        FLOE_LOG_LEVEL: "WARN",
        FLOE_DEFAULT_BRANCH: "release/2024",
        FLOE_LOG_FILE: "/tmp/floe.log",
        FLOE_PORT: "0",
      },
    });
    expect(config).toMatchObject({
      store: "pglite:memory",
      storePoolSize: 4,
      bodyLimit: 512 * 1024,
      logLevel: "warn",
      defaultBranch: "release/2024",
      logFile: "/tmp/floe.log",
      port: 0,
    });
    expect(load({ flags: { bodyLimit: "2MB" } }).config.bodyLimit).toBe(2_000_000);
    expect(load({ flags: { bodyLimit: "1048576" } }).config.bodyLimit).toBe(1048576);
  });

  it("lets a caller replace defaults", () => {
    const { config, sources } = load({ defaults: { logFile: ".floe/floe.log" } });
    expect(config.logFile).toBe(".floe/floe.log");
    expect(sources.logFile).toEqual({ kind: "default" });
  });

  describe("rejects bad values with one line naming the setting and its source", () => {
    const cases: Array<[string, Parameters<typeof loadConfig>[0], string]> = [
      ["env port", { env: { FLOE_PORT: "abc" } }, "FLOE_PORT: expected a port number 1-65535, got 'abc'"],
      ["flag port", { flags: { port: "70000" } }, "--port: expected a port number 1-65535, got '70000'"],
      ["negative port", { env: { FLOE_PORT: "-1" } }, "FLOE_PORT: expected a port number 1-65535, got '-1'"],
      [
        "store",
        { env: { FLOE_STORE: "mysql://x" } },
        "FLOE_STORE: expected a store URL (pglite:<dir>, pglite:memory or postgres://…), got 'mysql://x'",
      ],
      [
        "log level",
        { flags: { logLevel: "loud" } },
        "--log-level: expected one of trace, debug, info, warn, error, fatal, silent, got 'loud'",
      ],
      [
        "body limit",
        { env: { FLOE_BODY_LIMIT: "10 parsecs" } },
        "FLOE_BODY_LIMIT: expected a size in bytes such as 1048576 or 10MiB, got '10 parsecs'",
      ],
      [
        "branch",
        { env: { FLOE_DEFAULT_BRANCH: "bad..name" } },
        "FLOE_DEFAULT_BRANCH: expected a branch name, got 'bad..name'",
      ],
      ["uri", { flags: { uri: "ftp://x" } }, "--uri: expected an http:// or https:// URL, got 'ftp://x'"],
      [
        "pool size",
        { env: { FLOE_STORE_POOL_SIZE: "0" } },
        "FLOE_STORE_POOL_SIZE: expected a number of connections 1-1000, got '0'",
      ],
    ];
    for (const [name, opts, message] of cases) {
      it(name, () => {
        expect(() => load(opts)).toThrow(message);
      });
    }
  });

  it("reports file errors with the file name", () => {
    const bad = (files: Record<string, string>) => () => loadConfig({ env: {}, cwd: dir(files) });
    expect(bad({ "floe.yaml": "port: abc\n" })).toThrow(
      "floe.yaml: port: expected a port number 1-65535, got 'abc'",
    );
    expect(bad({ "floe.yaml": "port: 80\nprot: 81\n" })).toThrow(
      "floe.yaml: unknown setting 'prot' (known: store,",
    );
    expect(bad({ "floe.json": "{ not json" })).toThrow(/^floe\.json: not valid JSON: /);
    expect(bad({ "floe.yaml": "port: [1\n" })).toThrow(/^floe\.yaml: not valid YAML: /);
    expect(bad({ "floe.yaml": "- a\n- b\n" })).toThrow("floe.yaml: expected a mapping of settings");
    expect(() => loadConfig({ env: {}, cwd: dir(), configFile: "missing.yaml" })).toThrow(
      "config file 'missing.yaml' does not exist",
    );
    // A file value that is not a string or number.
    expect(bad({ "floe.yaml": "host: {a: 1}\n" })).toThrow(
      'floe.yaml: host: expected a host name or IP address, got {"a":1}',
    );
  });

  it("accepts an empty config file", () => {
    expect(loadConfig({ env: {}, cwd: dir({ "floe.yaml": "" }) }).config.port).toBe(19120);
  });
});

describe("helpers", () => {
  it("serverUrl gives a client-reachable address", () => {
    expect(serverUrl("127.0.0.1", 19120)).toBe("http://127.0.0.1:19120");
    expect(serverUrl("0.0.0.0", 80)).toBe("http://127.0.0.1:80");
    expect(serverUrl("::", 80)).toBe("http://[::1]:80");
    expect(serverUrl("::1", 80)).toBe("http://[::1]:80");
  });

  it("redactStoreUrl hides passwords", () => {
    expect(redactStoreUrl("postgres://floe:s3cret@db:5432/floe")).toBe("postgres://floe:***@db:5432/floe");
    expect(redactStoreUrl("pglite:./x")).toBe("pglite:./x");
  });
});

describe("S3 settings", () => {
  it("come from a file (flat or nested), FLOE_S3_* and flags, and feed the object store", () => {
    const cwd = dir({ "floe.yaml": "s3:\n  endpoint: http://seaweed:8333\n  region: eu-west-1\n" });
    const fromFile = loadConfig({ env: {}, cwd });
    expect(fromFile.config["s3.endpoint"]).toBe("http://seaweed:8333");
    expect(describeSource(fromFile.sources["s3.region"])).toBe("floe.yaml");
    const flat = loadConfig({ env: {}, cwd: dir({ "floe.yaml": "s3.path-style-access: false\n" }) });
    expect(flat.config["s3.path-style-access"]).toBe(false);
    const env = loadConfig({
      env: {
        FLOE_S3_ACCESS_KEY_ID: "ak",
        FLOE_S3_SECRET_ACCESS_KEY: "sk",
        FLOE_S3_PATH_STYLE_ACCESS: "true",
      },
      cwd,
      flags: { "s3.region": "us-west-2" },
    });
    expect(s3Settings(env.config)).toEqual({
      endpoint: "http://seaweed:8333",
      region: "us-west-2",
      pathStyle: true,
      accessKeyId: "ak",
      secretAccessKey: "sk",
    });
    expect(s3Settings(load().config)).toEqual({});
  });

  it("are checked", () => {
    expect(() => load({ env: { FLOE_S3_ENDPOINT: "seaweed:8333" } })).toThrow(
      "FLOE_S3_ENDPOINT: expected an http:// or https:// URL, got 'seaweed:8333'",
    );
    expect(() => load({ env: { FLOE_S3_PATH_STYLE_ACCESS: "yes" } })).toThrow(
      "FLOE_S3_PATH_STYLE_ACCESS: expected true or false, got 'yes'",
    );
    expect(() => loadConfig({ env: {}, cwd: dir({ "floe.yaml": "s3:\n  endpiont: x\n" }) })).toThrow(
      "unknown setting 's3.endpiont'",
    );
  });
});
