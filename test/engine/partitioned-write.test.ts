import { randomUUID } from "node:crypto";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { FileCache } from "../../src/engine/file-cache.ts";
import { scanSql } from "../../src/engine/scan-sql.ts";
import { writeDataFiles } from "../../src/engine/write-data-files.ts";
import type { DataFile } from "../../src/iceberg/data-file.ts";
import { partitionPath } from "../../src/iceberg/partition-path.ts";
import { partitionSpecFromJson, UNPARTITIONED } from "../../src/iceberg/partition-spec.ts";
import { schemaFromJson } from "../../src/iceberg/schema.ts";
import { type SortOrder, sortOrderFromJson } from "../../src/iceberg/sort-order.ts";
import { applyTransform } from "../../src/iceberg/transform-values.ts";
import { LocalObjectStore } from "../../src/storage/local-object-store.ts";
import { S3ObjectStore } from "../../src/storage/s3-object-store.ts";
import { rows, useDuck } from "./duck.ts";

const { duck, warehouse } = useDuck();

const schema = schemaFromJson({
  type: "struct",
  "schema-id": 0,
  fields: [
    { id: 1, name: "id", required: true, type: "long" },
    { id: 2, name: "ts", required: false, type: "timestamptz" },
    { id: 3, name: "category", required: false, type: "string" },
    { id: 4, name: "name", required: false, type: "string" },
  ],
});

const spec = partitionSpecFromJson({
  "spec-id": 1,
  fields: [
    { name: "category", transform: "identity", "source-id": 3, "field-id": 1000 },
    { name: "ts_day", transform: "day", "source-id": 2, "field-id": 1001 },
    { name: "id_bucket", transform: "bucket[4]", "source-id": 1, "field-id": 1002 },
    { name: "name_trunc", transform: "truncate[2]", "source-id": 4, "field-id": 1003 },
  ],
});

// 200 rows over 3 categories (one null, one that needs escaping in paths), 2 days and 4 buckets.
const SOURCE = `SELECT i AS id,
    TIMESTAMPTZ '2024-03-01 23:00:00+00' + to_minutes(i) AS ts,
    CASE i % 3 WHEN 0 THEN 'a/b c' WHEN 1 THEN 'plain' ELSE NULL END AS category,
    CASE WHEN i % 2 = 0 THEN 'xy' || i ELSE 'z' END AS name
  FROM range(200) AS r(i)`;

describe("writeDataFiles: partitioned", () => {
  it("writes each partition's rows under its partition path with its tuple", async () => {
    const location = `file://${join(warehouse(), "sales")}`;
    const store = new LocalObjectStore(warehouse());
    const files = await writeDataFiles({
      duck: duck(),
      schema,
      spec,
      source: SOURCE,
      location,
      targetFileSizeBytes: 1 << 30,
      store,
    });
    expect(files.reduce((n, f) => n + f.recordCount, 0n)).toBe(200n);
    const tuples = new Set<string>();
    for (const file of files) {
      const path = partitionPath(spec, schema, file.partition);
      expect(file.filePath).toMatch(
        new RegExp(
          `^${escape(`${location}/data/${path}/`)}[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.parquet$`,
        ),
      );
      tuples.add(JSON.stringify(file.partition));
      await expectRowsMatchPartition(file);
    }
    expect(tuples.size).toBe(files.length);
    const paths = files.map((f) => partitionPath(spec, schema, f.partition));
    expect(paths).toContain("category=a%2Fb+c/ts_day=2024-03-02/id_bucket=0/name_trunc=xy");
    expect(paths).toContain("category=null/ts_day=2024-03-01/id_bucket=1/name_trunc=z");
  });

  it("partitions by nested struct fields, year/month/hour, identity of dates and decimals, and void", async () => {
    const nested = schemaFromJson({
      type: "struct",
      "schema-id": 0,
      fields: [
        { id: 1, name: "id", required: true, type: "long" },
        {
          id: 2,
          name: "meta",
          required: false,
          type: {
            type: "struct",
            fields: [
              { id: 3, name: "ts", required: false, type: "timestamp" },
              { id: 4, name: "price", required: false, type: "decimal(9,2)" },
            ],
          },
        },
        { id: 5, name: "dt", required: false, type: "date" },
        { id: 6, name: "flag", required: false, type: "boolean" },
      ],
    });
    const nestedSpec = partitionSpecFromJson({
      "spec-id": 2,
      fields: [
        { name: "ts_year", transform: "year", "source-id": 3, "field-id": 1000 },
        { name: "ts_month", transform: "month", "source-id": 3, "field-id": 1001 },
        { name: "ts_hour", transform: "hour", "source-id": 3, "field-id": 1002 },
        { name: "price", transform: "identity", "source-id": 4, "field-id": 1003 },
        { name: "dt", transform: "identity", "source-id": 5, "field-id": 1004 },
        { name: "flag", transform: "identity", "source-id": 6, "field-id": 1005 },
        { name: "gone", transform: "void", "source-id": 1, "field-id": 1006 },
      ],
    });
    const files = await writeDataFiles({
      duck: duck(),
      schema: nested,
      spec: nestedSpec,
      source: `SELECT * FROM (VALUES
        (1, {'ts': TIMESTAMP '1969-12-31 23:30:00', 'price': 1.50}, DATE '2024-02-29', true),
        (2, {'ts': TIMESTAMP '2024-07-04 05:06:07', 'price': -2.00}, NULL, false)) AS v(id, meta, dt, flag)`,
      location: join(warehouse(), "nested-parts"),
      targetFileSizeBytes: 1 << 30,
      store: new LocalObjectStore(warehouse()),
    });
    expect(files.map((f) => partitionPath(nestedSpec, nested, f.partition)).sort()).toEqual([
      "ts_year=1969/ts_month=1969-12/ts_hour=1969-12-31-23/price=1.50/dt=2024-02-29/flag=true/gone=null",
      "ts_year=2024/ts_month=2024-07/ts_hour=2024-07-04-05/price=-2.00/dt=null/flag=false/gone=null",
    ]);
    expect(files.find((f) => f.partition[5] === true)?.partition).toEqual([
      -1,
      -1,
      -1,
      150n,
      19782,
      true,
      null,
    ]);
  });

  it("splits a partition into files near the target size", async () => {
    const files = await writeDataFiles({
      duck: duck(),
      schema,
      spec: UNPARTITIONED,
      source: `SELECT i AS id, NULL AS ts, md5(i::VARCHAR) AS category, NULL AS name FROM range(60000) AS r(i)`,
      location: `file://${join(warehouse(), "big")}`,
      targetFileSizeBytes: 256 * 1024,
      rowGroupSize: 4096,
      store: new LocalObjectStore(warehouse()),
    });
    expect(files.length).toBeGreaterThan(3);
    expect(files.reduce((n, f) => n + f.recordCount, 0n)).toBe(60000n);
    for (const f of files) expect(f.fileSizeInBytes).toBeLessThan(2n * 256n * 1024n);
    const count = await rows(
      duck(),
      `SELECT count(*) AS n, count(DISTINCT id) AS d FROM ${scanSql(
        schema,
        files.map((f) => f.filePath),
      )}`,
    );
    expect(count).toEqual([{ n: "60000", d: "60000" }]);
  });

  it("splits large partitions near the target size, sorts each file and leaves no staging files", async () => {
    const order = sortOrderFromJson({
      "order-id": 1,
      fields: [{ "source-id": 1, transform: "identity", direction: "desc", "null-order": "nulls-last" }],
    });
    const location = join(warehouse(), "split-parts");
    const write = (sortOrder?: SortOrder) =>
      writeDataFiles({
        duck: duck(),
        schema,
        spec,
        source: `SELECT i AS id, TIMESTAMPTZ '2024-03-01 00:00:00+00' + to_hours(i % 2) * 24 AS ts,
          'c' AS category, 'n' || (i % 3) || md5(i::VARCHAR) AS name FROM range(60000) AS r(i)`,
        location,
        targetFileSizeBytes: 64 * 1024,
        rowGroupSize: 512,
        store: new LocalObjectStore(warehouse()),
        ...(sortOrder ? { sortOrder } : {}),
      });
    for (const sortOrder of [undefined, order]) {
      const files = await write(sortOrder);
      expect(files.reduce((n, f) => n + f.recordCount, 0n)).toBe(60000n);
      for (const f of files) expect(f.fileSizeInBytes).toBeLessThan(2n * 64n * 1024n);
      const perPartition = new Map<string, number>();
      for (const f of files) {
        const key = JSON.stringify(f.partition);
        perPartition.set(key, (perPartition.get(key) ?? 0) + 1);
      }
      // 2 days x 4 buckets x 3 name prefixes, split
      expect(perPartition.size).toBe(2 * 4 * 3);
      expect(files.length).toBeGreaterThan(perPartition.size);
      for (const f of files.slice(0, 10)) await expectRowsMatchPartition(f);
      if (sortOrder) {
        const ids = (await rows(duck(), `SELECT id FROM ${scanSql(schema, [files[0]!.filePath])}`)).map((r) =>
          Number(r.id),
        );
        expect(ids).toEqual([...ids].sort((a, b) => b - a));
        expect(files.every((f) => f.sortOrderId === 1)).toBe(true);
      }
    }
    const left = (await readdir(join(location, "data"))).filter((n) => n.startsWith("."));
    expect(left).toEqual([]);
  });

  it("partitions by binary values and by strings that look like DuckDB's null directory", async () => {
    const bin = schemaFromJson({
      type: "struct",
      "schema-id": 0,
      fields: [
        { id: 1, name: "id", required: true, type: "long" },
        { id: 2, name: "b", required: false, type: "binary" },
        { id: 3, name: "s", required: false, type: "string" },
      ],
    });
    const binSpec = partitionSpecFromJson({
      "spec-id": 0,
      fields: [
        { name: "b", transform: "identity", "source-id": 2, "field-id": 1000 },
        { name: "s", transform: "identity", "source-id": 3, "field-id": 1001 },
      ],
    });
    const files = await writeDataFiles({
      duck: duck(),
      schema: bin,
      spec: binSpec,
      source: `SELECT * FROM (VALUES (1, '\\xAB\\x00'::BLOB, '__HIVE_DEFAULT_PARTITION__'), (2, NULL, NULL),
        (3, 'zz'::BLOB, ''), (4, '\\xAB\\x00'::BLOB, '__HIVE_DEFAULT_PARTITION__')) AS v(id, b, s)`,
      location: join(warehouse(), "binary-parts"),
      targetFileSizeBytes: 1 << 30,
      store: new LocalObjectStore(warehouse()),
    });
    const got = files.map((f) => [f.recordCount, ...f.partition]).sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(got).toEqual([
      [1n, null, null],
      [1n, Uint8Array.from([0x7a, 0x7a]), ""],
      [2n, Uint8Array.from([0xab, 0x00]), "__HIVE_DEFAULT_PARTITION__"],
    ]);
  });

  it("uploads files bound for S3 through the object store", async () => {
    const s3 = inject("s3");
    const store = new S3ObjectStore(`s3://${s3.bucket}`, {
      endpoint: s3.endpoint,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
    });
    try {
      const location = `s3://${s3.bucket}/engine-${randomUUID()}/t`;
      const files = await writeDataFiles({
        duck: duck(),
        schema,
        spec,
        source: `${SOURCE} LIMIT 10`,
        location,
        targetFileSizeBytes: 1 << 30,
        store,
      });
      expect(files.length).toBeGreaterThan(1);
      for (const f of files) {
        expect(f.filePath.startsWith(`${location}/data/${partitionPath(spec, schema, f.partition)}/`)).toBe(
          true,
        );
        expect((await store.head(f.filePath))?.size).toBe(Number(f.fileSizeInBytes));
      }
      // read back through a local cache of the objects
      const cache = await FileCache.open({ dir: join(warehouse(), "cache"), maxBytes: 1e9 });
      const copies = await Promise.all(files.map((f) => cache.acquire(store, f.filePath)));
      const paths = copies.map((c) => c.path);
      const again = await Promise.all(files.map((f) => cache.acquire(store, f.filePath)));
      expect(again.map((c) => c.path)).toEqual(paths);
      const back = await rows(duck(), `SELECT id, name FROM ${scanSql(schema, paths)} ORDER BY id`);
      expect(back).toEqual(await rows(duck(), `SELECT id, name FROM (${SOURCE} LIMIT 10) ORDER BY id`));
    } finally {
      await store.close();
    }
  });
});

/** Every row of the file has the file's partition tuple, computed by transform-values.ts. */
async function expectRowsMatchPartition(file: DataFile): Promise<void> {
  const reader = await duck().runAndReadAll(
    `SELECT id, epoch_us(ts) AS ts, category, name FROM ${scanSql(schema, [file.filePath])}`,
  );
  for (const [id, ts, category, name] of reader.getRows()) {
    const tuple = [
      category ?? null,
      applyTransform({ kind: "day" }, { type: "timestamptz" }, (ts as bigint | null) ?? null),
      applyTransform({ kind: "bucket", numBuckets: 4 }, { type: "long" }, id as bigint),
      applyTransform({ kind: "truncate", width: 2 }, { type: "string" }, (name as string | null) ?? null),
    ];
    expect(tuple).toEqual(file.partition);
  }
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
