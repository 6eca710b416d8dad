import { DataFileContent, type DataFile, type PartitionValues } from "../data-file.ts";
import { compareLiterals, decodeBound, isFloating } from "../expressions/literals.ts";
import type { PrimitiveType } from "../types.ts";

/** A live delete file with what its applicability depends on. */
export interface DeleteEntry {
  readonly file: DataFile;
  readonly specId: number;
  /** Its data sequence number. */
  readonly sequenceNumber: bigint;
  /** Whether its partition spec is unpartitioned (its equality deletes are then global). */
  readonly unpartitioned: boolean;
}

/** Reserved field id of `file_path` in position delete files (spec "Reserved Field IDs"). */
const DELETE_FILE_PATH = 2147483546;
const STRING = { type: "string" } as const;

/**
 * The delete files of a snapshot, indexed to find those that apply to a data file (spec "Scan
 * Planning"):
 * - a position delete file when it is in the data file's partition (same spec and values), its data
 *   sequence number is at least the data file's, and its `referenced_data_file`, when set, is the
 *   data file (its `file_path` bounds, when present, must also cover it);
 * - a deletion vector likewise; when one applies, position delete files do not (it holds them);
 * - an equality delete file when its data sequence number is strictly greater and it is in the
 *   data file's partition, or its spec is unpartitioned (a global delete) — unless the column
 *   metrics of the two files show that no row of one can equal a row of the other on the equality
 *   columns (disjoint ranges, or nulls on one side only). `typeOf` gives the type of a column by
 *   field id, needed to read bounds; without it (or for a column it does not know) none are used.
 */
export class DeleteIndex {
  private readonly byPartition = new Map<string, { position: DeleteEntry[]; equality: DeleteEntry[] }>();
  private readonly global: DeleteEntry[] = [];
  private sorted = true;

  constructor(private readonly typeOf: (fieldId: number) => PrimitiveType | undefined = () => undefined) {}

  add(entry: DeleteEntry, partition: PartitionValues): void {
    this.sorted = false;
    if (entry.file.content === DataFileContent.EQUALITY_DELETES && entry.unpartitioned) {
      this.global.push(entry);
      return;
    }
    const key = partitionKey(entry.specId, partition);
    let bucket = this.byPartition.get(key);
    if (!bucket) this.byPartition.set(key, (bucket = { position: [], equality: [] }));
    (entry.file.content === DataFileContent.EQUALITY_DELETES ? bucket.equality : bucket.position).push(entry);
  }

  get size(): number {
    let n = this.global.length;
    for (const b of this.byPartition.values()) n += b.position.length + b.equality.length;
    return n;
  }

  /** The delete files to apply to a data file, position deletes first, each group by sequence number. */
  forDataFile(
    file: DataFile,
    specId: number,
    partition: PartitionValues,
    sequenceNumber: bigint,
  ): DataFile[] {
    this.sort();
    const bucket = this.byPartition.get(partitionKey(specId, partition));
    const positional = (bucket?.position ?? []).filter(
      (d) => d.sequenceNumber >= sequenceNumber && mayReference(d.file, file.filePath),
    );
    const vectors = positional.filter((d) => isDeletionVector(d.file));
    const equality = [...(bucket?.equality ?? []), ...this.global].filter(
      (d) => d.sequenceNumber > sequenceNumber && this.mayEqual(file, d.file),
    );
    equality.sort((a, b) =>
      a.sequenceNumber < b.sequenceNumber ? -1 : a.sequenceNumber > b.sequenceNumber ? 1 : 0,
    );
    return [...(vectors.length > 0 ? vectors : positional), ...equality].map((d) => d.file);
  }

  /** Whether some row of `data` may have the equality columns' values of some row of `deletes`. */
  private mayEqual(data: DataFile, deletes: DataFile): boolean {
    for (const id of deletes.equalityIds ?? []) {
      const type = this.typeOf(id);
      if (type === undefined) continue;
      const dataNulls = nullsOf(data, id);
      const deleteNulls = nullsOf(deletes, id);
      // Equality deletes match null to null.
      if (dataNulls !== "none" && deleteNulls !== "none") continue;
      if ((dataNulls === "all" && deleteNulls === "none") || (deleteNulls === "all" && dataNulls === "none"))
        return false;
      // Bounds leave NaN out, and NaN deletes NaN.
      if (isFloating(type)) continue;
      const ranges = [data, deletes].map((f) => [
        decodeBound(type, f.lowerBounds?.get(id)),
        decodeBound(type, f.upperBounds?.get(id)),
      ]);
      const [[dataLower, dataUpper], [deleteLower, deleteUpper]] = ranges as [
        (typeof ranges)[0],
        (typeof ranges)[0],
      ];
      if (dataLower !== undefined && deleteUpper !== undefined && compareLiterals(dataLower, deleteUpper) > 0)
        return false;
      if (deleteLower !== undefined && dataUpper !== undefined && compareLiterals(deleteLower, dataUpper) > 0)
        return false;
    }
    return true;
  }

  private sort(): void {
    if (this.sorted) return;
    const bySeq = (a: DeleteEntry, b: DeleteEntry) =>
      a.sequenceNumber < b.sequenceNumber ? -1 : a.sequenceNumber > b.sequenceNumber ? 1 : 0;
    for (const b of this.byPartition.values()) {
      b.position.sort(bySeq);
      b.equality.sort(bySeq);
    }
    this.global.sort(bySeq);
    this.sorted = true;
  }
}

/** Whether a file's column holds nulls: none, only nulls, or some/unknown. */
function nullsOf(f: DataFile, id: number): "none" | "all" | "some" {
  const nulls = f.nullValueCounts?.get(id);
  if (nulls === undefined) return "some";
  if (nulls === 0n) return "none";
  return nulls === f.valueCounts?.get(id) ? "all" : "some";
}

const isDeletionVector = (f: DataFile): boolean => f.fileFormat.toLowerCase() === "puffin";

function mayReference(deletes: DataFile, dataPath: string): boolean {
  if (deletes.referencedDataFile !== undefined) return deletes.referencedDataFile === dataPath;
  const lower = decodeBound(STRING, deletes.lowerBounds?.get(DELETE_FILE_PATH));
  const upper = decodeBound(STRING, deletes.upperBounds?.get(DELETE_FILE_PATH));
  if (lower !== undefined && compareLiterals(lower, dataPath) > 0) return false;
  if (upper !== undefined && compareLiterals(upper, dataPath) < 0) return false;
  return true;
}

/**
 * Partition equality as the spec defines it: same spec, and values equal with floating-point values
 * compared by their bits (NaNs equal, -0 and +0 not).
 */
export function partitionKey(specId: number, values: PartitionValues): string {
  const parts = values.map((v) => {
    if (v === null) return "n";
    // An int read before a promotion to long equals the long: integers share one form.
    if (typeof v === "number") return Object.is(v, -0) ? "d-0" : Number.isInteger(v) ? `l${v}` : `d${v}`;
    if (typeof v === "bigint") return `l${v}`;
    if (typeof v === "boolean") return v ? "t" : "f";
    if (typeof v === "string") return `s${JSON.stringify(v)}`;
    return `b${Buffer.from(v).toString("hex")}`;
  });
  return `${specId}:${parts.join(",")}`;
}
