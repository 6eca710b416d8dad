import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromSingleValue, toSingleValue } from "../../src/iceberg/single-value.ts";
import type { PrimitiveType, PrimitiveValue } from "../../src/iceberg/types.ts";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const t = (type: string): PrimitiveType => ({ type }) as PrimitiveType;

// Byte vectors of the spec's Appendix D, as Java's TestConversions checks them.
const VECTORS: [PrimitiveType, PrimitiveValue, string][] = [
  [t("boolean"), true, "01"],
  [t("boolean"), false, "00"],
  [t("int"), 1, "01000000"],
  [t("int"), -1, "ffffffff"],
  [t("int"), 2147483647, "ffffff7f"],
  [t("long"), 1n, "0100000000000000"],
  [t("long"), 7263591925164385283n, "03a4d12c5f76cd64"],
  [t("long"), -9223372036854775808n, "0000000000000080"],
  [t("float"), 1, "0000803f"],
  [t("float"), -0, "00000080"],
  [t("double"), 1, "000000000000f03f"],
  [t("double"), -2.5, "00000000000004c0"],
  [t("date"), 17167, "0f430000"],
  [t("time"), 10_800_000_000n, "00ecba8302000000"],
  [t("timestamp"), 400_000_000_000n, "00a0db215d000000"],
  [t("timestamptz"), 400_000_000_000n, "00a0db215d000000"],
  [t("timestamp_ns"), 1_510_871_468_123_456_789n, "1585c56698b1f714"],
  [t("string"), "foo", "666f6f"],
  [t("string"), "", ""],
  [t("string"), "ŝ€😀", "c59de282acf09f9880"],
  [t("uuid"), "f79c3e09-677c-4bbd-a479-3f349cb785e7", "f79c3e09677c4bbda4793f349cb785e7"],
  [{ type: "fixed", length: 3 }, Uint8Array.of(1, 2, 3), "010203"],
  [t("binary"), Uint8Array.of(0xde, 0xad), "dead"],
  [{ type: "decimal", precision: 9, scale: 2 }, 1420n, "058c"],
  [{ type: "decimal", precision: 9, scale: 2 }, 0n, "00"],
  [{ type: "decimal", precision: 9, scale: 2 }, -1n, "ff"],
  [{ type: "decimal", precision: 9, scale: 2 }, 127n, "7f"],
  [{ type: "decimal", precision: 9, scale: 2 }, 128n, "0080"],
  [{ type: "decimal", precision: 9, scale: 2 }, -128n, "80"],
  [{ type: "decimal", precision: 9, scale: 2 }, -129n, "ff7f"],
  [{ type: "decimal", precision: 38, scale: 0 }, 10n ** 38n - 1n, "4b3b4ca85a86c47a098a223fffffffff"],
];

describe("single-value serialization", () => {
  it.each(VECTORS)("%o %s → %s", (type, value, bytes) => {
    expect(hex(toSingleValue(type, value))).toBe(bytes);
    expect(fromSingleValue(type, Buffer.from(bytes, "hex"))).toEqual(value);
  });

  it("reads any non-zero byte as true", () => {
    expect(fromSingleValue(t("boolean"), Uint8Array.of(7))).toBe(true);
  });

  it("round-trips longs and decimals exactly", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => {
        expect(fromSingleValue(t("long"), toSingleValue(t("long"), v))).toBe(v);
        const dec = { type: "decimal", precision: 38, scale: 4 } as const;
        const bytes = toSingleValue(dec, v);
        expect(fromSingleValue(dec, bytes)).toBe(v);
        // Minimal: dropping the first byte would change the value.
        if (bytes.length > 1) expect(fromSingleValue(dec, bytes.subarray(1))).not.toBe(v);
      }),
    );
  });

  it("rejects values that do not fit the type, and bytes of the wrong length", () => {
    expect(() => toSingleValue(t("int"), 2 ** 31)).toThrow(/int bound/);
    expect(() => toSingleValue(t("long"), "1")).toThrow(/long bound/);
    expect(() => toSingleValue(t("uuid"), "nope")).toThrow(/Not a UUID/);
    expect(() => toSingleValue({ type: "fixed", length: 2 }, Uint8Array.of(1))).toThrow(/fixed bound/);
    expect(() => toSingleValue(t("variant"), 1)).toThrow(/no single-value serialization/);
    expect(() => fromSingleValue(t("long"), Uint8Array.of(1, 2))).toThrow(/8 bytes, got 2/);
    expect(() => fromSingleValue(t("string"), Uint8Array.of(0xff))).toThrow(/UTF-8/);
  });
});
