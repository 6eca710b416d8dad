import { type DataFile, DataFileContent } from "../data-file.ts";
import { partitionPath } from "../partition-path.ts";
import type { PartitionSpec } from "../partition-spec.ts";
import type { Schema } from "../schema.ts";
import type { Operation, SnapshotSummary } from "../snapshot.ts";

// Java's SnapshotSummary: each total carried from the parent, with what adds to and removes from it.
const TOTALS = [
  ["total-records", "added-records", "deleted-records"],
  ["total-files-size", "added-files-size", "removed-files-size"],
  ["total-data-files", "added-data-files", "deleted-data-files"],
  ["total-delete-files", "added-delete-files", "removed-delete-files"],
  ["total-position-deletes", "added-position-deletes", "removed-position-deletes"],
  ["total-equality-deletes", "added-equality-deletes", "removed-equality-deletes"],
] as const;

// The counters in the order Java's `UpdateMetrics.addTo` writes them (each only when above 0).
const COUNTERS = [
  "added-data-files",
  "deleted-data-files",
  "added-equality-delete-files",
  "removed-equality-delete-files",
  "added-position-delete-files",
  "removed-position-delete-files",
  "added-delete-files",
  "removed-delete-files",
  "added-records",
  "deleted-records",
  "added-files-size",
  "removed-files-size",
  "added-position-deletes",
  "removed-position-deletes",
  "added-equality-deletes",
  "removed-equality-deletes",
] as const;
type Counter = (typeof COUNTERS)[number];

/**
 * Builds a snapshot summary as Java's `SnapshotSummary.Builder` does: per added and removed data or
 * delete file, the file, record and size counters (written only when above 0, in Java's order),
 * `changed-partition-count` (distinct partition paths touched; an unpartitioned table's one
 * partition "" counts 1), then each `total-*` = the parent's total + added − removed (0 before the
 * first snapshot; a total the parent's summary lacks is left out, as Java does).
 */
export class SummaryBuilder {
  private readonly counts = new Map<Counter, bigint>();
  private readonly partitions = new Set<string>();

  added(file: DataFile, spec: PartitionSpec, schema: Schema): void {
    this.count(file, spec, schema, "added");
  }

  removed(file: DataFile, spec: PartitionSpec, schema: Schema): void {
    this.count(file, spec, schema, "removed");
  }

  build(operation: Operation, parent: SnapshotSummary | undefined): SnapshotSummary {
    const out: Record<string, string> = { operation };
    for (const k of COUNTERS) {
      const v = this.counts.get(k) ?? 0n;
      if (v > 0n) out[k] = String(v);
    }
    out["changed-partition-count"] = String(this.partitions.size);
    for (const [total, plus, minus] of TOTALS) {
      const before = parent === undefined ? "0" : parent[total];
      if (before === undefined || !/^-?\d+$/.test(before)) continue;
      out[total] = String(BigInt(before) + (this.counts.get(plus) ?? 0n) - (this.counts.get(minus) ?? 0n));
    }
    return out as SnapshotSummary;
  }

  private count(file: DataFile, spec: PartitionSpec, schema: Schema, how: "added" | "removed"): void {
    const add = (k: Counter, n: bigint) => this.counts.set(k, (this.counts.get(k) ?? 0n) + n);
    const added = how === "added";
    add(added ? "added-files-size" : "removed-files-size", file.fileSizeInBytes);
    switch (file.content) {
      case DataFileContent.DATA:
        add(added ? "added-data-files" : "deleted-data-files", 1n);
        add(added ? "added-records" : "deleted-records", file.recordCount);
        break;
      case DataFileContent.POSITION_DELETES:
        add(added ? "added-delete-files" : "removed-delete-files", 1n);
        add(added ? "added-position-delete-files" : "removed-position-delete-files", 1n);
        add(added ? "added-position-deletes" : "removed-position-deletes", file.recordCount);
        break;
      case DataFileContent.EQUALITY_DELETES:
        add(added ? "added-delete-files" : "removed-delete-files", 1n);
        add(added ? "added-equality-delete-files" : "removed-equality-delete-files", 1n);
        add(added ? "added-equality-deletes" : "removed-equality-deletes", file.recordCount);
        break;
    }
    this.partitions.add(pathOf(spec, schema, file));
  }
}

/** The partition path Java keys changed partitions by; a spec the schema no longer fits keys by value. */
function pathOf(spec: PartitionSpec, schema: Schema, file: DataFile): string {
  try {
    return partitionPath(spec, schema, file.partition);
  } catch {
    return `${spec.specId}:${file.partition.map((v) => String(v)).join("/")}`;
  }
}
