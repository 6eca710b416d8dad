/**
 * Calendar arithmetic for dates (days from 1970-01-01) and timestamps (micro- or nanoseconds from
 * the epoch) in UTC, on the proleptic Gregorian calendar as Java's java.time uses it.
 */

export const MICROS_PER_DAY = 86_400_000_000n;
export const MICROS_PER_HOUR = 3_600_000_000n;

/** Floor division for bigints (BigInt `/` truncates toward zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

export interface CivilDate {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
}

export function civilFromDays(days: number): CivilDate {
  const d = new Date(days * 86_400_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function daysFromCivil(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(0, 0, 0, 0);
  return Math.round(d.getTime() / 86_400_000);
}

/** Micro- or nanoseconds of a timestamp as microseconds (floor). */
export const toMicros = (v: bigint, nanos: boolean): bigint => (nanos ? floorDiv(v, 1000n) : v);

const pad = (n: number | bigint, width: number): string => {
  const s = (n < 0 ? -n : n).toString().padStart(width, "0");
  return n < 0 ? `-${s}` : s;
};

/** ISO year as Java prints it: 4 digits, a sign beyond 9999. */
export function isoYear(year: number): string {
  if (year > 9999) return `+${year}`;
  return pad(year, 4);
}

export function isoDate(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${isoYear(year)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** A time of day from its sub-day units; `unitsPerSecond` is 1e6 for micros, 1e9 for nanos. */
function timeOfDay(units: bigint, unitsPerSecond: bigint, javaStyle: boolean): string {
  const seconds = units / unitsPerSecond;
  const frac = units % unitsPerSecond;
  const h = Number(seconds / 3600n);
  const m = Number((seconds / 60n) % 60n);
  const s = Number(seconds % 60n);
  const digits = unitsPerSecond === 1_000_000n ? 6 : 9;
  let fraction = frac.toString().padStart(digits, "0");
  if (javaStyle) {
    // java.time's toString: "HH:mm" when seconds and fraction are zero, fraction in groups of 3.
    if (frac === 0n) return s === 0 ? `${pad(h, 2)}:${pad(m, 2)}` : `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}`;
    while (fraction.endsWith("000")) fraction = fraction.slice(0, -3);
  }
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${fraction}`;
}

/** `HH:mm:ss.ffffff` (the spec's JSON form) or java.time's shorter `toString`. */
export function isoTime(micros: bigint, javaStyle = false): string {
  return timeOfDay(micros, 1_000_000n, javaStyle);
}

/** A timestamp without zone; `nanos` picks the unit. */
export function isoTimestamp(v: bigint, nanos: boolean, javaStyle = false): string {
  const perDay = nanos ? MICROS_PER_DAY * 1000n : MICROS_PER_DAY;
  const days = floorDiv(v, perDay);
  const rest = v - days * perDay;
  return `${isoDate(Number(days))}T${timeOfDay(rest, nanos ? 1_000_000_000n : 1_000_000n, javaStyle)}`;
}

const DATE_RE = /^([+-]?\d{4,})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;

export function parseIsoDate(s: string): number | undefined {
  const m = DATE_RE.exec(s);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const days = daysFromCivil(year, month, day);
  return civilFromDays(days).day === day ? days : undefined;
}

/** Parses `HH:mm[:ss[.f…]]` into sub-day units (micros or nanos). */
export function parseIsoTime(s: string, nanos: boolean): bigint | undefined {
  const m = TIME_RE.exec(s);
  if (!m) return undefined;
  const [h, min, sec] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (h > 23 || min > 59 || sec > 59) return undefined;
  const digits = nanos ? 9 : 6;
  const fracText = m[4] ?? "";
  if (fracText.length > digits) return undefined;
  const frac = BigInt(fracText.padEnd(digits, "0") || "0");
  return BigInt(h * 3600 + min * 60 + sec) * (nanos ? 1_000_000_000n : 1_000_000n) + frac;
}

/** Parses `date'T'time` with an optional `Z`/`+00:00` zone (only UTC is accepted when present). */
export function parseIsoTimestamp(
  s: string,
  nanos: boolean,
  zone: "none" | "utc" | "any",
): bigint | undefined {
  const t = s.indexOf("T");
  if (t < 0) return undefined;
  let timePart = s.slice(t + 1);
  const zoneMatch = /(Z|[+-]\d{2}:\d{2})$/.exec(timePart);
  if (zoneMatch) {
    if (zone === "none") return undefined;
    if (zoneMatch[1] !== "Z" && zoneMatch[1] !== "+00:00" && zoneMatch[1] !== "-00:00") return undefined;
    timePart = timePart.slice(0, -(zoneMatch[1] as string).length);
  } else if (zone === "utc") {
    return undefined;
  }
  const days = parseIsoDate(s.slice(0, t));
  const tod = parseIsoTime(timePart, nanos);
  if (days === undefined || tod === undefined) return undefined;
  return BigInt(days) * (nanos ? MICROS_PER_DAY * 1000n : MICROS_PER_DAY) + tod;
}
