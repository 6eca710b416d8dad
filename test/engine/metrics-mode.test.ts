import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { metricsModes, parseMetricsMode } from "../../src/engine/metrics-mode.ts";
import { writeDataFiles } from "../../src/engine/write-data-files.ts";
import { UNPARTITIONED } from "../../src/iceberg/partition-spec.ts";
import { schemaFromJson } from "../../src/iceberg/schema.ts";
import { fromSingleValue } from "../../src/iceberg/single-value.ts";
import { LocalObjectStore } from "../../src/storage/local-object-store.ts";
import { useDuck } from "./duck.ts";

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
});
