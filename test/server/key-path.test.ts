import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keyFromPathString, keyToPathString, keyToPathStringEscaped } from "../../src/server/key-path.ts";
import { matchTreePath } from "../../src/server/tree-paths.ts";

describe("content keys in paths", () => {
  it("writes the examples of NESSIE-SPEC-2-0.md", () => {
    expect(keyToPathStringEscaped(["foo", "bar", "baz"])).toBe("foo.bar.baz");
    expect(keyToPathStringEscaped(["foo", ".bar", "baz"])).toBe(".foo.*.bar.baz");
    expect(keyToPathStringEscaped(["foo.", ".bar", "a/\\%aa"])).toBe(".foo*..*.bar.a*{*}*[aa");
  });

  it("reads both representations", () => {
    expect(keyFromPathString("foo.bar.baz")).toEqual(["foo", "bar", "baz"]);
    expect(keyFromPathString(".foo*..*.bar.a*{*}*[aa")).toEqual(["foo.", ".bar", "a/\\%aa"]);
    expect(keyFromPathString("a\u001db.c")).toEqual(["a.b", "c"]);
    expect(keyFromPathString("a\u0000b.c")).toEqual(["a.b", "c"]);
    expect(keyFromPathString("a*b")).toEqual(["a*b"]);
    expect(keyFromPathString(".a**b")).toEqual(["a*b"]);
    expect(keyFromPathString("a.")).toEqual(["a"]);
  });

  it("rejects empty elements and bad escapes", () => {
    for (const bad of ["", "a..b", ".", ".a..b", ".a*x", ".a*"]) {
      expect(() => keyFromPathString(bad), bad).toThrow();
    }
  });

  it("round-trips any key through either representation", () => {
    const element = fc.string({
      minLength: 1,
      maxLength: 8,
      unit: fc.constantFrom("a", "b", ".", "*", "/", "\\", "%", "{", "}", "[", "é"),
    });
    fc.assert(
      fc.property(fc.array(element, { minLength: 1, maxLength: 5 }), (key) => {
        expect(keyFromPathString(keyToPathStringEscaped(key))).toEqual(key);
        expect(keyFromPathString(keyToPathString(key))).toEqual(key);
      }),
    );
  });
});

describe("ref path elements", () => {
  it("matches names with '/' given as a/b@ or %2F, hashes and relative parts", () => {
    expect(matchTreePath("a/b@/entries")).toMatchObject({ endpoint: "entries", params: ["a/b@"] });
    expect(matchTreePath("a%2Fb/entries")).toMatchObject({ endpoint: "entries", params: ["a/b"] });
    expect(matchTreePath("a/b@12345678/history/commit")).toMatchObject({
      endpoint: "commit",
      params: ["a/b@12345678"],
    });
    expect(matchTreePath("main~2^1")).toMatchObject({ endpoint: "reference", params: ["main~2^1"] });
    expect(matchTreePath("a/b@/diff/c/d@")).toMatchObject({ endpoint: "diff", params: ["a/b@", "c/d@"] });
    expect(matchTreePath("main/diff/-")).toMatchObject({ endpoint: "diff", params: ["main", "-"] });
    expect(matchTreePath("main/contents/.a*{b")).toMatchObject({
      endpoint: "content",
      params: ["main", ".a*{b"],
    });
    expect(matchTreePath("main%40abcdef12/entries")).toMatchObject({ params: ["main@abcdef12"] });
    expect(matchTreePath("main/other")).toBeUndefined();
    expect(matchTreePath("a/b/entries")).toBeUndefined();
  });
});
