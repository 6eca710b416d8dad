import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appendRows, createTable } from "../../src/engine/append.ts";
import { scanSql } from "../../src/engine/scan-sql.ts";
import { gt } from "../../src/iceberg/expressions/expression.ts";
import { metadataVersion } from "../../src/iceberg/metadata-location.ts";
import { readTableFile } from "../../src/iceberg/producers/metadata-file.ts";
import { planScan } from "../../src/iceberg/scan/plan-scan.ts";
import { schemaFromJson } from "../../src/iceberg/schema.ts";
import { LocalObjectStore } from "../../src/storage/local-object-store.ts";
import { rows, useDuck } from "./duck.ts";

const { duck, warehouse } = useDuck();

const schema = schemaFromJson({
  type: "struct",
  "schema-id": 0,
  fields: [
    { id: 1, name: "id", required: true, type: "long" },
    { id: 2, name: "ts", required: false, type: "timestamptz" },
    { id: 3, name: "amount", required: false, type: "decimal(10, 2)" },
  ],
});

describe("createTable + appendRows", () => {
  it("writes data files, commits two fast appends and reads the rows back", async () => {
    const store = new LocalObjectStore(warehouse());
    const location = `file://${join(warehouse(), "t")}`;
    const t0 = await createTable(store, {
      schema,
      spec: { fields: [{ sourceId: 2, name: "ts_day", transform: { kind: "day" } }] },
      location,
    });
    expect(metadataVersion(t0.location)).toBe(0);
    const source = (from: number, to: number) =>
      `SELECT i AS id, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_hours(i * 7) AS ts, (i * 1.25)::DECIMAL(10,2) AS amount
       FROM range(${from}, ${to}) AS r(i)`;
    const t1 = await appendRows({ duck: duck(), store, table: t0, source: source(0, 10), snapshotId: 11n });
    const t2 = await appendRows({ duck: duck(), store, table: t1, source: source(10, 25), snapshotId: 12n });
    expect(metadataVersion(t2.location)).toBe(2);
    expect(t2.metadata.metadataLog.map((e) => e.metadataFile)).toEqual([t0.location, t1.location]);
    expect(await readTableFile(store, t2.location)).toEqual(t2);
    expect(t2.metadata.snapshots.map((s) => [s.snapshotId, s.parentSnapshotId, s.sequenceNumber])).toEqual([
      [11n, undefined, 1],
      [12n, 11n, 2],
    ]);
    expect(t2.metadata.snapshots[1]!.summary).toMatchObject({ "added-records": "15", "total-records": "25" });

    const files: string[] = [];
    for await (const task of planScan({ metadata: t2.metadata, store })) files.push(task.file.filePath);
    const got = await rows(duck(), `SELECT id, amount FROM ${scanSql(schema, files)} ORDER BY id`);
    expect(got).toEqual(
      Array.from({ length: 25 }, (_, i) => ({ id: String(i), amount: (i * 1.25).toFixed(2) })),
    );

    // the last day's files only (ids 24.. are on 2024-01-08)
    const late: string[] = [];
    const filter = gt("ts", "2024-01-07T23:59:59+00:00");
    for await (const task of planScan({ metadata: t2.metadata, store, filter }))
      late.push(task.file.filePath);
    expect(late.length).toBeLessThan(files.length);
    const lateRows = await rows(duck(), `SELECT min(id) AS lo FROM ${scanSql(schema, late)}`);
    expect(Number(lateRows[0]!.lo)).toBeGreaterThanOrEqual(24);
  });

  it("refuses an empty source", async () => {
    const store = new LocalObjectStore(warehouse());
    const t0 = await createTable(store, { schema, location: `file://${join(warehouse(), "empty")}` });
    await expect(
      appendRows({
        duck: duck(),
        store,
        table: t0,
        source: "SELECT 1 AS id, NULL AS ts, NULL AS amount LIMIT 0",
      }),
    ).rejects.toThrow(/no rows/);
  });
});
