/** Decimal values are held as their unscaled `bigint`; these convert to and from plain strings. */

/** `1420n, 2` → `"14.20"`; a non-positive scale gives the integer digits. */
export function decimalToString(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale <= 0) return (negative ? "-" : "") + digits + "0".repeat(-scale);
  const padded = digits.padStart(scale + 1, "0");
  const text = `${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Reads a decimal string (`"14.20"`, `"-3"`, `"2E+20"`) as an unscaled value at `scale`; undefined
 * when it is not a number or has more fractional digits than the scale holds.
 */
export function decimalFromString(text: string, scale: number): bigint | undefined {
  const m = DECIMAL_TEXT.exec(text.trim());
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return undefined;
  let intPart = m[2] ?? "";
  let frac = m[3] ?? "";
  const exp = Number(m[4] ?? 0);
  if (exp > 0) {
    const moved = frac.padEnd(exp, "0");
    intPart += moved.slice(0, exp);
    frac = moved.slice(exp);
  } else if (exp < 0) {
    const moved = intPart.padStart(-exp, "0");
    frac = moved.slice(moved.length + exp) + frac;
    intPart = moved.slice(0, moved.length + exp);
  }
  frac = frac.replace(/0+$/, "");
  if (frac.length > scale) return undefined;
  const unscaled = BigInt((intPart || "0") + frac.padEnd(scale, "0"));
  return m[1] === "-" ? -unscaled : unscaled;
}
