import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FloeError, isFloeError } from "../../src/core/errors.ts";
import { parseJson, stringifyJson } from "../../src/core/json.ts";
import { applyUpdates } from "../../src/iceberg/apply-updates.ts";
import { type AvroSchema, readAvroFile, writeAvroFile } from "../../src/iceberg/avro/container.ts";
import { newTableMetadata } from "../../src/iceberg/create-table.ts";
import type { DataFile } from "../../src/iceberg/data-file.ts";
import { deleteExpiredFiles } from "../../src/iceberg/maintenance/expire-files.ts";
import { readManifestList } from "../../src/iceberg/manifest-list.ts";
import { fastAppend } from "../../src/iceberg/producers/fast-append.ts";
import {
  readTableFile,
  type TableFile,
  writeNextMetadataFile,
} from "../../src/iceberg/producers/metadata-file.ts";
import { planScan } from "../../src/iceberg/scan/plan-scan.ts";
import { schemaFromJson } from "../../src/iceberg/schema.ts";
import { ALLOW_FILES_OUTSIDE_LOCATION, tableFileCheck } from "../../src/iceberg/table-files.ts";
import type { TableMetadata } from "../../src/iceberg/table-metadata.ts";
import { LocalObjectStore } from "../../src/storage/local-object-store.ts";

/**
 * Bad input for the table format (issue 3 item 9): tables made by floe's own writers, then one of
 * their files damaged. Every case must fail with a BAD_REQUEST that names the damaged file and the
 * problem — never an avsc or JSON exception — and an append to the damaged table writes nothing.
 */

const dir = mkdtempSync(join(tmpdir(), "floe-bad-input-"));
const store = new LocalObjectStore(dir);
afterAll(() => rm(dir, { recursive: true, force: true }));

const schema = schemaFromJson({
  type: "struct",
  "schema-id": 0,
  fields: [
    { id: 1, name: "id", required: true, type: "long" },
    { id: 2, name: "category", required: false, type: "string" },
  ],
});

const dataFile = (m: TableMetadata, name: string, category: string): DataFile => ({
  content: 0,
  filePath: `${m.location}/data/category=${category}/${name}.parquet`,
  fileFormat: "PARQUET",
  partition: [category],
  recordCount: 10n,
  fileSizeInBytes: 1000n,
  valueCounts: new Map([[1, 10n]]),
});

let tables = 0;
let snapshotIds = 100n;

/** Commits a fast append of `files` to `t`: the manifest, the list and the next metadata file. */
async function commit(t: TableFile, metadata: TableMetadata, files: DataFile[]): Promise<TableFile> {
  const a = await fastAppend({ metadata, store, snapshotId: ++snapshotIds, files });
  return writeNextMetadataFile(store, { ...t, metadata }, applyUpdates(metadata, a.updates));
}

/** A fresh partitioned v2 table with two snapshots, written by floe. */
async function goodTable(properties: Record<string, string> = {}): Promise<TableFile> {
  const m = newTableMetadata({
    schema,
    spec: { fields: [{ sourceId: 2, name: "category", transform: { kind: "identity" } }] },
    location: `${store.root}/t${++tables}`,
    properties,
  });
  const t0 = await writeNextMetadataFile(store, undefined, m);
  const t1 = await commit(t0, t0.metadata, [dataFile(m, "a", "x"), dataFile(m, "b", "y")]);
  return commit(t1, t1.metadata, [dataFile(m, "c", "x")]);
}

const pathOf = (location: string): string => new URL(location).pathname;
const read = (location: string): Buffer => readFileSync(pathOf(location));
const write = (location: string, bytes: Uint8Array): void => writeFileSync(pathOf(location), bytes);

const currentList = (m: TableMetadata): string =>
  m.snapshots.find((s) => s.snapshotId === m.currentSnapshotId)!.manifestList!;
/** The newest manifest of the current snapshot (the one its append added). */
const firstManifest = (m: TableMetadata): string =>
  readManifestList(read(currentList(m)), currentList(m)).manifests[0]!.manifestPath;

/** Rewrites an Avro file floe wrote, through its own reader and writer, with changes. */
function rewriteAvro(
  bytes: Uint8Array,
  change: {
    schema?: (s: Record<string, unknown>) => AvroSchema;
    record?: (r: Record<string, unknown>) => unknown;
    meta?: Record<string, string>;
  },
): Uint8Array {
  const file = readAvroFile(bytes, "a good file");
  const meta = Object.fromEntries([...file.metadata].filter(([k]) => !k.startsWith("avro.")));
  const schema = change.schema?.(structuredClone(file.schema) as Record<string, unknown>) ?? file.schema;
  const records = file.records.map((r) => change.record?.(r as Record<string, unknown>) ?? r);
  return writeAvroFile(schema, records, { ...meta, ...change.meta });
}

/** The record schema's fields at a path of field names (`["data_file"]`). */
function fieldsAt(s: Record<string, unknown>, path: string[]): Record<string, unknown>[] {
  let node = s;
  for (const name of path) {
    const f = (node.fields as Record<string, unknown>[]).find((x) => x.name === name)!;
    node = f.type as Record<string, unknown>;
  }
  return node.fields as Record<string, unknown>[];
}

function setFieldId(s: Record<string, unknown>, path: string[], name: string, id: number): AvroSchema {
  fieldsAt(s, path).find((f) => f.name === name)!["field-id"] = id;
  return s;
}

/** The same bytes with one run of bytes replaced by another (of any length). */
function replaceBytes(bytes: Buffer, from: Buffer, to: Buffer): Buffer {
  const at = bytes.indexOf(from);
  expect(at).toBeGreaterThan(0);
  return Buffer.concat([bytes.subarray(0, at), to, bytes.subarray(at + from.length)]);
}

/** An Avro string as the header's metadata map holds it: zig-zag length, then UTF-8. */
const avroString = (s: string): Buffer => Buffer.concat([Buffer.from([s.length * 2]), Buffer.from(s)]);

/** Where the first data block starts: after the header, which ends with the sync marker. */
const firstBlock = (bytes: Buffer): number => bytes.indexOf(bytes.subarray(bytes.length - 16)) + 16;

type Corruption = (bytes: Buffer) => Uint8Array;

/** Damages to any Avro container file floe wrote (deflate codec, one block). */
const avroDamage: [string, Corruption, RegExp][] = [
  ["empty", () => Buffer.alloc(0), /not an Avro container file \(wrong magic\)/],
  ["bad magic", (b) => Buffer.concat([Buffer.from("Obj\x02"), b.subarray(4)]), /wrong magic/],
  ["truncated in the header", (b) => b.subarray(0, 20), /truncated header|corrupt header/],
  ["truncated in the block", (b) => b.subarray(0, b.length - 30), /truncated: block at byte \d+ runs past/],
  ["truncated sync marker", (b) => b.subarray(0, b.length - 5), /truncated: block at byte \d+/],
  [
    "bad sync marker",
    (b) => Buffer.concat([b.subarray(0, b.length - 1), Buffer.from([b[b.length - 1]! ^ 0xff])]),
    /corrupt: no sync marker after the block at byte \d+/,
  ],
  [
    "corrupt deflate block",
    (b) => {
      const out = Buffer.from(b);
      const at = firstBlock(b) + 4;
      for (let i = at; i < at + 12; i++) out[i] = 0xff;
      return out;
    },
    /corrupt deflate block|corrupt record|truncated record|bytes after its/,
  ],
  [
    "a block count larger than its records",
    (b) => {
      const out = Buffer.from(b);
      const at = firstBlock(b);
      expect(out[at]! < 0x80).toBe(true); // a one-byte zig-zag count
      out[at] = out[at]! + 20;
      return out;
    },
    /truncated record \d+|corrupt record \d+/,
  ],
  [
    "an unknown codec",
    (b) => replaceBytes(b, avroString("deflate"), avroString("bzip2")),
    /unsupported Avro codec "bzip2"/,
  ],
  [
    "the wrong codec (snappy named, deflate written)",
    (b) => replaceBytes(b, avroString("deflate"), avroString("snappy")),
    /corrupt snappy block/,
  ],
  [
    "a header whose schema is not JSON",
    (b) => replaceBytes(b, Buffer.from('{"type":"record"'), Buffer.from('{"type":"recor"d')),
    /avro.schema in the header is not JSON/,
  ],
];

/** Damages to a manifest list (`manifest_file` records). */
const listDamage: [string, Corruption, RegExp][] = [
  [
    "no field with id 500 (manifest_path)",
    (b) => rewriteAvro(b, { schema: (s) => setFieldId(s, [], "manifest_path", 9500) }),
    /no field with id 500 \(manifest_path\); the file's fields have ids/,
  ],
  [
    "field id 502 on a string",
    (b) =>
      rewriteAvro(b, {
        schema: (s) =>
          setFieldId(setFieldId(s, [], "partition_spec_id", 500) as never, [], "manifest_path", 502),
      }),
    /field 500 \(manifest_path, written as partition_spec_id\) is not string/,
  ],
  [
    "format-version 5",
    (b) => rewriteAvro(b, { meta: { "format-version": "5" } }),
    /unsupported format-version "5"/,
  ],
  [
    "format-version 3 in a v2 table",
    (b) => rewriteAvro(b, { meta: { "format-version": "3" } }),
    /it is format v3, but table .* is format v2/,
  ],
];

/** Damages to a manifest (`manifest_entry` records). */
const manifestDamage: [string, Corruption, RegExp][] = [
  [
    "no field with id 100 (file_path)",
    (b) => rewriteAvro(b, { schema: (s) => setFieldId(s, ["data_file"], "file_path", 9100) }),
    /no field with id 100 \(file_path\)/,
  ],
  [
    "no field with id 2 (data_file)",
    (b) => rewriteAvro(b, { schema: (s) => setFieldId(s, [], "data_file", 9002) }),
    /no record field with id 2 \(data_file\)/,
  ],
  [
    "ids 100 and 103 swapped (file_path and record_count)",
    (b) =>
      rewriteAvro(b, {
        schema: (s) =>
          setFieldId(
            setFieldId(s, ["data_file"], "file_path", 103) as never,
            ["data_file"],
            "record_count",
            100,
          ),
      }),
    /field 100 \(file_path, written as record_count\) is not string/,
  ],
  [
    "a partition field without a field id",
    (b) =>
      rewriteAvro(b, {
        schema: (s) => {
          delete fieldsAt(s, ["data_file", "partition"])[0]!["field-id"];
          return s;
        },
      }),
    /partition field category has no field id/,
  ],
  [
    "format-version 3 in a v2 table",
    (b) => rewriteAvro(b, { meta: { "format-version": "3" } }),
    /it is format v3, but table .* is format v2/,
  ],
  [
    "file metadata content neither data nor deletes",
    (b) => rewriteAvro(b, { meta: { content: "rows" } }),
    /file metadata content is "rows"/,
  ],
];

interface Damaged {
  readonly metadata: TableMetadata;
  /** The file the error must name. */
  readonly file: string;
}

interface Case {
  readonly name: string;
  readonly damage: (t: TableFile) => Damaged;
  readonly problem: RegExp;
  /** Whether a fast append reads the damaged file (it reads the manifest list, not manifests). */
  readonly append: boolean;
}

const corruptList =
  (fn: Corruption) =>
  (t: TableFile): Damaged => {
    const file = currentList(t.metadata);
    write(file, fn(read(file)));
    return { metadata: t.metadata, file };
  };

const corruptManifest =
  (fn: Corruption) =>
  (t: TableFile): Damaged => {
    const file = firstManifest(t.metadata);
    write(file, fn(read(file)));
    return { metadata: t.metadata, file };
  };

const elsewhere = (): string => {
  const d = join(dir, `elsewhere-${++tables}`);
  mkdirSync(d);
  return `file://${d}`;
};

/** Files of the table's that lie outside its location. */
const outside: Case[] = [
  {
    name: "a manifest list outside the table location",
    damage: (t) => {
      const file = `${elsewhere()}/snap.avro`;
      copyFileSync(pathOf(currentList(t.metadata)), pathOf(file));
      const m = t.metadata;
      const snapshots = m.snapshots.map((s) =>
        s.snapshotId === m.currentSnapshotId ? { ...s, manifestList: file } : s,
      );
      return { metadata: { ...m, snapshots }, file };
    },
    problem: /[Mm]anifest list of snapshot \d+ .* lies outside the table location/,
    append: true,
  },
  {
    name: "a manifest outside the table location",
    damage: (t) => {
      const list = currentList(t.metadata);
      const original = firstManifest(t.metadata);
      const file = `${elsewhere()}/m.avro`;
      copyFileSync(pathOf(original), pathOf(file));
      write(
        list,
        rewriteAvro(read(list), {
          record: (r) => (r.manifest_path === original ? { ...r, manifest_path: file } : r),
        }),
      );
      return { metadata: t.metadata, file };
    },
    problem: /[Mm]anifest file:.* lies outside the table location/,
    append: true,
  },
  ...[
    ["outside the table location", (_m: TableMetadata) => `${elsewhere()}/x.parquet`],
    ["climbing out of it with ..", (m: TableMetadata) => `${m.location}/data/../../t-other/x.parquet`],
    [
      "in a sibling folder sharing its name as a prefix",
      (m: TableMetadata) => `${m.location}-old/data/x.parquet`,
    ],
  ].map(([where, path]): Case => ({
    name: `a data file ${where as string}`,
    damage: (t) => {
      const manifest = firstManifest(t.metadata);
      const file = (path as (m: TableMetadata) => string)(t.metadata);
      write(
        manifest,
        rewriteAvro(read(manifest), {
          record: (r) => ({ ...r, data_file: { ...(r.data_file as object), file_path: file } }),
        }),
      );
      return { metadata: t.metadata, file };
    },
    problem: /Data file .* \(listed in manifest .*\) lies outside the table location/,
    append: false,
  })),
];

const cases: Case[] = [
  ...avroDamage.map(([name, fn, problem]) => ({
    name: `manifest list: ${name}`,
    damage: corruptList(fn),
    problem,
    append: true,
  })),
  ...avroDamage.map(([name, fn, problem]) => ({
    name: `manifest: ${name}`,
    damage: corruptManifest(fn),
    problem,
    append: false,
  })),
  ...listDamage.map(([name, fn, problem]) => ({
    name: `manifest list: ${name}`,
    damage: corruptList(fn),
    problem,
    append: true,
  })),
  ...manifestDamage.map(([name, fn, problem]) => ({
    name: `manifest: ${name}`,
    damage: corruptManifest(fn),
    problem,
    append: false,
  })),
  ...outside,
];

async function scanAll(metadata: TableMetadata): Promise<string[]> {
  const files: string[] = [];
  for await (const task of planScan({ metadata, store })) files.push(task.file.filePath);
  return files.sort();
}

/** Every file under the warehouse, with its size. */
function listing(): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
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

describe("bad table files: a BAD_REQUEST naming the file and the problem", () => {
  it.each(cases.map((c) => [c.name, c] as const))("scan: %s", async (_, c) => {
    const t = await goodTable();
    expect(await scanAll(t.metadata)).toHaveLength(3);
    const { metadata, file } = c.damage(t);
    const e = await failure(scanAll(metadata));
    expect(e.kind).toBe("BAD_REQUEST");
    expect(e.message).toContain(file);
    expect(e.message).toMatch(c.problem);
  });

  it.each(cases.filter((c) => c.append).map((c) => [c.name, c] as const))(
    "append: %s — refused, nothing written",
    async (_, c) => {
      const t = await goodTable();
      const { metadata, file } = c.damage(t);
      const before = listing();
      const e = await failure(commit(t, metadata, [dataFile(metadata, "d", "z")]));
      expect(e.kind).toBe("BAD_REQUEST");
      expect(e.message).toContain(file);
      expect(e.message).toMatch(c.problem);
      expect(listing()).toEqual(before);
    },
  );

  it("a manifest with a field id floe does not know reads as if it were not there", async () => {
    const t = await goodTable();
    const want = await scanAll(t.metadata);
    const manifest = firstManifest(t.metadata);
    write(
      manifest,
      rewriteAvro(read(manifest), {
        schema: (s) => {
          fieldsAt(s, ["data_file"]).push({
            name: "future",
            type: ["null", "long"],
            default: null,
            "field-id": 9999,
          });
          return s;
        },
        record: (r) => ({ ...r, data_file: { ...(r.data_file as object), future: 7n } }),
      }),
    );
    expect(await scanAll(t.metadata)).toEqual(want);
  });

  it(`files outside the location are read and committed with ${ALLOW_FILES_OUTSIDE_LOCATION}=true`, async () => {
    for (const c of outside) {
      const t = await goodTable({ [ALLOW_FILES_OUTSIDE_LOCATION]: "true" });
      const { metadata, file } = c.damage(t);
      const files = await scanAll(metadata);
      expect(files).toHaveLength(3);
      if (!c.append) expect(files).toContain(file);
      const next = await commit(t, metadata, [
        { ...dataFile(metadata, "d", "z"), filePath: `${elsewhere()}/d.parquet` },
      ]);
      expect(await scanAll(next.metadata)).toHaveLength(4);
    }
  });
});

describe("commits that would name files outside the table: refused, nothing written", () => {
  it("a fast append of a data file outside the location", async () => {
    const t = await goodTable();
    const before = listing();
    const path = `${elsewhere()}/d.parquet`;
    const e = await failure(commit(t, t.metadata, [{ ...dataFile(t.metadata, "d", "z"), filePath: path }]));
    expect(e.message).toMatch(
      /Cannot append to table .*: data file file:.*\/d.parquet lies outside the table location/,
    );
    expect(listing()).toEqual(before);
  });

  it("a metadata file whose new snapshot's manifest list lies outside the location", async () => {
    const t = await goodTable();
    const s = t.metadata.snapshots[1]!;
    const next = applyUpdates(t.metadata, [
      {
        action: "add-snapshot",
        snapshot: {
          ...s,
          snapshotId: 999n,
          parentSnapshotId: s.snapshotId,
          sequenceNumber: 3,
          manifestList: `${elsewhere()}/l.avro`,
        },
      },
    ]);
    const before = listing();
    const e = await failure(writeNextMetadataFile(store, t, next));
    expect(e.message).toMatch(
      /Cannot commit to table .*: manifest list of snapshot 999 file:.*\/l.avro lies outside/,
    );
    expect(listing()).toEqual(before);
    // a snapshot the table already had is not checked again
    await expect(writeNextMetadataFile(store, t, t.metadata)).resolves.toBeDefined();
  });
});

describe("which locations lie in a table", () => {
  const m = {
    location: "s3://bucket/wh/t",
    properties: { "write.data.path": "s3a://bucket/data/t/", "write.metadata.path": "file:///meta/t" },
  };
  const check = tableFileCheck(m);
  it.each([
    "s3://bucket/wh/t/metadata/snap-1.avro",
    "s3a://bucket/wh/t/data/a.parquet",
    "s3n://bucket/wh/t/x",
    "s3://bucket/wh/t/data/./a.parquet",
    "s3://bucket/data/t/0001/a.parquet",
    "file:///meta/t/m.avro",
    "/meta/t/m.avro",
  ])("inside: %s", (p) => {
    expect(() => check(p, "File")).not.toThrow();
  });
  it.each([
    "s3://bucket/wh/t",
    "s3://bucket/wh/t2/a.parquet",
    "s3://bucket/wh/t/../t2/a.parquet",
    "s3://other/wh/t/a.parquet",
    "file:///bucket/wh/t/a.parquet",
    "/meta/t/../u/m.avro",
    "hdfs://nn/wh/t/a.parquet",
  ])("outside: %s", (p) => {
    expect(() => check(p, "File")).toThrow(FloeError);
    expect(() => check(p, "File")).toThrow(p);
  });
});

describe("bad metadata JSON: a BAD_REQUEST naming the metadata file", () => {
  const edits: [string, (text: string) => string, RegExp][] = [
    ["empty", () => "", /not JSON/],
    ["truncated", (s) => s.slice(0, s.length / 2), /not JSON/],
    ["not an object", () => "[1, 2]", /table metadata/i],
    [
      "format-version 4",
      (s) => edit(s, (o) => (o["format-version"] = 4)),
      /unsupported table metadata format-version 4/,
    ],
    ["v2 without schemas", (s) => edit(s, (o) => delete o.schemas), /"schemas" must exist in format v2/],
    [
      "a current snapshot it does not have",
      (s) => edit(s, (o) => (o["current-snapshot-id"] = 12345)),
      /12345/,
    ],
    [
      "a snapshot without manifest list",
      (s) => edit(s, (o) => delete (o.snapshots as Record<string, unknown>[])[0]!["manifest-list"]),
      /missing "manifest-list"/,
    ],
  ];
  const edit = (text: string, fn: (o: Record<string, unknown>) => unknown): string => {
    const o = parseJson(text) as Record<string, unknown>;
    fn(o);
    return stringifyJson(o);
  };
  it.each(edits)("%s", async (_, fn, problem) => {
    const t = await goodTable();
    write(t.location, Buffer.from(fn(read(t.location).toString("utf8"))));
    const e = await failure(readTableFile(store, t.location));
    expect(e.kind).toBe("BAD_REQUEST");
    expect(e.message).toContain(`Cannot read ${t.location}: `);
    expect(e.message).toMatch(problem);
  });
});

describe("expiring snapshots never deletes a file outside the table", () => {
  it("reports it as not deleted and deletes the others", async () => {
    const t = await goodTable();
    const inside = `${t.metadata.location}/data/gone.parquet`;
    const outsideFile = `${elsewhere()}/precious.parquet`;
    for (const f of [inside, outsideFile]) await store.put(f, Buffer.from("x"));
    const groups = {
      manifestLists: [],
      manifests: [],
      dataFiles: [inside, outsideFile],
      deleteFiles: [],
      statisticsFiles: [],
      partitionStatisticsFiles: [],
    };
    const report = await deleteExpiredFiles(store, t.metadata, groups);
    expect(report.deleted).toBe(1);
    expect(report.failed).toEqual([
      {
        path: outsideFile,
        error: expect.stringMatching(/^not deleted: File .* lies outside the table location/),
      },
    ]);
    expect(await store.head(inside)).toBeUndefined();
    expect(await store.head(outsideFile)).toBeDefined();
  });
});
