import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  metadataVersion,
  nextMetadataLocation,
  readTableMetadata,
  writeTableMetadata,
} from "../../src/iceberg/metadata-location.ts";
import { specFixture } from "../support/spec-fixtures.ts";

const text = readFileSync(specFixture("table-metadata/TableMetadataV2Valid.json"), "utf8");
const meta = readTableMetadata(text);
const UUID = "0b9b4c51-1a4e-4d3c-9a55-2f0f5d3bb0c1";

describe("metadata locations", () => {
  it("number files one past the one they replace", () => {
    expect(nextMetadataLocation(meta, undefined, UUID)).toBe(
      `s3://bucket/test/location/metadata/00000-${UUID}.metadata.json`,
    );
    const prev = `s3://bucket/test/location/metadata/00041-${UUID}.metadata.json`;
    expect(metadataVersion(prev)).toBe(41);
    expect(nextMetadataLocation(meta, prev, UUID)).toBe(
      `s3://bucket/test/location/metadata/00042-${UUID}.metadata.json`,
    );
    expect(metadataVersion("s3://t/metadata/v7.metadata.json")).toBe(7);
    expect(metadataVersion("s3://t/metadata/whatever.json")).toBe(-1);
    const moved = { ...meta, properties: { "write.metadata.path": "s3://other/meta/" } };
    expect(nextMetadataLocation(moved, undefined, UUID)).toBe(`s3://other/meta/00000-${UUID}.metadata.json`);
  });

  it("read and write metadata text with exact 64-bit ids", () => {
    const written = writeTableMetadata(meta);
    expect(written).toContain('"current-snapshot-id":3055729675574597004');
    expect(readTableMetadata(written)).toEqual(meta);
    expect(() => readTableMetadata("{", "s3://t/m.json")).toThrow(/Cannot read s3:\/\/t\/m.json: not JSON/);
  });
});
