import { badRequest } from "../../core/errors.ts";
import { DataFileContent } from "../data-file.ts";
import { type BoundExpression, expressionToString } from "../expressions/expression.ts";
import { manifestMightMatch } from "../expressions/manifest-evaluator.ts";
import { projectInclusive } from "../expressions/projection.ts";
import { residualFor } from "../expressions/residual.ts";
import { classifyFile } from "../expressions/strict-metrics-evaluator.ts";
import type { PartitionSpec } from "../partition-spec.ts";
import type { FileRemoval } from "./snapshot-producer.ts";

/**
 * Removes the live data files whose rows all match a bound filter (Java's `deleteFromRowFilter`):
 * manifests whose partition summaries rule the filter out are not read; a data file is removed when
 * its partition and metrics show that every row matches (`classifyFile`), and a file that some but
 * not all rows may match refuses the commit, as Java does ("Cannot delete file where some, but not
 * all, rows match filter"). Delete files go with their partition when the filter selects all of it
 * (decided by identity partition values alone).
 */
export function removeByFilter(filter: BoundExpression, what: string): FileRemoval {
  const projected = new Map<number, BoundExpression>();
  const projectedFor = (spec: PartitionSpec): BoundExpression => {
    let p = projected.get(spec.specId);
    if (!p) projected.set(spec.specId, (p = projectInclusive(filter, spec)));
    return p;
  };
  return {
    mayContain: (mf, spec) => manifestMightMatch(projectedFor(spec), spec, mf.partitions),
    removes: (e, spec) => {
      const f = e.dataFile;
      if (f.content !== DataFileContent.DATA) return residualFor(filter, spec, f.partition).kind === "true";
      const match = classifyFile(filter, spec, f.partition, f);
      if (match === "some")
        throw badRequest(
          `${what}: cannot delete file where some, but not all, rows match filter ${expressionToString(filter)}: ${f.filePath}`,
        );
      return match === "all";
    },
  };
}

/**
 * Removes the live files named by `paths` (data or delete files); a name the snapshot does not hold
 * live refuses the commit (Java's "Missing required files to delete").
 */
export function removeByPath(paths: Iterable<string>, what: string): FileRemoval {
  const wanted = new Set(paths);
  return {
    removes: (e) => wanted.has(e.dataFile.filePath),
    verify: (removed) => {
      const found = new Set(removed.map((r) => r.file.filePath));
      const missing = [...wanted].filter((p) => !found.has(p));
      if (missing.length > 0)
        throw badRequest(
          `${what}: missing required files to delete: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}`,
        );
    },
  };
}
