import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseJson, stringifyJson } from "../../src/core/json.ts";
import {
  currentViewVersion,
  viewMetadataFromJson,
  viewMetadataToJson,
} from "../../src/iceberg/view-metadata.ts";
import { specFixture } from "../support/spec-fixtures.ts";

const load = (name: string): Record<string, unknown> =>
  parseJson(readFileSync(specFixture(`view-metadata/${name}`), "utf8")) as Record<string, unknown>;

describe("view metadata fixtures", () => {
  it("round-trips ValidViewMetadata.json", () => {
    const input = load("ValidViewMetadata.json");
    const model = viewMetadataFromJson(input);
    const written = parseJson(stringifyJson(viewMetadataToJson(model))) as Record<string, unknown>;
    expect(viewMetadataFromJson(written)).toEqual(model);
    // `current-schema-id` is a field of old writers that readers derive from the current version.
    const { "current-schema-id": _, ...expected } = input;
    expect(written).toEqual(expected);
    expect(currentViewVersion(model).representations[0]?.sql).toBe("select 1 id, 'abc' data");
  });

  const INVALID: Array<[string, RegExp]> = [
    ["ViewMetadataInvalidCurrentSchema.json", /version 2 uses unknown schema 1234/],
    ["ViewMetadataInvalidCurrentVersion.json", /current-version-id 1234 is not among the versions/],
    ["ViewMetadataMissingCurrentVersion.json", /missing "current-version-id"/],
    ["ViewMetadataMissingLocation.json", /missing "location"/],
    [
      "ViewMetadataMultipleSQLsForDialect.json",
      /Invalid view version: Cannot add multiple queries for dialect spark-sql/,
    ],
  ];
  for (const [name, message] of INVALID)
    it(`rejects ${name}`, () => expect(() => viewMetadataFromJson(load(name))).toThrow(message));

  it("rejects other format versions and representation types", () => {
    expect(() => viewMetadataFromJson({ ...load("ValidViewMetadata.json"), "format-version": 2 })).toThrow(
      /format-version 2/,
    );
    const v = load("ValidViewMetadata.json");
    const versions = v.versions as Array<Record<string, unknown>>;
    versions[0] = { ...versions[0], representations: [{ type: "substrait", plan: "" }] };
    expect(() => viewMetadataFromJson(v)).toThrow(/unknown representation type "substrait"/);
  });
});
