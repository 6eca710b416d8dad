import { indexFields, type Schema } from "../iceberg/schema.ts";
import type { SortOrder } from "../iceberg/sort-order.ts";

/**
 * Which metrics a data file records for a column (Java's `MetricsModes`, set by the table
 * properties `write.metadata.metrics.default` and `write.metadata.metrics.column.<name>`): `none`
 * records only the column's size, `counts` adds value, null and NaN counts, `truncate(N)` adds
 * lower and upper bounds with strings and binaries cut to N code points or bytes, `full` adds
 * bounds as they are.
 */
export type MetricsMode =
  | { readonly kind: "none" }
  | { readonly kind: "counts" }
  | { readonly kind: "truncate"; readonly length: number }
  | { readonly kind: "full" };

export const DEFAULT_METRICS_MODE: MetricsMode = { kind: "truncate", length: 16 };

const DEFAULT_PROPERTY = "write.metadata.metrics.default";
const COLUMN_PREFIX = "write.metadata.metrics.column.";
const MAX_INFERRED_PROPERTY = "write.metadata.metrics.max-inferred-column-defaults";
const MAX_INFERRED_DEFAULT = 100;
const ORDER_PRESERVING = new Set(["identity", "truncate", "year", "month", "day", "hour"]);

/** Reads `none`, `counts`, `full` or `truncate(N)` (any case); undefined for anything else. */
export function parseMetricsMode(text: string): MetricsMode | undefined {
  const s = text.trim().toLowerCase();
  if (s === "none" || s === "counts" || s === "full") return { kind: s };
  const m = /^truncate\((\d+)\)$/.exec(s);
  const length = m ? Number(m[1]) : 0;
  return length > 0 && Number.isSafeInteger(length) ? { kind: "truncate", length } : undefined;
}

/**
 * The metrics mode of every field of `schema` under a table's properties, as Java's
 * `MetricsConfig.from` decides it: the configured default, else `truncate(16)` — for the fields of
 * the first 100 top-level columns only when the schema has more (`…max-inferred-column-defaults`),
 * the rest getting `none`; then the sort order's columns under an order-preserving transform at
 * least `truncate(16)`; then per-column overrides by full column name (`point.x`, `tags.element`).
 * An unreadable mode falls back to the default, as in Java.
 */
export function metricsModes(
  schema: Schema,
  properties: Readonly<Record<string, string>> = {},
  sortOrder?: SortOrder,
): (fieldId: number) => MetricsMode {
  const index = indexFields(schema);
  const byId = new Map<number, MetricsMode>();
  const configured = properties[DEFAULT_PROPERTY];
  let fallback: MetricsMode = DEFAULT_METRICS_MODE;
  const maxInferred = Number(properties[MAX_INFERRED_PROPERTY] ?? MAX_INFERRED_DEFAULT);
  if (configured !== undefined) {
    fallback = parseMetricsMode(configured) ?? DEFAULT_METRICS_MODE;
  } else if (Number.isSafeInteger(maxInferred) && schema.fields.length > maxInferred) {
    const inferred = new Set(schema.fields.slice(0, maxInferred).map((f) => f.id));
    for (const [id, entry] of index)
      if (inferred.has(entry.parents[0]?.id ?? id)) byId.set(id, DEFAULT_METRICS_MODE);
    fallback = { kind: "none" };
  }
  const sortedMode = fallback.kind === "none" || fallback.kind === "counts" ? DEFAULT_METRICS_MODE : fallback;
  for (const f of sortOrder?.fields ?? [])
    if (ORDER_PRESERVING.has(f.transform.kind) && index.has(f.sourceId)) byId.set(f.sourceId, sortedMode);
  const byName = new Map([...index].map(([id, entry]) => [entry.name, id]));
  for (const [key, value] of Object.entries(properties)) {
    if (!key.startsWith(COLUMN_PREFIX)) continue;
    const id = byName.get(key.slice(COLUMN_PREFIX.length));
    if (id !== undefined) byId.set(id, parseMetricsMode(value) ?? fallback);
  }
  return (id) => byId.get(id) ?? fallback;
}
