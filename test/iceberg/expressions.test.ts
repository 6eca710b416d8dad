import { describe, expect, it } from "vitest";
import { isFloeError } from "../../src/core/errors.ts";
import { bind } from "../../src/iceberg/expressions/bind.ts";
import { matches } from "../../src/iceberg/expressions/evaluate.ts";
import {
  and,
  eq,
  expressionToString,
  gt,
  gtEq,
  isIn,
  isNaN,
  isNull,
  lt,
  ltEq,
  not,
  notEq,
  notIn,
  notNaN,
  notNull,
  or,
  rewriteNot,
} from "../../src/iceberg/expressions/expression.ts";
import type { Schema } from "../../src/iceberg/schema.ts";

const schema: Schema = {
  schemaId: 1,
  identifierFieldIds: [],
  fields: [
    { id: 1, name: "id", required: true, type: { type: "long" } },
    { id: 2, name: "n", required: false, type: { type: "int" } },
    { id: 3, name: "name", required: false, type: { type: "string" } },
    { id: 4, name: "ts", required: false, type: { type: "timestamptz" } },
    { id: 5, name: "d", required: false, type: { type: "date" } },
    { id: 6, name: "score", required: false, type: { type: "double" } },
    { id: 7, name: "amount", required: false, type: { type: "decimal", precision: 9, scale: 2 } },
    {
      id: 8,
      name: "loc",
      required: false,
      type: { type: "struct", fields: [{ id: 9, name: "lat", required: true, type: { type: "float" } }] },
    },
    {
      id: 10,
      name: "tags",
      required: false,
      type: { type: "list", elementId: 11, elementRequired: true, element: { type: "string" } },
    },
    { id: 12, name: "u", required: false, type: { type: "uuid" } },
  ],
};

const fails = (f: () => unknown, text: RegExp) => {
  try {
    f();
  } catch (e) {
    expect(isFloeError(e, "BAD_REQUEST")).toBe(true);
    expect((e as Error).message).toMatch(text);
    return;
  }
  throw new Error("expected a BAD_REQUEST");
};

describe("expressions", () => {
  it("fold true and false in constructors", () => {
    expect(and(eq("a", 1), { kind: "false" })).toEqual({ kind: "false" });
    expect(or(eq("a", 1), { kind: "true" })).toEqual({ kind: "true" });
    expect(and({ kind: "true" }, eq("a", 1))).toEqual(eq("a", 1));
    expect(not(not(eq("a", 1)))).toEqual(eq("a", 1));
  });

  it("push NOT down with De Morgan and negated predicates", () => {
    const e = not(and(lt("a", 1), or(isNull("b"), not(isIn("c", [1, 2])))));
    expect(expressionToString(rewriteNot(e))).toBe("(a >= 1 OR (b IS NOT NULL AND c IN (1, 2)))");
    expect(rewriteNot(not(isNaN("x")))).toEqual(notNaN("x"));
    expect(rewriteNot(not(ltEq("x", 3)))).toEqual(gt("x", 3));
  });
});

describe("bind", () => {
  it("resolves names to field ids and converts literals", () => {
    const b = bind(
      and(eq("id", 5), gtEq("ts", "2024-01-01T00:00:00Z"), lt("d", "2024-02-01"), eq("amount", "14.2")),
      schema,
    );
    expect(expressionToString(b)).toBe(
      "(((id = 5 AND ts >= 1704067200000000) AND d < 19754) AND amount = 1420)",
    );
    expect(bind(eq("loc.lat", 1.5), schema)).toMatchObject({ term: { fieldId: 9, type: { type: "float" } } });
    expect(bind(eq("ID", 1), schema, { caseSensitive: false })).toMatchObject({ term: { fieldId: 1 } });
    expect(bind(eq("u", "F79C3E09-677C-4BBD-A479-3F349CB785E7"), schema)).toMatchObject({
      value: "f79c3e09-677c-4bbd-a479-3f349cb785e7",
    });
  });

  it("simplifies null tests of required columns, IN of one or no value", () => {
    expect(bind(isNull("id"), schema)).toEqual({ kind: "false" });
    expect(bind(notNull("id"), schema)).toEqual({ kind: "true" });
    expect(bind(not(isNull("id")), schema)).toEqual({ kind: "true" });
    expect(bind(isIn("n", [3, 3]), schema)).toMatchObject({ op: "eq", value: 3 });
    expect(bind(isIn("n", []), schema)).toEqual({ kind: "false" });
    expect(bind(notIn("n", []), schema)).toEqual({ kind: "true" });
    expect(bind(notIn("n", [1, 2, 1]), schema)).toMatchObject({ op: "notIn", values: [1, 2] });
    // loc is optional, so loc.lat may be null even though lat is required within it.
    expect(bind(isNull("loc.lat"), schema)).toMatchObject({ op: "isNull" });
  });

  it("rejects what cannot be bound, saying why", () => {
    fails(() => bind(eq("nope", 1), schema), /column nope: not found/);
    fails(() => bind(eq("n", "x"), schema), /column n of type int with the string "x"/);
    fails(() => bind(eq("n", 2 ** 31), schema), /out of range/);
    fails(() => bind(eq("n", 1.5), schema), /type int with the number 1.5/);
    fails(() => bind(eq("amount", "1.005"), schema), /at most 2 fractional digits/);
    fails(() => bind(eq("ts", "2024-01-01"), schema), /not an ISO timestamp/);
    fails(() => bind(eq("score", NaN), schema), /use IS NAN/);
    fails(() => bind(isNaN("n"), schema), /only float and double/);
    fails(() => bind(eq("loc", 1), schema), /not a primitive/);
    fails(() => bind(eq("tags.element", "a"), schema), /inside a list or map/);
    const twoCases: Schema = {
      ...schema,
      fields: [...schema.fields, { id: 20, name: "Name", required: false, type: { type: "string" } }],
    };
    fails(
      () => bind(eq("name", "a"), twoCases, { caseSensitive: false }),
      /name and Name differ only in case/,
    );
    expect(bind(eq("Name", "a"), twoCases)).toMatchObject({ term: { fieldId: 20 } });
  });
});

describe("matches", () => {
  const row =
    (values: Record<number, unknown>) =>
    (id: number): never =>
      values[id] as never;

  it("uses three-valued logic for nulls", () => {
    const e = bind(not(lt("n", 5)), schema);
    expect(matches(e, row({ 2: 7 }))).toBe(true);
    expect(matches(e, row({ 2: 3 }))).toBe(false);
    expect(matches(e, row({}))).toBe(false);
    expect(matches(bind(notEq("n", 5), schema), row({}))).toBe(false);
    expect(matches(bind(or(isNull("n"), eq("n", 1)), schema), row({}))).toBe(true);
  });

  it("orders NaN above every number and -0 equal to +0", () => {
    expect(matches(bind(gt("score", 1e300), schema), row({ 6: NaN }))).toBe(true);
    expect(matches(bind(lt("score", 1e300), schema), row({ 6: NaN }))).toBe(false);
    expect(matches(bind(eq("score", 0), schema), row({ 6: -0 }))).toBe(true);
    expect(matches(bind(isNaN("score"), schema), row({ 6: NaN }))).toBe(true);
  });

  it("compares strings by code point", () => {
    // U+FFFD is below U+1F600 by code point, though above its UTF-16 surrogates.
    expect(matches(bind(lt("name", "\u{1F600}"), schema), row({ 3: "\uFFFD" }))).toBe(true);
  });
});
