import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseJson, stringifyJson } from "../../src/core/json.ts";
import {
  currentSchema,
  currentSnapshot,
  defaultSortOrder,
  defaultSpec,
  snapshotById,
  tableMetadataFromJson,
  tableMetadataToJson,
} from "../../src/iceberg/table-metadata.ts";
import { specFixture } from "../support/spec-fixtures.ts";

const DIR = specFixture("table-metadata");

function load(name: string): unknown {
  // example_table_metadata_v2.json is a template with {{ placeholders }}.
  const text = readFileSync(join(DIR, name), "utf8").replace(/\{\{ (\w+) \}\}/g, "s3://bucket/$1");
  return parseJson(text);
}

const VALID = [
  "TableMetadataV1Valid.json",
  "TableMetadataV2Valid.json",
  "TableMetadataV2ValidMinimal.json",
  "TableMetadataV3ValidMinimal.json",
  "TableMetadataStatisticsFiles.json",
  "TableMetadataPartitionStatisticsFiles.json",
  "iceberg-rust/TableMetadataV1Compat.json",
  "iceberg-rust/TableMetadataV1PartitionSpecsWithoutDefaultId.json",
  "iceberg-rust/TableMetadataV1SchemasWithoutCurrentId.json",
  "iceberg-rust/TableMetadataV3ValidEncryption.json",
  "iceberg-rust/example_table_metadata_v2.json",
];

const INVALID: Array<[string, RegExp]> = [
  ["TableMetadataUnsupportedVersion.json", /unsupported table metadata format-version 42/],
  ["TableMetadataV1MissingSchemaType.json", /Cannot parse schema: "type" must be "struct", got nothing/],
  ["TableMetadataV2CurrentSchemaNotFound.json", /current-schema-id 2 is not among the schemas/],
  ["TableMetadataV2MissingLastPartitionId.json", /"last-partition-id" must exist in format v2/],
  ["TableMetadataV2MissingPartitionSpecs.json", /"partition-specs" must exist in format v2/],
  ["TableMetadataV2MissingSchemas.json", /"schemas" must exist in format v2/],
  ["TableMetadataV2MissingSortOrder.json", /"sort-orders" must exist in format v2/],
  ["iceberg-rust/TableMetadataV1NoValidSchema.json", /"current-schema-id" is missing/],
];

/** Keys floe writes that an input may lack (defaults made explicit), and input keys it does not know. */
const ADDED_KEYS = new Set([
  "schema-id",
  "schemas",
  "current-schema-id",
  "partition-specs",
  "default-spec-id",
  "last-partition-id",
  "sort-orders",
  "default-sort-order-id",
  "properties",
  "current-snapshot-id",
  "refs",
  "snapshots",
  "statistics",
  "partition-statistics",
  "snapshot-log",
  "metadata-log",
  "schema",
  "partition-spec",
]);
const UNKNOWN_KEYS = new Set(["statistics-files", "partition-statistics-files"]);

/** Every key of `input` appears in `written` with an equal value; extra keys are only known defaults. */
function expectWrittenMatches(written: unknown, input: unknown, path = "$"): void {
  if (Array.isArray(input)) {
    expect(Array.isArray(written), path).toBe(true);
    expect((written as unknown[]).length, path).toBe(input.length);
    input.forEach((v, i) => expectWrittenMatches((written as unknown[])[i], v, `${path}[${i}]`));
  } else if (typeof input === "object" && input !== null) {
    const w = written as Record<string, unknown>;
    for (const [k, v] of Object.entries(input)) {
      if (UNKNOWN_KEYS.has(k)) continue;
      expect(k in w, `${path}.${k} missing from written metadata`).toBe(true);
      expectWrittenMatches(w[k], v, `${path}.${k}`);
    }
    for (const k of Object.keys(w))
      if (!(k in input)) expect(ADDED_KEYS.has(k), `${path}.${k} written but not in input`).toBe(true);
  } else {
    expect(written, path).toEqual(input);
  }
}

describe("table metadata fixtures", () => {
  it("covers every fixture file", () => {
    const all = [
      ...readdirSync(DIR),
      ...readdirSync(join(DIR, "iceberg-rust")).map((f) => `iceberg-rust/${f}`),
    ];
    const known = new Set([...VALID, ...INVALID.map(([f]) => f)]);
    expect(all.filter((f) => f.endsWith(".json") && !known.has(f))).toEqual([]);
  });

  for (const name of VALID)
    it(`round-trips ${name}`, () => {
      const input = load(name);
      const model = tableMetadataFromJson(input);
      const text = stringifyJson(tableMetadataToJson(model));
      const written = parseJson(text);
      expect(tableMetadataFromJson(written)).toEqual(model);
      expectWrittenMatches(written, input);
    });

  for (const [name, message] of INVALID)
    it(`rejects ${name}`, () => {
      expect(() => tableMetadataFromJson(load(name))).toThrow(message);
    });
});

describe("table metadata model", () => {
  it("reads the v2 fixture's values exactly", () => {
    const m = tableMetadataFromJson(load("TableMetadataV2Valid.json"));
    expect(m.formatVersion).toBe(2);
    expect(m.currentSnapshotId).toBe(3055729675574597004n);
    expect(currentSnapshot(m)?.parentSnapshotId).toBe(3051729675574597004n);
    expect(snapshotById(m, 3051729675574597004n)?.sequenceNumber).toBe(0);
    expect(currentSchema(m).identifierFieldIds).toEqual([1, 2]);
    expect(defaultSpec(m).fields[0]?.fieldId).toBe(1000);
    expect(defaultSortOrder(m).fields[1]?.transform).toEqual({ kind: "bucket", numBuckets: 4 });
    expect(m.refs.main).toEqual({ snapshotId: 3055729675574597004n, type: "branch" });
    expect(m.snapshotLog).toHaveLength(2);
  });

  it("defaults v1 fields as Appendix E says", () => {
    const m = tableMetadataFromJson(load("TableMetadataV1Valid.json"));
    expect(m.lastSequenceNumber).toBe(0);
    expect(m.schemas.map((s) => s.schemaId)).toEqual([0]);
    expect(m.partitionSpecs).toEqual([{ specId: 0, fields: [expect.objectContaining({ fieldId: 1000 })] }]);
    expect(m.lastPartitionId).toBe(1000);
    expect(m.sortOrders).toEqual([{ orderId: 0, fields: [] }]);
    expect(m.currentSnapshotId).toBeUndefined();
    const written = tableMetadataToJson(m);
    expect(written["format-version"]).toBe(1);
    expect(written["last-sequence-number"]).toBeUndefined();
    expect(written.schema).toEqual(expect.objectContaining({ type: "struct" }));
    expect(written["partition-spec"]).toHaveLength(1);
  });

  it("takes the newest spec when v1 names no default and reads v3 fields", () => {
    expect(
      tableMetadataFromJson(load("iceberg-rust/TableMetadataV1PartitionSpecsWithoutDefaultId.json"))
        .defaultSpecId,
    ).toBe(2);
    const v3 = tableMetadataFromJson(load("iceberg-rust/TableMetadataV3ValidEncryption.json"));
    expect(v3.nextRowId).toBe(0n);
    expect(v3.encryptionKeys?.map((k) => k.keyId)).toHaveLength(2);
    expect(v3.snapshots[0]?.keyId).toBe("1fb95f04-7f98-4b1f-a08f-e810cfb907ff");
  });

  const base = () => load("TableMetadataV2Valid.json") as Record<string, unknown>;
  it("rejects inconsistent metadata naming the problem", () => {
    expect(() => tableMetadataFromJson({ ...base(), "current-snapshot-id": 5 })).toThrow(
      /current-snapshot-id 5 is not among the snapshots/,
    );
    expect(() => tableMetadataFromJson({ ...base(), "default-spec-id": 3 })).toThrow(/default-spec-id 3/);
    expect(() => tableMetadataFromJson({ ...base(), "default-sort-order-id": 1 })).toThrow(
      /default-sort-order-id 1/,
    );
    expect(() => tableMetadataFromJson({ ...base(), "last-sequence-number": 0 })).toThrow(
      /sequence number 1/,
    );
    expect(() =>
      tableMetadataFromJson({
        ...base(),
        refs: { main: { "snapshot-id": 3051729675574597004n, type: "branch" } },
      }),
    ).toThrow(/differs from branch main/);
    expect(() =>
      tableMetadataFromJson({ ...base(), refs: { x: { "snapshot-id": 7, type: "tag" } } }),
    ).toThrow(/ref x points at unknown snapshot 7/);
    expect(() =>
      tableMetadataFromJson({
        ...base(),
        refs: { x: { "snapshot-id": 7, type: "tag", "min-snapshots-to-keep": 2 } },
      }),
    ).toThrow(/a tag has no min-snapshots-to-keep/);
    expect(() => tableMetadataFromJson({ ...base(), location: 5 })).toThrow(
      /"location" must be a string, got 5/,
    );
    expect(() =>
      tableMetadataFromJson({
        ...base(),
        snapshots: [{ "snapshot-id": 1, "timestamp-ms": 1, "sequence-number": 1 }],
      }),
    ).toThrow(/snapshot 1: missing "manifest-list"/);
    expect(() => tableMetadataFromJson({ ...base(), "format-version": 3 })).toThrow(
      /"next-row-id" must exist in format v3/,
    );
  });
});
