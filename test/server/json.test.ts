import { expect, it } from "vitest";
import { parseJson, stringifyJson } from "../../src/core/json.ts";

it("keeps 64-bit integers exact in and out", () => {
  const text =
    '{"snapshotId":7263591925164385283,"small":42,"neg":-9223372036854775808,"f":1.5e+300,"s":"12345678901234567890"}';
  const v = parseJson(text) as Record<string, unknown>;
  expect(v.snapshotId).toBe(7263591925164385283n);
  expect(v.small).toBe(42);
  expect(v.neg).toBe(-9223372036854775808n);
  expect(v.f).toBe(1.5e300);
  expect(v.s).toBe("12345678901234567890");
  expect(stringifyJson(v)).toBe(text);
  expect(parseJson('{"a":[1234567890123456,"x\\"9999999999999999999"]}')).toEqual({
    a: [1234567890123456, 'x"9999999999999999999'],
  });
});

it("throws SyntaxError on malformed JSON", () => {
  expect(() => parseJson('{"a": 12345678901234567890')).toThrow(SyntaxError);
  expect(() => parseJson("{")).toThrow(SyntaxError);
});
