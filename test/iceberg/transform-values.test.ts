import { describe, expect, it } from "vitest";
import { murmur3 } from "../../src/iceberg/murmur3.ts";
import { parseIsoDate, parseIsoTime, parseIsoTimestamp } from "../../src/iceberg/temporal.ts";
import { applyTransform, bucketHash, minBigEndian, uuidToBytes } from "../../src/iceberg/transform-values.ts";
import { parseTransform } from "../../src/iceberg/transforms.ts";
import { decimal, parsePrimitive as p, type PrimitiveValue } from "../../src/iceberg/types.ts";

const ts = (s: string) => parseIsoTimestamp(s, false, "any") as bigint;

describe("bucket hash: the spec's Appendix B test vectors", () => {
  const cases: Array<[string, PrimitiveValue, number]> = [
    ["int", 34, 2017239379],
    ["long", 34n, 2017239379],
    ["decimal(4,2)", 1420n, -500754589],
    ["date", parseIsoDate("2017-11-16") as number, -653330422],
    ["time", parseIsoTime("22:31:08", false) as bigint, -662762989],
    ["timestamp", ts("2017-11-16T22:31:08"), -2047944441],
    ["timestamptz", ts("2017-11-16T22:31:08Z"), -2047944441],
    ["timestamp_ns", ts("2017-11-16T22:31:08") * 1000n + 999n, -2047944441],
    ["string", "iceberg", 1210000089],
    ["uuid", "f79c3e09-677c-4bbd-a479-3f349cb785e7", 1488055340],
    ["fixed[4]", Uint8Array.of(0, 1, 2, 3), -188683207],
    ["binary", Uint8Array.of(0, 1, 2, 3), -188683207],
  ];
  for (const [type, value, hash] of cases)
    it(`${type} ${String(value)} → ${hash}`, () => expect(bucketHash(p(type), value)).toBe(hash));

  it("boolean true as hashInt(1)", () =>
    expect(murmur3(Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0))).toBe(1392991556));
  it("encodes uuids big-endian and decimals minimally", () => {
    expect(Buffer.from(uuidToBytes("f79c3e09-677c-4bbd-a479-3f349cb785e7")).toString("hex")).toBe(
      "f79c3e09677c4bbda4793f349cb785e7",
    );
    expect([...minBigEndian(1420n)]).toEqual([0x05, 0x8c]);
    expect([...minBigEndian(-1n)]).toEqual([0xff]);
    expect([...minBigEndian(128n)]).toEqual([0x00, 0x80]);
    expect([...minBigEndian(-129n)]).toEqual([0xff, 0x7f]);
    expect([...minBigEndian(0n)]).toEqual([0]);
  });
  it("buckets as (hash & MAX_INT) % N", () => {
    expect(applyTransform(parseTransform("bucket[16]"), p("int"), 34)).toBe((2017239379 & 0x7fffffff) % 16);
    expect(applyTransform(parseTransform("bucket[100]"), p("string"), "iceberg")).toBe(1210000089 % 100);
    expect(
      applyTransform(parseTransform("bucket[100]"), p("uuid"), "f79c3e09-677c-4bbd-a479-3f349cb785e7"),
    ).toBe(40);
    expect(applyTransform(parseTransform("bucket[4]"), p("int"), null)).toBeNull();
  });
});

describe("truncate", () => {
  const t = (w: number) => parseTransform(`truncate[${w}]`);
  it("follows the spec's examples", () => {
    expect(applyTransform(t(10), p("int"), 1)).toBe(0);
    expect(applyTransform(t(10), p("int"), -1)).toBe(-10);
    expect(applyTransform(t(10), p("long"), 1n)).toBe(0n);
    expect(applyTransform(t(10), p("long"), -1n)).toBe(-10n);
    expect(applyTransform(t(50), decimal(9, 2), 1065n)).toBe(1050n);
    expect(applyTransform(t(3), p("string"), "iceberg")).toBe("ice");
    expect(applyTransform(t(2), p("string"), "😀😁x")).toBe("😀😁");
    expect(applyTransform(t(2), p("binary"), Uint8Array.of(1, 2, 3))).toEqual(Uint8Array.of(1, 2));
    expect(() => applyTransform(t(2), p("uuid"), "x")).toThrow(/truncate\[2\]/);
  });
});

describe("time transforms", () => {
  const tr = (s: string) => parseTransform(s);
  const t1 = ts("2017-11-16T22:31:08");
  it("count from 1970 in UTC, flooring before the epoch", () => {
    expect(applyTransform(tr("year"), p("timestamp"), t1)).toBe(47);
    expect(applyTransform(tr("month"), p("timestamp"), t1)).toBe(47 * 12 + 10);
    expect(applyTransform(tr("day"), p("timestamp"), t1)).toBe(parseIsoDate("2017-11-16"));
    expect(applyTransform(tr("hour"), p("timestamptz"), t1)).toBe(17486 * 24 + 22);
    expect(applyTransform(tr("day"), p("timestamp"), -1n)).toBe(-1);
    expect(applyTransform(tr("hour"), p("timestamp"), -1n)).toBe(-1);
    expect(applyTransform(tr("year"), p("date"), -1)).toBe(-1);
    expect(applyTransform(tr("month"), p("date"), -1)).toBe(-1);
    expect(applyTransform(tr("day"), p("timestamp_ns"), t1 * 1000n)).toBe(17486);
    expect(applyTransform(tr("void"), p("timestamp"), t1)).toBeNull();
    expect(() => applyTransform(tr("hour"), p("date"), 1)).toThrow(/hour/);
    expect(() => applyTransform(tr("zorder"), p("date"), 1)).toThrow(/zorder/);
  });
});
