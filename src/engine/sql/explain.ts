import type { ScanMetrics } from "../../iceberg/scan/plan-scan.ts";

/** How floe planned the scan of one table a statement read. */
export interface ScanReport {
  /** The table as the statement named it (`ns.t`, `ns.t@dev`, `… FOR VERSION AS OF …`). */
  readonly table: string;
  readonly snapshotId: bigint | undefined;
  /** The filter files were pruned by (`scan-filters.ts`), or undefined for none. */
  readonly filter: string | undefined;
  readonly metrics: ScanMetrics;
}

/** The key of the row `EXPLAIN` adds before DuckDB's plan. */
export const FLOE_SCAN_KEY = "floe_scan";

/**
 * floe's part of an `EXPLAIN`: per table, the snapshot, the filter its files were pruned by, and
 * how many manifests and files were read or skipped (Iceberg's scan metrics).
 */
export function explainScans(scans: readonly ScanReport[]): string {
  if (scans.length === 0) return "no Iceberg tables";
  return scans
    .map((s) => {
      const m = s.metrics;
      const of = (read: number, skipped: number, what: string) =>
        `${what}: ${read} of ${read + skipped}${skipped > 0 ? ` (${skipped} skipped)` : ""}`;
      return [
        `${s.table}: snapshot ${s.snapshotId === undefined ? "none (empty table)" : String(s.snapshotId)}`,
        `  filter: ${s.filter ?? "none (all files)"}`,
        `  ${of(m.totalDataManifests - m.skippedDataManifests, m.skippedDataManifests, "data manifests")}`,
        `  ${of(m.resultDataFiles, m.skippedDataFiles, "data files")}`,
        ...(m.totalDeleteManifests > 0
          ? [
              `  ${of(m.totalDeleteManifests - m.skippedDeleteManifests, m.skippedDeleteManifests, "delete manifests")}`,
              `  ${of(m.resultDeleteFiles, m.skippedDeleteFiles, "delete files")}`,
            ]
          : []),
      ].join("\n");
    })
    .join("\n");
}
