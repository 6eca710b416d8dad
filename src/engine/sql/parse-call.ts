import type { Cursor } from "./cursor.ts";
import type { CallArg, CallValue, Statement } from "./statements.ts";

/**
 * `CALL [catalog.]system.<procedure>(args)` (Spark's Iceberg procedures), after `CALL`: arguments
 * by name (`table => 'ns.t'`) or by position, not both mixed after a named one; values are string,
 * number and boolean literals, `TIMESTAMP '…'` and `map('k', 'v', …)`.
 */
export function parseCall(c: Cursor): Statement {
  const name = c.qualifiedName("a procedure name");
  if (name.length > 3 || (name.length > 1 && name[name.length - 2]?.toLowerCase() !== "system"))
    c.fail(`expected [catalog.]system.<procedure>, not ${name.join(".")}`);
  const procedure = (name[name.length - 1] as string).toLowerCase();
  c.expectSymbol("(");
  const args: CallArg[] = [];
  if (!c.acceptSymbol(")")) {
    do {
      const named = c.peek(1)?.value === "=>" && (c.peek()?.kind === "word" || c.peek()?.kind === "quoted");
      const argName = named ? c.ident().toLowerCase() : undefined;
      if (named) c.expectSymbol("=>");
      else if (args.some((a) => a.name !== undefined)) c.fail("expected a named argument (name => value)");
      args.push({ ...(argName === undefined ? {} : { name: argName }), value: value(c) });
    } while (c.acceptSymbol(","));
    c.expectSymbol(")");
  }
  return { kind: "call", procedure, args };
}

function value(c: Cursor): CallValue {
  const t = c.peek();
  if (t?.kind === "string") return { type: "string", value: c.string() };
  if (c.acceptWord("TIMESTAMP") || c.acceptWord("TIMESTAMPTZ"))
    return { type: "timestamp", value: c.string("a timestamp string") };
  if (c.acceptWord("TRUE")) return { type: "boolean", value: true };
  if (c.acceptWord("FALSE")) return { type: "boolean", value: false };
  const negative = c.acceptSymbol("-");
  if (c.peek()?.kind === "number")
    return { type: "number", value: `${negative ? "-" : ""}${c.take().value}` };
  if (negative) c.fail("expected a number");
  if (c.acceptWord("MAP")) {
    c.expectSymbol("(");
    const entries: [string, string][] = [];
    if (!c.acceptSymbol(")")) {
      do {
        const k = c.string("a map key");
        c.expectSymbol(",");
        const v = c.peek()?.kind === "number" ? c.take().value : c.string("a map value");
        entries.push([k, v]);
      } while (c.acceptSymbol(","));
      c.expectSymbol(")");
    }
    return { type: "map", value: entries };
  }
  return c.fail("expected a string, number, boolean, TIMESTAMP '…' or map(…)");
}
