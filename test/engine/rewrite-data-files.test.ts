import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isFloeError } from "../../src/core/errors.ts";
import { appendRows, createTable } from "../../src/engine/append.ts";
import { deleteRows } from "../../src/engine/delete-rows.ts";
import { rewriteDataFiles } from "../../src/engine/rewrite-data-files.ts";
import { tableRows } from "../../src/engine/table-rows.ts";
import { DataFileContent } from "../../src/iceberg/data-file.ts";
import { eq, isIn } from "../../src/iceberg/expressions/expression.ts";
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
  ],
});

/** Five appends of 20 rows (ids 20k..20k+19; category a for even ids, b for odd): 5 small files per partition. */
async function makeTable(name: string) {
  const store = new LocalObjectStore(warehouse());
  let table = await createTable(store, {
    schema,
    spec: { fields: [{ sourceId: 2, name: "category", transform: { kind: "identity" } }] },
    location: `file://${join(warehouse(), name)}`,
    properties: { "write.delete.mode": "merge-on-read" },
  });
  for (let k = 0; k < 5; k++)
    table = await appendRows({
      duck: duck(),
      store,
      table,
      source: `SELECT i AS id, CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END AS category FROM range(${k * 20}, ${k * 20 + 20}) r(i)`,
    });
  return { store, table };
}

async function ids(store: LocalObjectStore, table: TableFile): Promise<number[]> {
  const r = await tableRows({ duck: duck(), store, metadata: table.metadata });
  return (await rows(duck(), `SELECT id FROM (${r.sql}) ORDER BY id`)).map((x) => Number(x.id));
}

async function tasks(store: LocalObjectStore, table: TableFile) {
  const out = [];
  for await (const t of planScan({ metadata: table.metadata, store })) out.push(t);
  return out;
}

describe("rewriteDataFiles", () => {
  it("compacts each partition's small files into one, applying and dropping their deletes", async () => {
    const { store, table: t0 } = await makeTable("compact");
    // position deletes (merge-on-read) and an equality delete file
    const t1 = (await deleteRows({ duck: duck(), store, table: t0, filter: isIn("id", [0, 1, 41]) })).table;
    const eqPath = join(warehouse(), "compact", "data", "category=a", "eq-deletes.parquet");
    await duck().run(`COPY (SELECT 42::BIGINT AS id) TO '${eqPath}' (FORMAT parquet, FIELD_IDS {id: 1})`);
    const eqFile = {
      content: DataFileContent.EQUALITY_DELETES,
      filePath: `file://${eqPath}`,
      fileFormat: "PARQUET",
      partition: ["a"],
      recordCount: 1n,
      fileSizeInBytes: 100n,
      equalityIds: [1],
    };
    const t2 = await commitTableFile(
      store,
      t1,
      await rowDelta({
        metadata: t1.metadata,
        store,
        snapshotId: 900n,
        deleteFiles: [{ specId: 0, files: [eqFile] }],
      }),
    );
    const expected = Array.from({ length: 100 }, (_, i) => i).filter((i) => ![0, 1, 41, 42].includes(i));
    expect(await ids(store, t2)).toEqual(expected);
    expect((await tasks(store, t2)).length).toBe(10);
    const startSeq = t2.metadata.lastSequenceNumber;

    const r = await rewriteDataFiles({ duck: duck(), store, table: t2 });
    expect(r).toMatchObject({ rewrittenDataFiles: 10, addedDataFiles: 2, removedDeleteFiles: 3 });
    expect(r.snapshot?.summary).toMatchObject({
      operation: "replace",
      "added-data-files": "2",
      "deleted-data-files": "10",
      "added-records": "96",
      "deleted-records": "100",
      "removed-position-delete-files": "2",
      "removed-equality-delete-files": "1",
      "total-data-files": "2",
      "total-delete-files": "0",
      "total-records": "96",
    });
    expect(await ids(store, r.table)).toEqual(expected);
    const after = await tasks(store, r.table);
    // the new files carry the starting snapshot's sequence number as their data sequence number
    expect(after.map((t) => [t.file.partition[0], t.dataSequenceNumber, t.deletes.length]).sort()).toEqual([
      ["a", BigInt(startSeq), 0],
      ["b", BigInt(startSeq), 0],
    ]);
    expect(r.table.metadata.lastSequenceNumber).toBe(startSeq + 1);

    // an equality delete committed after the rewrite's start applies to the new files
    const late = {
      ...eqFile,
      filePath: `file://${eqPath.replace("eq-deletes", "eq-late")}`,
      partition: ["a"],
    };
    await duck().run(
      `COPY (SELECT 44::BIGINT AS id) TO '${late.filePath.slice(7)}' (FORMAT parquet, FIELD_IDS {id: 1})`,
    );
    const t3 = await commitTableFile(
      store,
      r.table,
      await rowDelta({
        metadata: r.table.metadata,
        store,
        snapshotId: 901n,
        deleteFiles: [{ specId: 0, files: [late] }],
      }),
    );
    expect(await ids(store, t3)).toEqual(expected.filter((i) => i !== 44));

    // nothing left to compact: the same table
    const again = await rewriteDataFiles({ duck: duck(), store, table: t3 });
    expect(again.table).toBe(t3);
    expect(again.rewrittenDataFiles).toBe(0);
  });

  it("compacts only the partitions a filter selects, keeping deletes other files still need", async () => {
    const { store, table: t0 } = await makeTable("filtered");
    const t1 = (await deleteRows({ duck: duck(), store, table: t0, filter: isIn("id", [2, 3]) })).table;
    const r = await rewriteDataFiles({ duck: duck(), store, table: t1, filter: eq("category", "a") });
    expect(r).toMatchObject({ rewrittenDataFiles: 5, addedDataFiles: 1, removedDeleteFiles: 1 });
    const after = await tasks(store, r.table);
    expect(after.filter((t) => t.file.partition[0] === "b").length).toBe(5);
    expect(after.filter((t) => t.deletes.length > 0).map((t) => t.file.partition[0])).toEqual(["b"]);
    expect(await ids(store, r.table)).toEqual(
      Array.from({ length: 100 }, (_, i) => i).filter((i) => i !== 2 && i !== 3),
    );
  });

  it("refuses bad input", async () => {
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
      rewriteDataFiles({ duck: duck(), store, table, filter: eq("nope", 1) }),
      /column nope: not found/,
    );
    await refused(rewriteDataFiles({ duck: duck(), store, table, minInputFiles: 0 }), /minInputFiles/);
    const v3 = { ...table, metadata: { ...table.metadata, formatVersion: 3 as const } };
    await refused(rewriteDataFiles({ duck: duck(), store, table: v3 }), /format v3/);
  });
});
