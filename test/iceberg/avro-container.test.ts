import fc from "fast-check";
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { isFloeError } from "../../src/core/errors.ts";
import avsc from "avsc";
import { avroType, readAvroFile, writeAvroFile } from "../../src/iceberg/avro/container.ts";
import { snappyDecompress, snappyRaw } from "../../src/iceberg/avro/snappy.ts";
import { avscFile } from "../fixtures/avro/avsc-file.ts";

const schema = {
  type: "record",
  name: "r",
  fields: [
    { name: "id", type: "long", "field-id": 1 },
    {
      name: "ts",
      type: ["null", { type: "long", logicalType: "timestamp-micros" }],
      default: null,
      "field-id": 2,
    },
    { name: "s", type: "string", "field-id": 3 },
  ],
};

describe("Avro container files", () => {
  it("round-trips many blocks, longs as exact bigints, with both codecs", () => {
    const records = Array.from({ length: 5000 }, (_, i) => ({
      id: 7263591925164385283n - BigInt(i),
      ts: i % 3 === 0 ? null : -(2n ** 62n) + BigInt(i),
      s: "x".repeat(i % 50),
    }));
    for (const codec of ["null", "deflate"] as const) {
      const bytes = writeAvroFile(schema, records, { "format-version": "2" }, codec);
      const file = readAvroFile(bytes, "f");
      expect(file.records).toEqual(records);
      expect(file.metadata.get("avro.codec")).toBe(codec);
      expect(file.metadata.get("format-version")).toBe("2");
      // The schema in the header keeps Iceberg's field ids.
      expect(file.schema).toEqual(schema);
    }
  });

  it("encodes longs as avsc does, exactly over the whole 64-bit range", () => {
    const longSchema = { type: "record", name: "l", fields: [{ name: "v", type: "long" }] };
    const plain = avsc.Type.forSchema(longSchema as avsc.Schema); // avsc's own long: numbers up to 2^52
    const edges = [
      0n,
      -1n,
      1n,
      2n ** 49n - 1n,
      2n ** 49n,
      -(2n ** 49n),
      2n ** 53n - 1n,
      -(2n ** 63n),
      2n ** 63n - 1n,
    ];
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...edges), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
        (v) => {
          const bytes = writeAvroFile(longSchema, [{ v }], {}, "null");
          expect(readAvroFile(bytes, "f").records).toEqual([{ v }]);
          if (v >= -(2n ** 52n) && v <= 2n ** 52n) {
            const ours = avroType(longSchema, "t").toBuffer({ v });
            expect(ours.equals(plain.toBuffer({ v: Number(v) }))).toBe(true);
            expect(plain.fromBuffer(ours)).toEqual({ v: Number(v) });
          }
        },
      ),
    );
    expect(() => writeAvroFile(longSchema, [{ v: 2n ** 63n }], {}, "null")).toThrow(/invalid value for v/);
  });

  it("reads files framed by avsc", async () => {
    const bytes = await avscFile(schema, [{ id: 1n, ts: 2n, s: "a" }], {});
    expect(readAvroFile(bytes, "f").records).toEqual([{ id: 1n, ts: 2n, s: "a" }]);
  });

  it("decodes Snappy (google/snappy format) with Avro's CRC", () => {
    // "abcabcabcabc": literal "abc", then a copy of 9 bytes from offset 3.
    const raw = Uint8Array.of(0x0c, 0x08, 0x61, 0x62, 0x63, 0x15, 0x03);
    expect(snappyRaw(raw).toString()).toBe("abcabcabcabc");
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32("abcabcabcabc"));
    expect(snappyDecompress(Buffer.concat([raw, crc])).toString()).toBe("abcabcabcabc");
    crc[0] = (crc[0] as number) ^ 1;
    expect(() => snappyDecompress(Buffer.concat([raw, crc]))).toThrow(/checksum/);
    expect(() => snappyRaw(Uint8Array.of(0x0c, 0x08, 0x61, 0x62, 0x63, 0x15, 0x09))).toThrow(/out of range/);
  });

  it("names an unsupported codec", () => {
    const bytes = Buffer.from(writeAvroFile(schema, [{ id: 1n, ts: null, s: "" }], {}, "null"));
    // Same length as "null": the header stays well-formed.
    const at = bytes.indexOf("null", bytes.indexOf("avro.codec"));
    bytes.write("xz\0\0", at);
    expect(() => readAvroFile(bytes, "s3://b/x.avro")).toThrow(/s3:\/\/b\/x\.avro: unsupported Avro codec/);
  });

  it("never throws anything but BAD_REQUEST on corrupt bytes", () => {
    const good = writeAvroFile(
      schema,
      Array.from({ length: 20 }, (_, i) => ({ id: BigInt(i), ts: null, s: "abc" })),
      {},
      "null",
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const bad = Uint8Array.from(good);
          for (const [i, b] of edits) bad[i] = b;
          try {
            readAvroFile(bad, "f");
          } catch (e) {
            expect(isFloeError(e, "BAD_REQUEST"), String(e)).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
