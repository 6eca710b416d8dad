import { badRequest } from "../../core/errors.ts";
import { type IndexedField, indexFields, type Schema } from "../schema.ts";
import { isPrimitive, type PrimitiveValue, primitiveToString } from "../types.ts";
import {
  alwaysFalse,
  alwaysTrue,
  and,
  type BoundExpression,
  type BoundPredicate,
  type BoundReference,
  type Expression,
  not,
  or,
  rewriteNot,
  type UnboundPredicate,
} from "./expression.ts";
import { compareLiterals, convertLiteral, isFloating, isNaNValue } from "./literals.ts";

export interface BindOptions {
  /** Match column names exactly (default) or ignoring case. */
  readonly caseSensitive?: boolean;
}

/**
 * Binds a row filter to a schema: column names (dotted for nested struct fields) become field ids,
 * literals are converted to the column's type (`convertLiteral`), and the result is simplified:
 * NOT is pushed down to the predicates, `IS NULL` on a required column is false (and `IS NOT NULL`
 * true), `IN` of one value is `=`, of none is false. Throws BAD_REQUEST for an unknown column, a
 * column that is not a primitive or sits inside a list or map, a literal that does not fit, NaN as
 * a comparison literal (use IS NAN), and IS NAN on a column that is not float or double.
 */
export function bind(expr: Expression, schema: Schema, opts: BindOptions = {}): BoundExpression {
  const caseSensitive = opts.caseSensitive ?? true;
  const byName = new Map<string, IndexedField>();
  for (const f of indexFields(schema).values()) {
    const key = caseSensitive ? f.name : f.name.toLowerCase();
    const clash = byName.get(key);
    if (clash)
      throw badRequest(
        `Cannot bind a filter ignoring case: columns ${clash.name} and ${f.name} differ only in case`,
      );
    byName.set(key, f);
  }
  const resolve = (name: string): { ref: BoundReference; required: boolean } => {
    const f = byName.get(caseSensitive ? name : name.toLowerCase());
    if (!f) throw badRequest(`Cannot filter on column ${name}: not found in schema ${schema.schemaId}`);
    if (!isPrimitive(f.field.type))
      throw badRequest(`Cannot filter on column ${f.name}: it is a ${f.field.type.type}, not a primitive`);
    if (f.inListOrMap) throw badRequest(`Cannot filter on column ${f.name}: it is inside a list or map`);
    const required = f.field.required && f.parents.every((p) => p.required);
    return { ref: { fieldId: f.field.id, name: f.name, type: f.field.type }, required };
  };
  const visit = (e: Expression): BoundExpression => {
    switch (e.kind) {
      case "true":
      case "false":
        return e;
      case "not":
        return not(visit(e.child));
      case "and":
        return and(visit(e.left), visit(e.right));
      case "or":
        return or(visit(e.left), visit(e.right));
      default:
        return bindPredicate(e, resolve);
    }
  };
  return visit(rewriteNot(expr));
}

function bindPredicate(
  p: UnboundPredicate,
  resolve: (name: string) => { ref: BoundReference; required: boolean },
): BoundExpression {
  const { ref, required } = resolve(p.term);
  const convert = (v: Parameters<typeof convertLiteral>[1]): PrimitiveValue => {
    const out = convertLiteral(ref.type, v, ref.name);
    if (isNaNValue(out))
      throw badRequest(`Cannot compare column ${ref.name} with NaN: use IS NAN or IS NOT NAN instead`);
    return out;
  };
  switch (p.op) {
    case "isNull":
      return required ? alwaysFalse() : { kind: "pred", op: p.op, term: ref };
    case "notNull":
      return required ? alwaysTrue() : { kind: "pred", op: p.op, term: ref };
    case "isNaN":
    case "notNaN":
      if (!isFloating(ref.type))
        throw badRequest(
          `Cannot test column ${ref.name} of type ${primitiveToString(ref.type)} for NaN: only float and double have NaN`,
        );
      return { kind: "pred", op: p.op, term: ref };
    case "in":
    case "notIn": {
      const values: PrimitiveValue[] = [];
      for (const v of p.values.map(convert))
        if (!values.some((w) => compareLiterals(v, w) === 0)) values.push(v);
      if (values.length === 0) return p.op === "in" ? alwaysFalse() : alwaysTrue();
      if (values.length === 1)
        return {
          kind: "pred",
          op: p.op === "in" ? "eq" : "notEq",
          term: ref,
          value: values[0] as PrimitiveValue,
        };
      return { kind: "pred", op: p.op, term: ref, values } satisfies BoundPredicate;
    }
    default:
      return { kind: "pred", op: p.op, term: ref, value: convert(p.value) };
  }
}
