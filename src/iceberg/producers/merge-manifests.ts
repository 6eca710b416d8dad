import { badRequest } from "../../core/errors.ts";

/** When small manifests are merged (Java's `commit.manifest.*` table properties). */
export interface MergeSettings {
  /** A commit's manifests are merged once its bin holds this many (default 100). */
  readonly minCountToMerge: number;
  /** Merged manifests are packed up to this size (default 8 MB). */
  readonly targetSizeBytes: number;
}

export const MANIFEST_MERGE_ENABLED = "commit.manifest-merge.enabled";
export const MIN_COUNT_TO_MERGE = "commit.manifest.min-count-to-merge";
export const MANIFEST_TARGET_SIZE = "commit.manifest.target-size-bytes";

/**
 * The merge settings of a table from its properties, or undefined when
 * `commit.manifest-merge.enabled` is false (default true, as in Java).
 */
export function mergeSettings(properties: Readonly<Record<string, string>>): MergeSettings | undefined {
  const enabled = properties[MANIFEST_MERGE_ENABLED] ?? "true";
  if (!/^(true|false)$/i.test(enabled))
    throw badRequest(`Table property ${MANIFEST_MERGE_ENABLED} must be true or false, got "${enabled}"`);
  if (enabled.toLowerCase() === "false") return undefined;
  return {
    minCountToMerge: positive(properties, MIN_COUNT_TO_MERGE, 100),
    targetSizeBytes: positive(properties, MANIFEST_TARGET_SIZE, 8 * 1024 * 1024),
  };
}

function positive(properties: Readonly<Record<string, string>>, key: string, fallback: number): number {
  const v = properties[key];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw badRequest(`Table property ${key} must be a positive integer, got "${v}"`);
  return n;
}

/**
 * Packs items into bins of at most `target` weight, starting from the end of the list (Java's
 * `BinPacking.ListPacker.packEnd` with a lookback of 1): each bin takes items until the next one
 * would pass the target, so the first bin is the one left short; an item heavier than the target
 * gets a bin of its own. Bins and their items keep the list's order.
 */
export function packEnd<T>(items: readonly T[], weight: (item: T) => number, target: number): T[][] {
  const bins: T[][] = [];
  let bin: T[] = [];
  let size = 0;
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i] as T;
    const w = weight(item);
    if (bin.length > 0 && size + w > target) {
      bins.push(bin.reverse());
      bin = [];
      size = 0;
    }
    bin.push(item);
    size += w;
  }
  if (bin.length > 0) bins.push(bin.reverse());
  return bins.reverse();
}
