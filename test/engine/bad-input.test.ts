import { readdirSync, readFileSync, rmSync, utimesSync, writeFileSync, type Dirent } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type FloeError, isFloeError } from "../../src/core/errors.ts";
import { appendRows, createTable } from "../../src/engine/append.ts";
import { runOnDataFiles } from "../../src/engine/data-file-errors.ts";
import { deleteRows } from "../../src/engine/delete-rows.ts";
import { readSql } from "../../src/engine/read-sql.ts";
import { scanSql } from "../../src/engine/scan-sql.ts";
import { gtEq } from "../../src/iceberg/expressions/expression.ts";
import { readTableFile, type TableFile } from "../../src/iceberg/producers/metadata-file.ts";
import { planScan } from "../../src/iceberg/scan/plan-scan.ts";
import { schemaFromJson } from "../../src/iceberg/schema.ts";
import { LocalObjectStore } from "../../src/storage/local-object-store.ts";
import { useDuck } from "./duck.ts";

/**
 * Bad input for the engine (issue 3 item 9): Parquet data files written by floe's own append,
 * then damaged. Reading them through `readSql` / `scanSql` + `runOnDataFiles` must fail with a
 * FloeError naming the data file and the problem, not DuckDB's exception; an append to a table
 * whose metadata is damaged writes nothing (no data file, manifest or metadata file is left).
 */

const { duck, warehouse } = useDuck();

const schema = schemaFromJson({
  type: "struct",
  "schema-id": 0,
  fields: [
    { id: 1, name: "id", required: true, type: "long" },
    { id: 2, name: "name", required: false, type: "string" },
    {
      id: 3,
      name: "s",
      required: false,
      type: { type: "struct", fields: [{ id: 4, name: "a", required: false, type: "int" }] },
    },
  ],
});

const source = (from: number, to: number): string =>
  `SELECT i AS id, 'name-' || i || repeat('x', i % 17) AS name, {'a': i::INTEGER} AS s FROM range(${from}, ${to}) AS r(i)`;

let tables = 0;

async function goodTable(): Promise<{ store: LocalObjectStore; table: TableFile; files: string[] }> {
  const store = new LocalObjectStore(warehouse());
  let table = await createTable(store, { schema, location: `file://${join(warehouse(), `t${++tables}`)}` });
  table = await appendRows({ duck: duck(), store, table, source: source(0, 3000) });
  table = await appendRows({ duck: duck(), store, table, source: source(3000, 5000) });
  const files: string[] = [];
  for await (const task of planScan({ metadata: table.metadata, store })) files.push(task.file.filePath);
  expect(files).toHaveLength(2);
  return { store, table, files };
}

const pathOf = (location: string): string => new URL(location).pathname;

type Damage = (b: Buffer) => Buffer | undefined;

/** Damages to a Parquet file DuckDB wrote (snappy pages; footer, its length, then "PAR1"). */
const damages: [string, Damage, RegExp][] = [
  ["empty", () => Buffer.alloc(0), /too small to be a Parquet file/],
  ["three bytes", (b) => b.subarray(0, 3), /too small to be a Parquet file/],
  ["truncated to half", (b) => b.subarray(0, b.length >> 1), /No magic bytes found/],
  ["truncated by one byte", (b) => b.subarray(0, b.length - 1), /No magic bytes found/],
  [
    "a bad magic at the end",
    (b) => Buffer.concat([b.subarray(0, b.length - 4), Buffer.from("PAR2")]),
    /No magic bytes found/,
  ],
  [
    "a footer length past the start of the file",
    (b) => {
      const out = Buffer.from(b);
      out.writeUInt32LE(b.length * 2, b.length - 8);
      return out;
    },
    /Footer length error/,
  ],
  [
    "a corrupt footer",
    (b) => {
      const out = Buffer.from(b);
      const start = b.length - 8 - b.readUInt32LE(b.length - 8);
      out.fill(0xff, start + 8, start + 40);
      return out;
    },
    /not a readable Parquet file \(.*type/,
  ],
  [
    "a corrupt page",
    (b) => {
      const out = Buffer.from(b);
      out.fill(0xff, 64, 512);
      return out;
    },
    /not a readable Parquet file \(Snappy decompression failure\)/,
  ],
  ["a missing file", () => undefined, /does not exist/],
];

/** The rows of every file as `readSql` reads them, the query run with `runOnDataFiles`. */
async function readAll(files: readonly string[]): Promise<number> {
  const sql = `SELECT count(*) AS n, sum(id) AS total, max(name) AS top, sum(s.a) AS sa FROM (${await readSql(duck(), schema, files)})`;
  return (await runOnDataFiles(duck(), sql, files)).getRowObjectsJson().length;
}

async function scanAll(files: readonly string[]): Promise<number> {
  const sql = `SELECT count(*) AS n, sum(id) AS total, max(name) AS top FROM ${scanSql(schema, files)}`;
  return (await runOnDataFiles(duck(), sql, files)).getRowObjectsJson().length;
}

async function failure(p: Promise<unknown>): Promise<FloeError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isFloeError(e))
    throw new Error(`expected a FloeError, got ${e === undefined ? "success" : String(e)}`);
  return e;
}

describe("damaged Parquet data files: a FloeError naming the file and the problem", () => {
  it.each(damages)("%s", async (_, damage, problem) => {
    const { files } = await goodTable();
    // The good file reads; the other is damaged before DuckDB sees it (DuckDB caches what it read).
    expect(await readAll(files.slice(0, 1))).toBe(1);
    const bad = files[1]!;
    const bytes = damage(readFileSync(pathOf(bad)));
    if (bytes === undefined) rmSync(pathOf(bad));
    else {
      writeFileSync(pathOf(bad), bytes);
      // DuckDB caches files it has read (the write read this one back), keyed by modification time
      utimesSync(pathOf(bad), new Date(Date.now() + 60_000), new Date(Date.now() + 60_000));
    }
    for (const read of [readAll, scanAll]) {
      const e = await failure(read(files));
      expect(e.kind).toBe(bytes === undefined ? "NOT_FOUND" : "BAD_REQUEST");
      expect(e.message).toMatch(
        new RegExp(`^Cannot read data file ${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: `),
      );
      expect(e.message).toMatch(problem);
      expect(e.message).not.toMatch(/LINE 1|Error:/);
    }
  });

  it("an error in the query itself is left as DuckDB's", async () => {
    const { files } = await goodTable();
    const sql = `SELECT no_such_column FROM ${scanSql(schema, files)}`;
    const e = await runOnDataFiles(duck(), sql, files).catch((err: unknown) => err);
    expect(isFloeError(e)).toBe(false);
    expect(String(e)).toMatch(/no_such_column/);
  });
});

/** Every file under the warehouse. */
const listing = (): string[] =>
  (readdirSync(warehouse(), { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();

describe("an append to a damaged table writes nothing", () => {
  const list = (t: TableFile): string =>
    t.metadata.snapshots.find((s) => s.snapshotId === t.metadata.currentSnapshotId)!.manifestList!;
  const cases: [string, (t: TableFile) => TableFile, RegExp][] = [
    [
      "a truncated manifest list",
      (t) => {
        const p = pathOf(list(t));
        writeFileSync(p, readFileSync(p).subarray(0, 100));
        return t;
      },
      /Cannot read manifest list .*: truncated/,
    ],
    [
      "a manifest list outside the table location",
      (t) => {
        const m = t.metadata;
        const snapshots = m.snapshots.map((s) =>
          s.snapshotId === m.currentSnapshotId
            ? { ...s, manifestList: `file://${warehouse()}/other/snap.avro` }
            : s,
        );
        return { ...t, metadata: { ...m, snapshots } };
      },
      /manifest list of snapshot \d+ file:.*\/other\/snap.avro lies outside the table location/,
    ],
    [
      "a missing manifest list",
      (t) => {
        rmSync(pathOf(list(t)));
        return t;
      },
      /No object at/,
    ],
  ];
  it.each(cases)("%s", async (_, damage, problem) => {
    const { store, table } = await goodTable();
    const damaged = damage(table);
    const before = listing();
    const e = await failure(appendRows({ duck: duck(), store, table: damaged, source: source(5000, 6000) }));
    expect(e.message).toMatch(problem);
    expect(listing()).toEqual(before);
  });

  it("a row delete over a data file with a corrupt page: a FloeError naming it, nothing written", async () => {
    const { store, table, files } = await goodTable();
    const bad = files[1]!;
    const bytes = Buffer.from(readFileSync(pathOf(bad)));
    bytes.fill(0xff, 64, 512);
    writeFileSync(pathOf(bad), bytes);
    utimesSync(pathOf(bad), new Date(Date.now() + 60_000), new Date(Date.now() + 60_000));
    const before = listing();
    for (const mode of ["copy-on-write", "merge-on-read"] as const) {
      const e = await failure(deleteRows({ duck: duck(), store, table, filter: gtEq("id", 10), mode }));
      expect(e.message).toMatch(`Cannot read data file ${bad}: not a readable Parquet file`);
      expect(listing()).toEqual(before);
    }
  });

  it("a metadata file that is not JSON cannot be opened for an append", async () => {
    const { store, table } = await goodTable();
    writeFileSync(pathOf(table.location), "{ truncated");
    const e = await failure(readTableFile(store, table.location));
    expect(e.message).toMatch(`Cannot read ${table.location}: not JSON`);
  });
});
