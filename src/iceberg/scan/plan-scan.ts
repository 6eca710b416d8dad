import { badRequest } from "../../core/errors.ts";
import type { ObjectStore } from "../../storage/object-store.ts";
import {
  DataFileContent,
  EntryStatus,
  type DataFile,
  type ManifestEntry,
  type PartitionType,
  type PartitionValues,
} from "../data-file.ts";
import { bind } from "../expressions/bind.ts";
import { matches } from "../expressions/evaluate.ts";
import { alwaysTrue, type BoundExpression, type Expression } from "../expressions/expression.ts";
import { manifestMightMatch } from "../expressions/manifest-evaluator.ts";
import { fileMightMatch } from "../expressions/metrics-evaluator.ts";
import { projectInclusive } from "../expressions/projection.ts";
import { residualFor } from "../expressions/residual.ts";
import { type Manifest, readManifest } from "../manifest.ts";
import { type ManifestFile, ManifestContent, readManifestList } from "../manifest-list.ts";
import { isUnpartitioned, type PartitionSpec } from "../partition-spec.ts";
import { indexFields, type Schema } from "../schema.ts";
import type { Snapshot } from "../snapshot.ts";
import type { TableMetadata } from "../table-metadata.ts";
import { checkFileVersion, tableFileCheck, type TableFileCheck } from "../table-files.ts";
import { isPrimitive } from "../types.ts";
import { mapBounded } from "./bounded.ts";
import { DeleteIndex } from "./delete-index.ts";
import { selectColumns } from "./select-columns.ts";
import { selectSnapshot, type SnapshotSelector } from "./select-snapshot.ts";

export interface ScanOptions extends SnapshotSelector {
  readonly metadata: TableMetadata;
  /** Holds the manifest lists and manifests the metadata names. */
  readonly store: ObjectStore;
  /** Rows the reader wants; files that cannot hold one are left out. Default: all rows. */
  readonly filter?: Expression;
  /** Column names (dotted for nested fields) the reader wants; default: all. */
  readonly select?: readonly string[];
  readonly caseSensitive?: boolean;
  /** How many manifests are read at once (default 8). */
  readonly concurrency?: number;
}

/** One data file to read and the delete files to apply to it. */
export interface FileScanTask {
  readonly file: DataFile;
  readonly spec: PartitionSpec;
  readonly dataSequenceNumber: bigint;
  /** Position deletes (or deletion vectors) first, then equality deletes, each by sequence number. */
  readonly deletes: readonly DataFile[];
  /**
   * The filter left for this file's rows (`residualFor`): predicates decided by its identity
   * partition values are gone. A reader still applies it; `true` means every row matches.
   */
  readonly residual: BoundExpression;
}

/**
 * What a scan read and skipped (Iceberg's `ScanMetrics` counters), filled in as its tasks are
 * iterated. Skipped manifests were ruled out by their partition summaries (or list no live file);
 * skipped files by their partition values or column metrics, or are those a skipped manifest lists.
 */
export interface ScanMetrics {
  totalDataManifests: number;
  skippedDataManifests: number;
  totalDeleteManifests: number;
  skippedDeleteManifests: number;
  resultDataFiles: number;
  skippedDataFiles: number;
  resultDeleteFiles: number;
  skippedDeleteFiles: number;
}

/** A planned scan: the choices made up front, and its tasks as an async iterable. */
export interface ScanPlan extends AsyncIterable<FileScanTask> {
  readonly snapshot: Snapshot | undefined;
  /** The schema the filter was bound to and rows are read with. */
  readonly schema: Schema;
  /** `schema` with only the selected columns. */
  readonly projection: Schema;
  readonly filter: BoundExpression;
  /** The counters of the last iteration of the tasks. */
  readonly metrics: ScanMetrics;
}

const emptyMetrics = (): ScanMetrics => ({
  totalDataManifests: 0,
  skippedDataManifests: 0,
  totalDeleteManifests: 0,
  skippedDeleteManifests: 0,
  resultDataFiles: 0,
  skippedDataFiles: 0,
  resultDeleteFiles: 0,
  skippedDeleteFiles: 0,
});

/**
 * Plans a scan of a table (spec "Scan Planning"): picks the snapshot (current, by id, by ref or as
 * of a time), binds the filter to its schema, then, as the tasks are iterated, reads the manifest
 * list, skips manifests whose partition summaries rule the filter out (or that list no live file),
 * reads the delete manifests and then the data manifests, `concurrency` at a time, and yields every
 * live data file that might hold a matching row (by partition and column metrics) with the delete
 * files that apply to it. Deleted entries are skipped. Snapshot and binding errors are thrown here;
 * read errors from the iteration.
 */
export function planScan(opts: ScanOptions): ScanPlan {
  const { snapshot, schema } = selectSnapshot(opts.metadata, opts);
  const bindOpts = opts.caseSensitive === undefined ? {} : { caseSensitive: opts.caseSensitive };
  const filter = opts.filter ? bind(opts.filter, schema, bindOpts) : alwaysTrue();
  const projection = opts.select ? selectColumns(schema, opts.select, opts.caseSensitive ?? true) : schema;
  const metrics = emptyMetrics();
  return {
    snapshot,
    schema,
    projection,
    filter,
    metrics,
    [Symbol.asyncIterator]: () => {
      Object.assign(metrics, emptyMetrics());
      return tasks(opts, snapshot, schema, filter, metrics)[Symbol.asyncIterator]();
    },
  };
}

interface SpecFilter {
  readonly spec: PartitionSpec;
  readonly projected: BoundExpression;
  /** Position of each partition field id in the spec. */
  readonly position: ReadonlyMap<number, number>;
}

async function* tasks(
  opts: ScanOptions,
  snapshot: Snapshot | undefined,
  schema: Schema,
  filter: BoundExpression,
  metrics: ScanMetrics,
): AsyncGenerator<FileScanTask> {
  if (!snapshot || filter.kind === "false") return;
  const { metadata, store } = opts;
  const concurrency = opts.concurrency ?? 8;
  const specs = new Map<number, SpecFilter>();
  const specFilter = (specId: number, where: string): SpecFilter => {
    let f = specs.get(specId);
    if (!f) {
      const spec = metadata.partitionSpecs.find((s) => s.specId === specId);
      if (!spec) throw badRequest(`${where} uses partition spec ${specId}, which the table does not have`);
      const position = new Map(spec.fields.map((pf, i) => [pf.fieldId, i]));
      f = { spec, projected: projectInclusive(filter, spec), position };
      specs.set(specId, f);
    }
    return f;
  };

  const check = tableFileCheck(metadata);
  const manifests = await manifestsOf(snapshot, store, metadata, check);
  const manifestWanted = (m: ManifestFile): boolean => {
    const { spec, projected } = specFilter(m.partitionSpecId, `Manifest ${m.manifestPath}`);
    return manifestMightMatch(projected, spec, m.partitions);
  };
  const wanted = manifests.filter((m) => {
    const data = m.content === ManifestContent.DATA;
    if (data) metrics.totalDataManifests++;
    else metrics.totalDeleteManifests++;
    const read = !(m.addedFilesCount === 0 && m.existingFilesCount === 0) && manifestWanted(m);
    if (!read) {
      // the live files of a skipped manifest count as skipped files too
      const files = (m.addedFilesCount ?? 0) + (m.existingFilesCount ?? 0);
      if (data) {
        metrics.skippedDataManifests++;
        metrics.skippedDataFiles += files;
      } else {
        metrics.skippedDeleteManifests++;
        metrics.skippedDeleteFiles += files;
      }
    }
    return read;
  });

  const listedIn = `listed in ${snapshot.manifestList === undefined ? `snapshot ${snapshot.snapshotId}` : `manifest list ${snapshot.manifestList}`}`;
  const read = async (m: ManifestFile): Promise<{ manifest: Manifest; sf: SpecFilter }> => {
    const where = `Manifest ${m.manifestPath}`;
    check(m.manifestPath, "Manifest", listedIn);
    // Entries whose partition the filter rules out (or that are deleted) are not decoded at all.
    const keep = (specId: number | undefined, partitionType: PartitionType) => {
      const sf = specFilter(specId ?? m.partitionSpecId, where);
      const ordered = specOrder(sf.spec, partitionType);
      if (sf.projected.kind === "true" || !ordered.complete) return undefined;
      return (status: EntryStatus, partition: PartitionValues) => {
        if (status === EntryStatus.DELETED) return false;
        if (partitionMatches(sf, ordered, ordered.order(partition))) return true;
        if (m.content === ManifestContent.DATA) metrics.skippedDataFiles++;
        else metrics.skippedDeleteFiles++;
        return false;
      };
    };
    const manifest = readManifest(await store.get(m.manifestPath), m.manifestPath, { manifest: m, keep });
    checkFileVersion(metadata, manifest.formatVersion, `manifest ${m.manifestPath}`);
    for (const e of manifest.entries)
      if (e.status !== EntryStatus.DELETED)
        check(e.dataFile.filePath, fileKind(e.dataFile), `listed in manifest ${m.manifestPath}`);
    return { manifest, sf: specFilter(manifest.specId ?? m.partitionSpecId, where) };
  };

  const columns = indexFields(schema);
  const deletes = new DeleteIndex((id) => {
    const t = columns.get(id)?.field.type;
    return t && isPrimitive(t) ? t : undefined;
  });
  const deleteManifests = wanted.filter((m) => m.content === ManifestContent.DELETES);
  for await (const { manifest, sf } of mapBounded(deleteManifests, concurrency, read)) {
    const ordered = specOrder(sf.spec, manifest.partitionType);
    for (const e of live(manifest)) {
      const partition = ordered.order(e.dataFile.partition);
      if (!partitionMatches(sf, ordered, partition) || !deletesMightMatch(filter, e.dataFile)) {
        metrics.skippedDeleteFiles++;
        continue;
      }
      metrics.resultDeleteFiles++;
      deletes.add(
        {
          file: e.dataFile,
          specId: sf.spec.specId,
          sequenceNumber: e.sequenceNumber ?? 0n,
          unpartitioned: isUnpartitioned(sf.spec),
        },
        partition,
      );
    }
  }

  const anyDeletes = deletes.size > 0;
  const dataManifests = wanted.filter((m) => m.content === ManifestContent.DATA);
  for await (const { manifest, sf } of mapBounded(dataManifests, concurrency, read)) {
    const ordered = specOrder(sf.spec, manifest.partitionType);
    for (const e of live(manifest)) {
      if (e.dataFile.content !== DataFileContent.DATA) continue;
      const partition = ordered.order(e.dataFile.partition);
      if (!partitionMatches(sf, ordered, partition) || !fileMightMatch(filter, e.dataFile)) {
        metrics.skippedDataFiles++;
        continue;
      }
      metrics.resultDataFiles++;
      const seq = e.sequenceNumber ?? 0n;
      yield {
        file: e.dataFile,
        spec: sf.spec,
        dataSequenceNumber: seq,
        residual: ordered.complete ? residualFor(filter, sf.spec, partition) : filter,
        deletes: !anyDeletes ? [] : deletes.forDataFile(e.dataFile, sf.spec.specId, partition, seq),
      };
    }
  }
}

const live = (m: Manifest): ManifestEntry[] => m.entries.filter((e) => e.status !== EntryStatus.DELETED);

/**
 * Whether a delete file may delete a row the filter matches (spec "Scan Planning", note 2): an
 * equality delete file only deletes rows equal to one of its rows on the equality columns, so its
 * metrics on those columns (and only those: some writers add whole rows) can rule it out.
 * Position deletes hold no column metrics to judge by.
 */
function deletesMightMatch(filter: BoundExpression, file: DataFile): boolean {
  if (file.content !== DataFileContent.EQUALITY_DELETES || filter.kind === "true") return true;
  const ids = new Set(file.equalityIds ?? []);
  const only = <V>(m: ReadonlyMap<number, V> | undefined) =>
    m && new Map([...m].filter(([id]) => ids.has(id)));
  return fileMightMatch(filter, {
    ...file,
    valueCounts: only(file.valueCounts),
    nullValueCounts: only(file.nullValueCounts),
    nanValueCounts: only(file.nanValueCounts),
    lowerBounds: only(file.lowerBounds),
    upperBounds: only(file.upperBounds),
  });
}

/**
 * Puts a manifest's partition tuples in the order of the spec's fields, whatever order it wrote.
 * A manifest that lacks one of the spec's fields gets no partition filtering (its null stands for
 * "unknown" there).
 */
function specOrder(spec: PartitionSpec, partitionType: PartitionType): Ordered {
  const ids = partitionType.fields.map((f) => f.id);
  if (ids.length === spec.fields.length && spec.fields.every((f, i) => f.fieldId === ids[i]))
    return { order: (v) => v, complete: true };
  const from = spec.fields.map((f) => ids.indexOf(f.fieldId));
  return {
    order: (values) => from.map((i) => (i < 0 ? null : (values[i] ?? null))),
    complete: from.every((i) => i >= 0),
  };
}

interface Ordered {
  readonly order: (values: PartitionValues) => PartitionValues;
  readonly complete: boolean;
}

function partitionMatches(sf: SpecFilter, ordered: Ordered, partition: PartitionValues): boolean {
  if (sf.projected.kind === "true" || !ordered.complete) return true;
  return matches(sf.projected, (id) => {
    const i = sf.position.get(id);
    return i === undefined ? null : partition[i];
  });
}

const fileKind = (f: DataFile): string =>
  f.content === DataFileContent.DATA
    ? "Data file"
    : f.content === DataFileContent.POSITION_DELETES
      ? "Position delete file"
      : "Equality delete file";

/**
 * The snapshot's manifests: from its manifest list, or (v1) listed inline as data manifests. Each
 * file's location is checked against the table's before it is read.
 */
async function manifestsOf(
  snapshot: Snapshot,
  store: ObjectStore,
  metadata: TableMetadata,
  check: TableFileCheck,
): Promise<readonly ManifestFile[]> {
  if (snapshot.manifestList !== undefined) {
    check(snapshot.manifestList, `Manifest list of snapshot ${snapshot.snapshotId}`);
    const list = readManifestList(await store.get(snapshot.manifestList), snapshot.manifestList);
    checkFileVersion(metadata, list.formatVersion, `manifest list ${snapshot.manifestList}`);
    return list.manifests;
  }
  // Inline v1 manifests carry no list entry; their spec is read from each file.
  const out: ManifestFile[] = [];
  for (const path of snapshot.manifests ?? []) {
    check(path, `Manifest of snapshot ${snapshot.snapshotId}`);
    const bytes = await store.get(path);
    const specId = readManifest(bytes, path).specId ?? 0;
    out.push({
      manifestPath: path,
      manifestLength: BigInt(bytes.length),
      partitionSpecId: specId,
      content: ManifestContent.DATA,
      sequenceNumber: 0n,
      minSequenceNumber: 0n,
      addedSnapshotId: snapshot.snapshotId,
    });
  }
  return out;
}
