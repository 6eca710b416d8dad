import { describe, expect, it } from "vitest";
import { keyPath, keyToString, parseKey, refPath } from "../../src/cli/client.ts";
import { table } from "../../src/cli/output.ts";
import { connectionSnippets } from "../../src/cli/snippets.ts";

describe("paths", () => {
  it("writes content keys as Nessie spec 2.2.0 does", () => {
    expect(keyPath(["foo", "bar", "baz"])).toBe("foo.bar.baz");
    // The spec's own examples, URL-encoded for the path.
    expect(decodeURIComponent(keyPath(["foo", ".bar", "baz"]))).toBe(".foo.*.bar.baz");
    expect(decodeURIComponent(keyPath(["foo.", ".bar", "a/\\%aa"]))).toBe(".foo*..*.bar.a*{*}*[aa");
    expect(keyPath(["a b", "c"])).toBe("a%20b.c");
  });

  it("writes refs, adding the '@' Nessie wants after a name with '/'", () => {
    expect(refPath("main")).toBe("main");
    expect(refPath("main", "abcd1234")).toBe("main%40abcd1234");
    expect(refPath("feature/x")).toBe("feature%2Fx%40");
    expect(refPath("feature/x@abcd1234")).toBe("feature%2Fx%40abcd1234");
    expect(refPath("feature/x~2")).toBe("feature%2Fx%40~2");
    expect(refPath("@abcd1234")).toBe("%40abcd1234");
    expect(refPath("main~1")).toBe("main~1");
  });

  it("parses keys typed as a.b.c", () => {
    expect(parseKey("sales.orders")).toEqual(["sales", "orders"]);
    expect(() => parseKey("sales..orders")).toThrow("invalid content key 'sales..orders': empty element");
    expect(keyToString({ elements: ["a", "b"] })).toBe("a.b");
  });
});

describe("output", () => {
  it("aligns table columns and leaves the last one unpadded", () => {
    expect(
      table(
        ["NAME", "HASH", "MESSAGE"],
        [
          ["main", "1234", "first"],
          ["a-long-name", "56", ""],
        ],
      ),
    ).toEqual(["NAME         HASH  MESSAGE", "main         1234  first", "a-long-name  56"]);
  });
});

describe("connection snippets", () => {
  const base = { url: "http://127.0.0.1:19120", branch: "main", warehouse: "file:///tmp/wh" };

  it("advertise only the Nessie API when the server has no Iceberg REST routes", () => {
    const text = JSON.stringify(connectionSnippets({ ...base, nessie: true, icebergRest: false }));
    expect(text).toContain("http://127.0.0.1:19120/api/v2");
    expect(text).toContain("org.apache.iceberg.nessie.NessieCatalog");
    expect(text).toContain("spark.sql.catalog.nessie.client-api-version=2");
    expect(text).toContain("iceberg.catalog.type=nessie");
    expect(text).toContain("spark.sql.catalog.nessie.warehouse=file:///tmp/wh");
    expect(text).not.toContain("/iceberg/main");
    expect(text).not.toContain("pyiceberg");
  });

  it("add Spark, Trino, pyiceberg and DuckDB over Iceberg REST when it is served", () => {
    const snippets = connectionSnippets({ ...base, nessie: true, icebergRest: true });
    const titles = snippets.map((s) => s.title).join("\n");
    expect(titles).toMatch(/Spark, Iceberg REST/);
    expect(titles).toMatch(/pyiceberg/);
    expect(titles).toMatch(/DuckDB/);
    const text = JSON.stringify(snippets);
    expect(text).toContain("spark.sql.catalog.floe.uri=http://127.0.0.1:19120/iceberg/main");
    expect(text).toContain('uri=\\"http://127.0.0.1:19120/iceberg/main\\"');
    expect(text).toContain("ENDPOINT 'http://127.0.0.1:19120/iceberg/main'");
  });
});
