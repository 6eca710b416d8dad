import { decimalFromString } from "../iceberg/decimal.ts";
import type { Schema } from "../iceberg/schema.ts";
import { toSingleValue } from "../iceberg/single-value.ts";
import { parseIsoDate, parseIsoTime, parseIsoTimestamp } from "../iceberg/temporal.ts";
import { type IcebergType, isPrimitive, type PrimitiveType, type PrimitiveValue } from "../iceberg/types.ts";
import { quoteIdent } from "./duck-types.ts";
import { DEFAULT_METRICS_MODE, type MetricsMode } from "./metrics-mode.ts";

/**
 * Iceberg column metrics of one Parquet file from what DuckDB's `COPY … (RETURN_STATS)` reports per
 * leaf column (`column_size_bytes`, `num_values`, `null_count`, `min`, `max`, `has_nan`, all as
 * text), as Java's `ParquetUtil` does under each column's metrics mode (`metrics-mode.ts`, by
 * default `truncate(16)`): sizes for every leaf column; value counts (nulls included), null counts
 * and NaN counts unless the mode is `none`; bounds under `truncate(N)` and `full`, only for columns
 * outside lists and maps, string and binary bounds truncated to N characters or bytes, the upper
 * one incremented so it still bounds the values.
 */

/** A primitive column of the schema as DuckDB names it in its statistics (`"s"."a"`, `"l"."element"`). */
export interface LeafColumn {
  readonly id: number;
  readonly type: PrimitiveType;
  readonly statsKey: string;
  /** The column's path of quoted names (`"s"."a"`), when it lies outside lists and maps. */
  readonly sqlPath?: string;
  /**
   * A SQL expression over one file row (alias `f`) that sums `each(value)` over every value of the
   * column in the row: one value outside lists and maps, any number inside them.
   */
  readonly sumOver: (each: (value: string) => string) => string;
  /** Whether no row may hold a null here: the field and every struct around it are required. */
  readonly required: boolean;
}

type Wrap = (inner: (value: string) => string) => string;

export function leafColumns(schema: Schema): LeafColumn[] {
  const out: LeafColumn[] = [];
  const visit = (
    id: number,
    t: IcebergType,
    path: string[],
    sql: string | undefined,
    required: boolean,
    wrap: Wrap,
  ): void => {
    const statsKey = path.map(quoteIdent).join(".");
    const depth = path.length;
    if (isPrimitive(t)) {
      const leaf = { id, type: t, statsKey, sumOver: wrap, required };
      out.push(sql === undefined ? leaf : { ...leaf, sqlPath: sql });
    } else if (t.type === "struct") {
      for (const f of t.fields) {
        const fieldSql = sql === undefined ? undefined : `${sql}.${quoteIdent(f.name)}`;
        const fieldWrap: Wrap = (inner) => wrap((v) => inner(`${v}.${quoteIdent(f.name)}`));
        visit(f.id, f.type, [...path, f.name], fieldSql, required && f.required, fieldWrap);
      }
    } else if (t.type === "list") {
      const x = `__x${depth}`;
      const elementWrap: Wrap = (inner) =>
        wrap((v) => `coalesce(list_sum(list_transform(${v}, ${x} -> ${inner(x)})), 0)`);
      visit(t.elementId, t.element, [...path, "element"], undefined, false, elementWrap);
    } else {
      const e = `__e${depth}`;
      const entryWrap =
        (part: "key" | "value"): Wrap =>
        (inner) =>
          wrap(
            (v) =>
              `coalesce(list_sum(list_transform(map_entries(${v}), ${e} -> ${inner(`${e}.${part}`)})), 0)`,
          );
      visit(t.keyId, t.key, [...path, "key"], undefined, false, entryWrap("key"));
      visit(t.valueId, t.value, [...path, "value"], undefined, false, entryWrap("value"));
    }
  };
  for (const f of schema.fields)
    visit(f.id, f.type, [f.name], quoteIdent(f.name), f.required, (inner) =>
      inner(`f.${quoteIdent(f.name)}`),
    );
  return out;
}

/** One column's statistics as `RETURN_STATS` gives them: text values by name. */
export type ColumnStats = ReadonlyMap<string, string>;

export interface ColumnMetrics {
  readonly columnSizes: Map<number, bigint>;
  readonly valueCounts: Map<number, bigint>;
  readonly nullValueCounts: Map<number, bigint>;
  readonly nanValueCounts: Map<number, bigint>;
  readonly lowerBounds: Map<number, Uint8Array>;
  readonly upperBounds: Map<number, Uint8Array>;
}

/**
 * The metrics of a file. `nanCounts` gives the NaN counts of float and double columns whose
 * statistics say `has_nan` (`countNansSql`); a column with NaNs that it lacks gets no NaN count.
 */
export function columnMetrics(
  leaves: readonly LeafColumn[],
  stats: ReadonlyMap<string, ColumnStats>,
  nanCounts: ReadonlyMap<number, bigint> = new Map(),
  modeOf: (fieldId: number) => MetricsMode = () => DEFAULT_METRICS_MODE,
): ColumnMetrics {
  const m: ColumnMetrics = {
    columnSizes: new Map(),
    valueCounts: new Map(),
    nullValueCounts: new Map(),
    nanValueCounts: new Map(),
    lowerBounds: new Map(),
    upperBounds: new Map(),
  };
  for (const leaf of leaves) {
    const s = stats.get(leaf.statsKey);
    if (!s) continue;
    const count = (name: string): bigint | undefined => {
      const v = s.get(name);
      return v !== undefined && /^\d+$/.test(v) ? BigInt(v) : undefined;
    };
    setIf(m.columnSizes, leaf.id, count("column_size_bytes"));
    const mode = modeOf(leaf.id);
    if (mode.kind === "none") continue;
    setIf(m.valueCounts, leaf.id, count("num_values"));
    setIf(m.nullValueCounts, leaf.id, count("null_count"));
    if (leaf.type.type === "float" || leaf.type.type === "double") {
      const hasNan = s.get("has_nan");
      if (hasNan === "false") m.nanValueCounts.set(leaf.id, 0n);
      else if (hasNan === "true") setIf(m.nanValueCounts, leaf.id, nanCounts.get(leaf.id));
    }
    if (leaf.sqlPath === undefined || mode.kind === "counts") continue;
    const length = mode.kind === "truncate" ? mode.length : undefined;
    const min = s.get("min");
    const max = s.get("max");
    const lower = min === undefined ? undefined : parseStat(leaf.type, min);
    const upper = max === undefined ? undefined : parseStat(leaf.type, max);
    if (lower === undefined || upper === undefined) continue;
    const lo = truncateLower(leaf.type, lower, length);
    const hi = truncateUpper(leaf.type, upper, length);
    if (lo !== undefined) m.lowerBounds.set(leaf.id, toSingleValue(leaf.type, lo));
    if (hi !== undefined) m.upperBounds.set(leaf.id, toSingleValue(leaf.type, hi));
  }
  return m;
}

function setIf<V>(map: Map<number, V>, id: number, v: V | undefined): void {
  if (v !== undefined) map.set(id, v);
}

const INTEGER = /^-?\d+$/;

/**
 * A min or max of DuckDB's statistics as a value of the column's Iceberg type, or undefined when
 * the text is not one floe can read exactly (then the bound is left out, which is always allowed).
 */
export function parseStat(type: PrimitiveType, text: string): PrimitiveValue | undefined {
  switch (type.type) {
    case "boolean":
      return text === "1" || text === "true" ? true : text === "0" || text === "false" ? false : undefined;
    case "int":
      return INTEGER.test(text) ? Number(text) : undefined;
    case "long":
      return INTEGER.test(text) ? BigInt(text) : undefined;
    case "float":
    case "double": {
      const n = parseFloatText(text);
      if (n === undefined || Number.isNaN(n)) return undefined;
      return type.type === "float" ? Math.fround(n) : n;
    }
    case "decimal":
      return decimalFromString(text, type.scale);
    case "date":
      return parseIsoDate(text);
    case "time":
      return parseIsoTime(text, false);
    case "timestamp":
    case "timestamp_ns":
      return parseIsoTimestamp(text.replace(" ", "T"), type.type === "timestamp_ns", "none");
    case "timestamptz": {
      // DuckDB prints instants in UTC with a `+00` offset.
      const m = /^(.*?)(?:[+-]00(?::?00)?|Z)$/.exec(text);
      return m ? parseIsoTimestamp((m[1] as string).replace(" ", "T"), false, "none") : undefined;
    }
    case "string":
      return text;
    case "uuid":
      return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)
        ? text.toLowerCase()
        : undefined;
    case "fixed":
    case "binary": {
      // Blobs come as upper-case hex.
      if (!/^(?:[0-9A-Fa-f]{2})*$/.test(text)) return undefined;
      const bytes = Uint8Array.from(Buffer.from(text, "hex"));
      return type.type === "fixed" && bytes.length !== type.length ? undefined : bytes;
    }
    default:
      return undefined;
  }
}

function parseFloatText(text: string): number | undefined {
  const t = text.toLowerCase();
  if (t === "inf" || t === "infinity" || t === "+inf") return Infinity;
  if (t === "-inf" || t === "-infinity") return -Infinity;
  const n = Number(text);
  return text.trim() === "" || (Number.isNaN(n) && t !== "nan") ? undefined : n;
}

function truncateLower(type: PrimitiveType, v: PrimitiveValue, length: number | undefined) {
  if (length === undefined) return v;
  if (type.type === "string" && typeof v === "string") return truncateString(v, length);
  if (type.type === "binary" && v instanceof Uint8Array) return v.slice(0, length);
  return v;
}

function truncateUpper(type: PrimitiveType, v: PrimitiveValue, length: number | undefined) {
  if (length === undefined) return v;
  if (type.type === "string" && typeof v === "string") return truncateStringMax(v, length);
  if (type.type === "binary" && v instanceof Uint8Array) return truncateBinaryMax(v, length);
  return v;
}

/** The first `length` code points (a surrogate pair is never split). */
export const truncateString = (s: string, length: number): string => Array.from(s).slice(0, length).join("");

/**
 * The smallest string of at most `length` code points that is ≥ every string starting with `s`'s
 * first `length` code points (Java's `UnicodeUtil.truncateStringMax`): the last code point that can
 * be incremented is, the rest dropped; undefined when none can. Surrogate code points are skipped,
 * as they cannot be encoded in UTF-8.
 */
export function truncateStringMax(s: string, length: number): string | undefined {
  const points = Array.from(s, (c) => c.codePointAt(0) as number);
  if (points.length <= length) return s;
  for (let i = length - 1; i >= 0; i--) {
    let next = (points[i] as number) + 1;
    if (next >= 0xd800 && next <= 0xdfff) next = 0xe000;
    if (next <= 0x10ffff) return String.fromCodePoint(...points.slice(0, i), next);
  }
  return undefined;
}

/** As `truncateStringMax` for bytes (Java's `BinaryUtil.truncateBinaryMax`). */
export function truncateBinaryMax(b: Uint8Array, length: number): Uint8Array | undefined {
  if (b.length <= length) return b;
  for (let i = length - 1; i >= 0; i--) {
    if ((b[i] as number) < 0xff) {
      const out = b.slice(0, i + 1);
      out[i] = (b[i] as number) + 1;
      return out;
    }
  }
  return undefined;
}
