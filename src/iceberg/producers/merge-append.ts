import { type DataFile } from "../data-file.ts";
import { checkAppendFiles } from "./fast-append.ts";
import { type MergeSettings, mergeSettings } from "./merge-manifests.ts";
import { type ProducedSnapshot, produceSnapshot, type ProducerOptions } from "./snapshot-producer.ts";

export interface MergeAppendOptions extends ProducerOptions {
  /** Data files to add, all written with partition spec `specId` (default the table's default). */
  readonly files: readonly DataFile[];
  readonly specId?: number;
  /**
   * How manifests are merged; default from the table's properties (`commit.manifest-merge.enabled`
   * true, `commit.manifest.min-count-to-merge` 100, `commit.manifest.target-size-bytes` 8 MB).
   * With merging disabled by the table, this is a fast append that leaves out empty manifests.
   */
  readonly merge?: MergeSettings;
}

/**
 * An append that keeps the manifest count down (Java's `MergeAppend`): the new files go into one
 * manifest, and per partition spec the manifests are bin-packed to the target size; the bin with
 * the new manifest is merged once it holds `minCountToMerge` manifests, older bins of several
 * manifests are merged too. Merged manifests hold this commit's files ADDED and the older ones
 * EXISTING with their sequence numbers and snapshot ids. Operation `append`; see `produceSnapshot`.
 */
export async function mergeAppend(opts: MergeAppendOptions): Promise<ProducedSnapshot> {
  checkAppendFiles(opts.files, `Cannot append to table ${opts.metadata.location}`);
  const merge = opts.merge ?? mergeSettings(opts.metadata.properties);
  return produceSnapshot(opts, {
    operation: "append",
    verb: "append to",
    added: opts.files,
    ...(opts.specId === undefined ? {} : { specId: opts.specId }),
    ...(merge ? { merge } : {}),
  });
}
