import { randomBytes } from "node:crypto";
import zlib from "node:zlib";
import avsc from "avsc";
import * as fzstd from "fzstd";
import { badRequest } from "../../core/errors.ts";
import { snappyDecompress } from "./snappy.ts";

/**
 * Avro object container files (Avro spec "Object Container Files"), in memory: manifests and
 * manifest lists are small, so they are read and written whole. avsc encodes and decodes the
 * records; the framing is done here so that every problem with a file — wrong magic, truncation,
 * a bad sync marker, an unknown codec — becomes one BAD_REQUEST naming the file, never a crash.
 *
 * Codecs: `null` and `deflate` read and written (Java writes deflate by default), `snappy` and
 * `zstandard` read — every codec Java's Iceberg writes.
 */

/** An Avro schema as JSON, with Iceberg's `field-id` / `element-id` attributes kept. */
export type AvroSchema = string | readonly AvroSchema[] | { readonly [k: string]: unknown };

export interface AvroFile {
  /** The writer schema from the file header, as parsed JSON. */
  readonly schema: AvroSchema;
  /** File metadata, `avro.*` keys included, decoded as UTF-8. */
  readonly metadata: ReadonlyMap<string, string>;
  /** Records decoded with the writer schema: `long` as `bigint`, `bytes`/`fixed` as Buffer. */
  readonly records: readonly unknown[];
}

export type WriteCodec = "null" | "deflate";

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]); // "Obj" 1
const BLOCK_BYTES = 64 * 1024;
// A bound on one decompressed block, so that a corrupt or hostile block cannot exhaust memory.
const MAX_BLOCK_BYTES = 256 * 1024 * 1024;

// avsc's long is a JS number, exact only to 2^53; Iceberg's ids are 64-bit, so longs are bigints.
const BigLongType = avsc.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(n);
    return buf;
  },
  fromJSON: (v: unknown) => BigInt(v as string),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === "bigint" && n >= -(2n ** 63n) && n < 2n ** 63n,
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

interface Tap {
  buf: Buffer;
  pos: number;
  readLong(): number;
  skipLong(): void;
  readString(): string;
  isValid(): boolean;
  _invalidate(): void;
}
type Reader = { _read(tap: Tap): unknown };

/**
 * avsc trusts an array's or map's item count: a corrupt count of 10^12 makes it read items until
 * the heap runs out. Every item of an Iceberg metadata array or map takes at least one byte, so a
 * count larger than the bytes left is corruption: the tap is invalidated, which avsc's `decode`
 * reports as truncation.
 */
function readItems(tap: Tap, each: () => void): void {
  let total = 0;
  for (let n = tap.readLong(); n; n = tap.readLong()) {
    if (n < 0) {
      n = -n;
      tap.skipLong();
    }
    total += n;
    if (!tap.isValid() || n > tap.buf.length - tap.pos || total > tap.buf.length) return tap._invalidate();
    while (n-- > 0 && tap.isValid()) each();
  }
}

(avsc.types.ArrayType.prototype as unknown as Reader)._read = function (
  this: { itemsType: Reader },
  tap: Tap,
): unknown[] {
  const items: unknown[] = [];
  readItems(tap, () => items.push(this.itemsType._read(tap)));
  return items;
};

(avsc.types.MapType.prototype as unknown as Reader)._read = function (
  this: { valuesType: Reader },
  tap: Tap,
): Record<string, unknown> {
  const map: Record<string, unknown> = Object.create(null);
  readItems(tap, () => {
    const key = tap.readString();
    map[key] = this.valuesType._read(tap);
  });
  return map;
};

// avsc's `__with` moves every long through an 8-byte Buffer, which dominated manifest decoding; these
// read and write the zig-zag varint directly, with plain numbers up to 49 bits and bigints above.
// (avsc freezes its types, so the fast type is a frozen object inheriting from the `__with` one.)
const TWO_49 = 2 ** 49;
const FastBigLongType: avsc.Type = Object.freeze(
  Object.assign(Object.create(BigLongType) as avsc.Type, {
    _read(tap: Tap): bigint {
      const buf = tap.buf;
      let pos = tap.pos;
      let b = buf[pos++] as number;
      let n = b & 0x7f;
      let shift = 7;
      while (b & 0x80 && shift < 49) {
        b = buf[pos++] as number;
        n += (b & 0x7f) * 2 ** shift;
        shift += 7;
      }
      if (!(b & 0x80)) {
        tap.pos = pos;
        return BigInt(n % 2 === 1 ? -(n + 1) / 2 : n / 2);
      }
      let z = BigInt(n);
      let big = BigInt(shift);
      do {
        b = buf[pos++] as number;
        z |= BigInt(b & 0x7f) << big;
        big += 7n;
      } while (b & 0x80 && big < 70n);
      tap.pos = pos;
      z = BigInt.asUintN(64, z);
      return (z >> 1n) ^ -(z & 1n);
    },
    _write(tap: Tap, v: bigint): void {
      if (typeof v !== "bigint" || v < -(2n ** 63n) || v >= 2n ** 63n)
        throw new Error(`not a long: ${String(v)}`);
      const buf = tap.buf;
      let z = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
      if (z < TWO_49) {
        let n = Number(z);
        while (n >= 0x80) {
          buf[tap.pos++] = (n & 0x7f) | 0x80;
          n = Math.floor(n / 128);
        }
        buf[tap.pos++] = n;
        return;
      }
      while (z >= 0x80n) {
        buf[tap.pos++] = Number(z & 0x7fn) | 0x80;
        z >>= 7n;
      }
      buf[tap.pos++] = Number(z);
    },
  }),
);

// avsc compiles a reader and a writer for every type it builds, which costs more than decoding a
// small manifest: the types of the schemas seen last are kept (a table's manifests share a schema).
const TYPE_CACHE_SIZE = 64;
const types = new Map<string, avsc.Type>();
const typeOfSchema = new WeakMap<object, avsc.Type>();
const resolvers = new WeakMap<avsc.Type, WeakMap<avsc.Type, avsc.Resolver>>();
/** Parsed `avro.schema` headers by their text: files of one table share them (and so their types). */
const schemas = new Map<string, AvroSchema>();

/** An avsc type for a schema, with 64-bit longs as bigint. Throws BAD_REQUEST if avsc rejects it. */
export function avroType(schema: AvroSchema, what: string): avsc.Type {
  const known = typeof schema === "object" ? typeOfSchema.get(schema) : undefined;
  if (known) return known;
  const key = JSON.stringify(schema);
  const cached = types.get(key);
  if (cached) {
    if (typeof schema === "object") typeOfSchema.set(schema, cached);
    return cached;
  }
  let type: avsc.Type;
  try {
    type = avsc.Type.forSchema(bareLongs(schema) as avsc.Schema, { registry: { long: FastBigLongType } });
  } catch (e) {
    throw badRequest(`Cannot read ${what}: invalid Avro schema: ${(e as Error).message}`);
  }
  if (types.size >= TYPE_CACHE_SIZE) types.delete(types.keys().next().value as string);
  types.set(key, type);
  if (typeof schema === "object") typeOfSchema.set(schema, type);
  return type;
}

/** avsc's resolver from `writer` to `reader` (a projection of it), kept while both types are. */
function resolver(reader: avsc.Type, writer: avsc.Type): avsc.Resolver {
  let byWriter = resolvers.get(reader);
  if (!byWriter) resolvers.set(reader, (byWriter = new WeakMap()));
  let r = byWriter.get(writer);
  if (!r) byWriter.set(writer, (r = reader.createResolver(writer)));
  return r;
}

/**
 * The schema with annotated primitives (`{"type": "long", "logicalType": "timestamp-micros"}`)
 * replaced by their bare names: avsc looks only bare names up in the registry, and floe reads
 * logical types itself (from the schema JSON), so that every long decodes as a bigint.
 */
function bareLongs(schema: AvroSchema): AvroSchema {
  if (Array.isArray(schema)) return schema.map(bareLongs);
  if (typeof schema !== "object" || schema === null) return schema;
  const o = schema as Record<string, unknown>;
  if (o.type === "long") return "long";
  const out: Record<string, unknown> = { ...o };
  if (typeof o.type === "object") out.type = bareLongs(o.type as AvroSchema);
  if (Array.isArray(o.fields))
    out.fields = (o.fields as Record<string, unknown>[]).map((f) => ({
      ...f,
      type: bareLongs(f.type as AvroSchema),
    }));
  if (o.items !== undefined) out.items = bareLongs(o.items as AvroSchema);
  if (o.values !== undefined) out.values = bareLongs(o.values as AvroSchema);
  return out;
}

const headerType = avsc.Type.forSchema({
  type: "record",
  name: "org.apache.avro.file.Header",
  fields: [
    { name: "magic", type: { type: "fixed", name: "Magic", size: 4 } },
    { name: "meta", type: { type: "map", values: "bytes" } },
    { name: "sync", type: { type: "fixed", name: "Sync", size: 16 } },
  ],
});
const longType = avsc.Type.forSchema("long");

/**
 * A cheaper first look at each record: `schema` is the writer schema with fields left out (avsc
 * skips them without building values), and only the records `keep` accepts from that look are
 * decoded in full; the others are left out of `records`.
 */
export interface AvroProjection {
  readonly schema: AvroSchema;
  readonly keep: (projected: unknown) => boolean;
}

/**
 * Reads a whole container file. `what` names the file in errors ("manifest list s3://…").
 * `project`, given the writer schema and the file metadata, may return a projection that decides
 * which records to decode (all when it returns undefined).
 */
export function readAvroFile(
  bytes: Uint8Array,
  what: string,
  project?: (schema: AvroSchema, metadata: ReadonlyMap<string, string>) => AvroProjection | undefined,
): AvroFile {
  const fail = (problem: string): never => {
    throw badRequest(`Cannot read ${what}: ${problem}`);
  };
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 4 || !buf.subarray(0, 4).equals(MAGIC)) fail("not an Avro container file (wrong magic)");

  const header = decodeSafely(headerType, buf, 0, fail, "header") as {
    value: { meta: Record<string, Buffer>; sync: Buffer };
    offset: number;
  };
  const metadata = new Map<string, string>();
  for (const [k, v] of Object.entries(header.value.meta)) metadata.set(k, v.toString("utf8"));
  const schemaJson = metadata.get("avro.schema") ?? fail("the header has no avro.schema");
  let schema = schemas.get(schemaJson);
  if (schema === undefined) {
    try {
      schema = JSON.parse(schemaJson) as AvroSchema;
    } catch {
      return fail("avro.schema in the header is not JSON");
    }
    // frozen: every reader of a file with this header gets this object
    schema = deepFreeze(schema);
    if (schemas.size >= TYPE_CACHE_SIZE) schemas.delete(schemas.keys().next().value as string);
    schemas.set(schemaJson, schema);
  }
  const type = avroType(schema, what);
  const projection = project?.(schema, metadata);
  const peekType = projection && avroType(projection.schema, what);
  const peekResolver = peekType && resolver(peekType, type);
  const codec = metadata.get("avro.codec") ?? "null";
  const sync = header.value.sync;

  const records: unknown[] = [];
  let pos = header.offset;
  while (pos < buf.length) {
    const count = decodeSafely(longType, buf, pos, fail, "block header");
    const size = decodeSafely(longType, buf, count.offset, fail, "block header");
    const n = count.value as number;
    const len = size.value as number;
    if (n < 0 || len < 0) fail(`block at byte ${pos} has a negative count or size`);
    const start = size.offset;
    const end = start + len;
    if (end + 16 > buf.length) fail(`truncated: block at byte ${pos} runs past the end of the file`);
    if (!buf.subarray(end, end + 16).equals(sync))
      fail(`corrupt: no sync marker after the block at byte ${pos}`);
    const block = decompress(codec, buf.subarray(start, end), fail);
    let p = 0;
    for (let i = 0; i < n; i++) {
      if (peekType && projection) {
        const peek = decodeSafely(peekType, block, p, fail, `record ${records.length}`, peekResolver);
        if (!projection.keep(peek.value)) {
          p = peek.offset;
          continue;
        }
      }
      const r = decodeSafely(type, block, p, fail, `record ${records.length}`);
      records.push(r.value);
      p = r.offset;
    }
    if (p !== block.length) fail(`corrupt: block at byte ${pos} has bytes after its ${n} records`);
    pos = end + 16;
  }
  return { schema, metadata, records };
}

/** Writes a container file with one schema, the given metadata (plus `avro.schema`/`avro.codec`). */
export function writeAvroFile(
  schema: AvroSchema,
  records: Iterable<unknown>,
  metadata: Readonly<Record<string, string>>,
  codec: WriteCodec = "deflate",
): Uint8Array {
  const type = avroType(schema, "Avro schema");
  const sync = randomBytes(16);
  const meta: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(metadata)) meta[k] = Buffer.from(v, "utf8");
  meta["avro.schema"] = Buffer.from(JSON.stringify(schema), "utf8");
  meta["avro.codec"] = Buffer.from(codec, "utf8");
  const parts: Buffer[] = [headerType.toBuffer({ magic: MAGIC, meta, sync })];

  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = (): void => {
    if (pending.length === 0) return;
    const raw = Buffer.concat(pending);
    const data = codec === "deflate" ? zlib.deflateRawSync(raw) : raw;
    parts.push(longType.toBuffer(pending.length), longType.toBuffer(data.length), data, sync);
    pending = [];
    pendingBytes = 0;
  };
  for (const record of records) {
    let encoded: Buffer;
    try {
      encoded = type.toBuffer(record);
    } catch (e) {
      // avsc's own message may fail to print a bigint; name the offending field instead.
      let path = "";
      type.isValid(record, { errorHook: (p: string[]) => (path ||= p.join(".")) });
      throw badRequest(
        `Cannot write Avro record: ${path ? `invalid value for ${path}` : (e as Error).message}`,
      );
    }
    pending.push(encoded);
    pendingBytes += encoded.length;
    if (pendingBytes >= BLOCK_BYTES) flush();
  }
  flush();
  const out = Buffer.concat(parts);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

function deepFreeze<T>(v: T): T {
  if (typeof v === "object" && v !== null && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

function decodeSafely(
  type: avsc.Type,
  buf: Buffer,
  pos: number,
  fail: (problem: string) => never,
  what: string,
  resolver?: avsc.Resolver,
): { value: unknown; offset: number } {
  let r: { value: unknown; offset: number };
  try {
    r = type.decode(buf, pos, resolver);
  } catch (e) {
    return fail(`corrupt ${what}: ${(e as Error).message}`);
  }
  if (r.offset < 0 || r.offset > buf.length) fail(`truncated ${what}`);
  return r;
}

/** Node's zstd (22.15+) where there is one, else fzstd (pure JS; Node 20 has no zstd). */
function zstdDecompress(data: Buffer): Buffer {
  const native = (zlib as unknown as { zstdDecompressSync?: (b: Buffer, o: object) => Buffer })
    .zstdDecompressSync;
  if (native) return native(data, { maxOutputLength: MAX_BLOCK_BYTES });
  const out = fzstd.decompress(data);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

function decompress(codec: string, data: Buffer, fail: (problem: string) => never): Buffer {
  try {
    switch (codec) {
      case "null":
        return data;
      case "deflate":
        return zlib.inflateRawSync(data, { maxOutputLength: MAX_BLOCK_BYTES });
      case "snappy":
        return snappyDecompress(data);
      case "zstandard":
        return zstdDecompress(data);
    }
  } catch (e) {
    return fail(`corrupt ${codec} block: ${(e as Error).message}`);
  }
  return fail(`unsupported Avro codec "${codec}" (floe reads null, deflate, snappy and zstandard)`);
}
