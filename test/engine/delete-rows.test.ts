import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isFloeError } from "../../src/core/errors.ts";
import { appendRows, createTable } from "../../src/engine/append.ts";
import { deleteRows, overwriteRows } from "../../src/engine/delete-rows.ts";
import { tableRows } from "../../src/engine/table-rows.ts";
import { DataFileContent } from "../../src/iceberg/data-file.ts";
import { and, eq, gtEq, isIn, lt } from "../../src/iceberg/expressions/expression.ts";
import { rowDelta } from "../../src/iceberg/producers/delete.ts";
import { commitTableFile, type TableFile } from "../../src/iceberg/producers/metadata-file.ts";
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
    { id: 2, name: "category", required: false, type: "string" },
    { id: 3, name: "amount", required: false, type: "double" },
  ],
});

/** ids 0..99: category a below 50, b from 50; one file per partition. */
async function makeTable(name: string, properties: Record<string, string> = {}, formatVersion = 2) {
  const store = new LocalObjectStore(warehouse());
  const t0 = await createTable(store, {
    schema,
    spec: { fields: [{ sourceId: 2, name: "category", transform: { kind: "identity" } }] },
    location: `file://${join(warehouse(), name)}`,
    properties: { ...properties, "format-version": String(formatVersion) },
  });
  const table = await appendRows({
    duck: duck(),
    store,
    table: t0,
    source: `SELECT i AS id, CASE WHEN i < 50 THEN 'a' ELSE 'b' END AS category, i * 1.5 AS amount FROM range(100) r(i)`,
  });
  return { store, table };
}

async function ids(store: LocalObjectStore, table: TableFile, ref?: string): Promise<number[]> {
  const r = await tableRows({ duck: duck(), store, metadata: table.metadata, ...(ref ? { ref } : {}) });
  return (await rows(duck(), `SELECT id FROM (${r.sql}) ORDER BY id`)).map((x) => Number(x.id));
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

async function liveFiles(store: LocalObjectStore, table: TableFile) {
  const out: { path: string; deletes: number[] }[] = [];
  for await (const t of planScan({ metadata: table.metadata, store }))
    out.push({ path: t.file.filePath, deletes: t.deletes.map((d) => d.content) });
  return out;
}

describe("deleteRows, copy-on-write", () => {
  it("rewrites files that partly match, removes whole files, and commits nothing when nothing matches", async () => {
    const { store, table } = await makeTable("cow");
    const before = await liveFiles(store, table);
    const d1 = await deleteRows({ duck: duck(), store, table, filter: lt("id", 10) });
    expect(d1).toMatchObject({ mode: "copy-on-write", deletedRows: 10n, addedRows: 0n });
    expect(d1.snapshot?.summary).toMatchObject({
      operation: "overwrite",
      "added-data-files": "1",
      "deleted-data-files": "1",
      "added-records": "40",
      "deleted-records": "50",
      "total-records": "90",
      "total-data-files": "2",
    });
    expect(await ids(store, d1.table)).toEqual(range(10, 100));
    const after = await liveFiles(store, d1.table);
    expect(after.some((f) => f.path === before.find((b) => b.path.includes("category=b"))?.path)).toBe(true);

    // a whole partition: a file-level delete
    const d2 = await deleteRows({ duck: duck(), store, table: d1.table, filter: eq("category", "b") });
    expect(d2.snapshot?.summary).toMatchObject({
      operation: "delete",
      "deleted-data-files": "1",
      "total-records": "40",
    });
    expect(d2.snapshot?.summary?.["added-data-files"]).toBeUndefined();
    expect(await ids(store, d2.table)).toEqual(range(10, 50));

    // nothing matches: the same table, no snapshot
    const d3 = await deleteRows({ duck: duck(), store, table: d2.table, filter: gtEq("id", 1000) });
    expect(d3.table).toBe(d2.table);
    expect(d3.snapshot).toBeUndefined();
    expect(d3.deletedRows).toBe(0n);
  });

  it("overwrites the matching rows with a query's rows, on a branch", async () => {
    const { store, table } = await makeTable("cow-overwrite");
    const o = await overwriteRows({
      duck: duck(),
      store,
      table,
      filter: and(eq("category", "a"), gtEq("id", 40)),
      source: `SELECT i AS id, 'a' AS category, 0.0 AS amount FROM range(1000, 1003) r(i)`,
      ref: "dev",
    });
    expect(o).toMatchObject({ deletedRows: 10n, addedRows: 3n });
    expect(o.snapshot?.summary?.operation).toBe("overwrite");
    expect(await ids(store, o.table, "dev")).toEqual([...range(0, 40), ...range(50, 100), 1000, 1001, 1002]);
    expect(await ids(store, o.table)).toEqual(range(0, 100));
  });
});

describe("deleteRows, merge-on-read", () => {
  it("writes position delete files per partition that reads apply, and drops them with their data file", async () => {
    const { store, table } = await makeTable("mor", { "write.delete.mode": "merge-on-read" });
    const d1 = await deleteRows({ duck: duck(), store, table, filter: isIn("id", [3, 4, 60, 61, 62]) });
    expect(d1.mode).toBe("merge-on-read");
    expect(d1.snapshot?.summary).toMatchObject({
      operation: "delete",
      "added-position-delete-files": "2",
      "added-delete-files": "2",
      "added-position-deletes": "5",
      "changed-partition-count": "2",
      "total-records": "100",
      "total-delete-files": "2",
      "total-position-deletes": "5",
    });
    const expected = range(0, 100).filter((i) => ![3, 4, 60, 61, 62].includes(i));
    expect(await ids(store, d1.table)).toEqual(expected);
    const files = await liveFiles(store, d1.table);
    expect(files.map((f) => f.deletes)).toEqual([
      [DataFileContent.POSITION_DELETES],
      [DataFileContent.POSITION_DELETES],
    ]);

    // the delete files: reserved field ids, sorted rows, in the data file's partition directory
    let deleteFile = "";
    for await (const t of planScan({ metadata: d1.table.metadata, store, filter: eq("category", "b") }))
      deleteFile = t.deletes[0]!.filePath;
    expect(deleteFile).toMatch(/\/data\/category=b\/[0-9a-f-]+-deletes\.parquet$/);
    const local = deleteFile.replace("file://", "");
    expect(
      await rows(
        duck(),
        `SELECT name, field_id::INTEGER AS field_id FROM parquet_schema('${local}') WHERE field_id IS NOT NULL ORDER BY name`,
      ),
    ).toEqual([
      { name: "file_path", field_id: 2147483546 },
      { name: "pos", field_id: 2147483545 },
    ]);
    expect((await rows(duck(), `SELECT pos FROM '${local}'`)).map((r) => Number(r.pos))).toEqual([
      10, 11, 12,
    ]);

    // a second delete in the same file adds another delete file; both apply
    const d2 = await deleteRows({ duck: duck(), store, table: d1.table, filter: lt("id", 2) });
    expect(await ids(store, d2.table)).toEqual(expected.filter((i) => i >= 2));
    expect(d2.deletedRows).toBe(2n);

    // deleting the rest of partition a removes the data file and its delete files
    const d3 = await deleteRows({ duck: duck(), store, table: d2.table, filter: eq("category", "a") });
    expect(d3.deletedRows).toBe(46n);
    expect(d3.snapshot?.summary).toMatchObject({
      operation: "delete",
      "deleted-data-files": "1",
      "removed-position-delete-files": "2",
      "total-delete-files": "1",
      "total-position-deletes": "3",
      "total-records": "50",
    });
    expect(await ids(store, d3.table)).toEqual(range(50, 100).filter((i) => ![60, 61, 62].includes(i)));
  });

  it("overwrites rows with delete files and new data files in one overwrite snapshot", async () => {
    const { store, table } = await makeTable("mor-overwrite");
    const o = await overwriteRows({
      duck: duck(),
      store,
      table,
      filter: eq("id", 7),
      source: `SELECT 7 AS id, 'a' AS category, -1.0 AS amount`,
      mode: "merge-on-read",
    });
    expect(o.snapshot?.summary).toMatchObject({
      operation: "overwrite",
      "added-data-files": "1",
      "added-position-delete-files": "1",
      "total-records": "101",
    });
    const r = await tableRows({ duck: duck(), store, metadata: o.table.metadata, filter: eq("id", 7) });
    expect(await rows(duck(), r.matching)).toEqual([{ id: "7", category: "a", amount: -1 }]);
    expect(await ids(store, o.table)).toEqual(range(0, 100));
  });
});

describe("reading equality deletes, and refusals", () => {
  it("applies equality deletes to older data files and rewrites with them applied", async () => {
    const { store, table } = await makeTable("eq");
    const path = join(warehouse(), "eq", "data", "category=a", "eq-deletes.parquet");
    await duck().run(
      `COPY (SELECT 5::BIGINT AS id UNION ALL SELECT 6) TO '${path}' (FORMAT parquet, FIELD_IDS {id: 1})`,
    );
    const withEq = await commitTableFile(
      store,
      table,
      await rowDelta({
        metadata: table.metadata,
        store,
        snapshotId: 77n,
        deleteFiles: [
          {
            specId: 0,
            files: [
              {
                content: DataFileContent.EQUALITY_DELETES,
                filePath: `file://${path}`,
                fileFormat: "PARQUET",
                partition: ["a"],
                recordCount: 2n,
                fileSizeInBytes: 100n,
                equalityIds: [1],
              },
            ],
          },
        ],
      }),
    );
    expect(await ids(store, withEq)).toEqual(range(0, 100).filter((i) => i !== 5 && i !== 6));
    const d = await deleteRows({ duck: duck(), store, table: withEq, filter: lt("id", 3) });
    expect(d.deletedRows).toBe(3n);
    expect(d.snapshot?.summary).toMatchObject({ "added-records": "45", "deleted-records": "50" });
    expect(await ids(store, d.table)).toEqual(range(3, 100).filter((i) => i !== 5 && i !== 6));
  });

  it("refuses bad input with a clear message", async () => {
    const { store, table } = await makeTable("bad");
    const refused = async (p: Promise<unknown>, message: RegExp) => {
      const e = await p.then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(isFloeError(e, "BAD_REQUEST"), String(e)).toBe(true);
      expect((e as Error).message).toMatch(message);
    };
    await refused(
      deleteRows({ duck: duck(), store, table, filter: eq("nope", 1) }),
      /column nope: not found/,
    );
    const v3 = { ...table, metadata: { ...table.metadata, formatVersion: 3 as const } };
    await refused(deleteRows({ duck: duck(), store, table: v3, filter: eq("id", 1) }), /format v3/);
    const odd = {
      ...table,
      metadata: { ...table.metadata, properties: { "write.delete.mode": "sometimes" } },
    };
    await refused(deleteRows({ duck: duck(), store, table: odd, filter: eq("id", 1) }), /write.delete.mode/);
    const v1 = await makeTable("bad-v1", {}, 1);
    await refused(
      deleteRows({
        duck: duck(),
        store: v1.store,
        table: v1.table,
        filter: eq("id", 1),
        mode: "merge-on-read",
      }),
      /merge-on-read needs format v2/,
    );
    // copy-on-write works on v1
    const cow = await deleteRows({ duck: duck(), store: v1.store, table: v1.table, filter: eq("id", 1) });
    expect(await ids(v1.store, cow.table)).toEqual(range(0, 100).filter((i) => i !== 1));
    await refused(
      overwriteRows({ duck: duck(), store, table, filter: eq("id", 1), source: "SELECT 1 AS nope" }),
      /nope|id/,
    );
  });
});
