import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseJson } from "../../src/core/json.ts";
import { applyUpdates } from "../../src/iceberg/apply-updates.ts";
import { type TableMetadata, tableMetadataFromJson } from "../../src/iceberg/table-metadata.ts";
import { tableUpdatesFromJson } from "../../src/iceberg/updates.ts";

/** A base table, four commits' updates, and what pyiceberg 0.12 made of each (commit.py beside the file). */
const golden = parseJson(
  readFileSync(new URL("../fixtures/iceberg/pyiceberg/commit.json", import.meta.url), "utf8"),
) as { base: unknown; commits: unknown[]; results: unknown[] };

/** pyiceberg dates commits without a snapshot by its wall clock; everything else must agree. */
const comparable = (m: TableMetadata) => ({ ...m, lastUpdatedMs: 0 });

describe("applyUpdates agrees with pyiceberg's update_table_metadata", () => {
  it("commit by commit", () => {
    let m = tableMetadataFromJson(golden.base);
    golden.commits.forEach((updates, i) => {
      m = applyUpdates(m, tableUpdatesFromJson(updates), { nowMs: 1 });
      expect(comparable(m), `after commit ${i + 1}`).toEqual(
        comparable(tableMetadataFromJson(golden.results[i])),
      );
    });
    expect(m.snapshotLog.map((e) => e.timestampMs)).toEqual([1700000000000, 1700000100000]);
  });
});
