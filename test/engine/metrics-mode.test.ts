import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { metricsModes, parseMetricsMode } from "../../src/engine/metrics-mode.ts";
import { writeDataFiles } from "../../src/engine/write-data-files.ts";
import { UNPARTITIONED } from "../../src/iceberg/partition-spec.ts";
import { schemaFromJson } from "../../src/iceberg/schema.ts";
import { sortOrderFromJson } from "../../src/iceberg/sort-order.ts";
import { fromSingleValue } from "../../src/iceberg/single-value.ts";
import { LocalObjectStore } from "../../src/storage/local-object-store.ts";
import { scanSql } from "../../src/engine/scan-sql.ts";
import { rows, useDuck } from "./duck.ts";

const { duck, warehouse } = useDuck();

const schema = schemaFromJson({
  type: "struct",
  "schema-id": 0,
  fields: [
    { id: 1, name: "id", required: true, type: "long" },
    { id: 2, name: "s", required: false, type: "string" },
    {
      id: 3,
      name: "p",
      required: false,
      type: { type: "struct", fields: [{ id: 4, name: "x", required: false, type: "double" }] },
    },
    { id: 5, name: "t", required: false, type: "string" },
  ],
});

describe("metrics modes", () => {
  it("parses Java's mode strings", () => {
    expect(parseMetricsMode("none")).toEqual({ kind: "none" });
    expect(parseMetricsMode(" Counts ")).toEqual({ kind: "counts" });
    expect(parseMetricsMode("full")).toEqual({ kind: "full" });
    expect(parseMetricsMode("truncate(8)")).toEqual({ kind: "truncate", length: 8 });
    expect(parseMetricsMode("truncate(0)")).toBeUndefined();
    expect(parseMetricsMode("bounds")).toBeUndefined();
  });

  it("resolves the default, per-column overrides by full name, and unreadable modes", () => {
    const modes = metricsModes(schema, {
      "write.metadata.metrics.default": "counts",
      "write.metadata.metrics.column.p.x": "full",
      "write.metadata.metrics.column.s": "truncate(4)",
      "write.metadata.metrics.column.t": "sometimes",
      "write.metadata.metrics.column.gone": "none",
    });
    expect([1, 2, 3, 4, 5].map(modes)).toEqual([
      { kind: "counts" },
      { kind: "truncate", length: 4 },
      { kind: "counts" },
      { kind: "full" },
      { kind: "counts" },
    ]);
    expect(metricsModes(schema)(2)).toEqual({ kind: "truncate", length: 16 });
  });

  it("keeps the default for the first columns only when a schema has more than the inferred limit", () => {
    const modes = metricsModes(schema, { "write.metadata.metrics.max-inferred-column-defaults": "2" });
    expect([1, 2, 3, 4, 5].map((id) => modes(id).kind)).toEqual([
      "truncate",
      "truncate",
      "none",
      "none",
      "none",
    ]);
  });

  it("decides which metrics a written file records", async () => {
    const [file] = await writeDataFiles({
      duck: duck(),
      schema,
      spec: UNPARTITIONED,
      source: `SELECT 1 AS id, 'abcdefgh' AS s, {'x': 2.5} AS p, 'zzzz' AS t`,
      location: join(warehouse(), "modes"),
      targetFileSizeBytes: 1 << 30,
      store: new LocalObjectStore(warehouse()),
      tableProperties: {
        "write.metadata.metrics.default": "none",
        "write.metadata.metrics.column.id": "counts",
        "write.metadata.metrics.column.s": "truncate(4)",
        "write.metadata.metrics.column.p.x": "full",
      },
    });
    expect([...(file?.columnSizes?.keys() ?? [])].sort()).toEqual([1, 2, 4, 5]);
    expect([...(file?.valueCounts?.keys() ?? [])].sort()).toEqual([1, 2, 4]);
    expect([...(file?.lowerBounds?.keys() ?? [])].sort()).toEqual([2, 4]);
    const text = (b: Uint8Array | undefined) => fromSingleValue({ type: "string" }, b as Uint8Array);
    expect(text(file?.lowerBounds?.get(2))).toBe("abcd");
    expect(text(file?.upperBounds?.get(2))).toBe("abce");
  });

  it("writes rows in the sort order, records its id and keeps bounds of its columns", async () => {
    const order = sortOrderFromJson({
      "order-id": 3,
      fields: [
        { "source-id": 2, transform: "truncate[1]", direction: "desc", "null-order": "nulls-last" },
        { "source-id": 1, transform: "identity", direction: "asc", "null-order": "nulls-first" },
      ],
    });
    expect(metricsModes(schema, { "write.metadata.metrics.default": "counts" }, order)(2)).toEqual({
      kind: "truncate",
      length: 16,
    });
    const files = await writeDataFiles({
      duck: duck(),
      schema,
      spec: UNPARTITIONED,
      source: `SELECT *, NULL AS p, NULL AS t FROM (VALUES (3, 'b'), (1, 'a'), (2, 'bz'), (4, NULL), (0, 'b')) AS v(id, s)`,
      location: join(warehouse(), "sorted"),
      targetFileSizeBytes: 1 << 30,
      store: new LocalObjectStore(warehouse()),
      sortOrder: order,
      tableProperties: { "write.metadata.metrics.default": "none" },
    });
    const [file] = files;
    expect(file?.sortOrderId).toBe(3);
    expect(file?.lowerBounds?.has(2)).toBe(true);
    expect(file?.lowerBounds?.has(1)).toBe(true);
    expect(file?.valueCounts?.has(5)).toBe(false);
    const read = await rows(duck(), `SELECT id, s FROM ${scanSql(schema, [file!.filePath])}`);
    expect(read.map((r) => `${String(r.id)}${r.s === null ? "" : `:${String(r.s)}`}`)).toEqual([
      "0:b",
      "2:bz",
      "3:b",
      "1:a",
      "4",
    ]);
  });
});
