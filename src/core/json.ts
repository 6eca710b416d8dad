import { randomBytes } from "node:crypto";

/**
 * JSON that keeps 64-bit integers exact. Iceberg snapshot ids are random 63-bit numbers that
 * Nessie clients put into content (`snapshotId`); `JSON.parse` would round them to a double and the
 * stored content would no longer match what the client sent. Integers outside the safe range are
 * parsed as `bigint` and written back as bare JSON numbers. (Node 20 has no `JSON.rawJSON` nor
 * reviver source text, hence the marker strings below.)
 */

// An integer literal outside a string: long enough that it may not fit a double exactly.
const LONG_INTEGER = /-?\d{16,}(?![.\deE])/;

/** `JSON.parse` that reads integers outside the safe range as `bigint`; throws SyntaxError. */
export function parseJson(text: string): unknown {
  if (!LONG_INTEGER.test(text)) return JSON.parse(text);
  const marker = `\u0000${randomBytes(6).toString("hex")}:`;
  const marked = markLongIntegers(text, `"${JSON.stringify(marker).slice(1, -1)}`);
  return JSON.parse(marked, (_key, value: unknown) =>
    typeof value === "string" && value.startsWith(marker) ? toNumber(value.slice(marker.length)) : value,
  );
}

function toNumber(digits: string): number | bigint {
  const big = BigInt(digits);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/** Wraps every integer literal of 16+ digits that is not inside a string in `"<marker>…"`. */
function markLongIntegers(text: string, open: string): string {
  let out = "";
  let i = 0;
  let last = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i++;
    } else if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      const literal = m?.[0] ?? c;
      if (m && m[1] === undefined && m[2] === undefined && literal.replace("-", "").length >= 16) {
        out += text.slice(last, i) + open + literal + '"';
        last = i + literal.length;
      }
      i += literal.length;
    } else {
      i++;
    }
  }
  return out + text.slice(last);
}

/** `JSON.stringify` that writes `bigint`s as plain JSON numbers. */
export function stringifyJson(value: unknown): string {
  // Fast path: no bigint anywhere (native JSON.stringify throws a TypeError on one).
  try {
    return JSON.stringify(value);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
  }
  let marker: string | undefined;
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== "bigint") return v;
    marker ??= `\u0000${randomBytes(6).toString("hex")}:`;
    return marker + v.toString();
  });
  if (marker === undefined) return text;
  const quoted = JSON.stringify(marker).slice(0, -1);
  return text.split(quoted).reduce((acc, part) => acc + part.replace(/^(-?\d+)"/, "$1"));
}
