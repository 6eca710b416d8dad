import type { Conflict } from "../core/errors.ts";
import { conflictError } from "./apply-ops.ts";
import { sameContent } from "./content.ts";
import { canonicalize } from "./hash.ts";
import { checkKey, decodeKey, encodeKey, keyToString } from "./keys.ts";
import type { Content, ContentKey, MergeBehavior, MergeKeyDetails, MergeOptions } from "./model.ts";
import type { StoredOp } from "./objects.ts";
import { type NodeLoader, TreeReader, TreeWriter } from "./tree.ts";
import { diffTrees } from "./tree-diff.ts";

export interface MergePlan {
  readonly tree: string | null;
  readonly writer: TreeWriter;
  readonly stored: StoredOp[];
  readonly details: MergeKeyDetails[];
  readonly conflicts: Conflict[];
}

/**
 * Three-way merge of the changes between `baseTree` and `sourceTree` onto `targetTree`, per key:
 * NORMAL applies a source change where the target did not change the key since the base (or made
 * the same change) and reports a conflict otherwise; FORCE applies the source change anyway; DROP
 * ignores it. `expectedTargetContent` must match the target's value; `resolvedContent` replaces
 * the source's value. Transplant uses the same function with base = the commit's parent.
 */
export async function planMerge(
  load: NodeLoader,
  baseTree: string | null,
  sourceTree: string | null,
  targetTree: string | null,
  opts: MergeOptions,
): Promise<MergePlan> {
  const reader = new TreeReader(load);
  const writer = new TreeWriter(load);
  const modes = new Map(
    (opts.keyMergeModes ?? []).map((m) => [encodeKey(checkKey(m.key, "key of keyMergeModes")), m]),
  );
  const defaultMode: MergeBehavior = opts.defaultKeyMergeMode ?? "NORMAL";
  let tree = targetTree;
  const stored: StoredOp[] = [];
  const details: MergeKeyDetails[] = [];
  const conflicts: Conflict[] = [];

  for await (const change of diffTrees(baseTree, sourceTree, load)) {
    const key: ContentKey = decodeKey(change.key);
    const mode = modes.get(change.key);
    const behavior = mode?.mergeBehavior ?? defaultMode;
    if (behavior === "DROP") {
      details.push({ key, mergeBehavior: behavior });
      continue;
    }
    const target = await reader.get(targetTree, change.key);
    let wanted: Content | undefined = change.to;
    if (mode && mode.resolvedContent !== undefined)
      wanted = mode.resolvedContent === null ? undefined : canonicalize(mode.resolvedContent);
    let problem: Conflict | undefined;
    if (
      mode &&
      mode.expectedTargetContent !== undefined &&
      !sameContent(mode.expectedTargetContent, target)
    ) {
      problem = {
        conflictType: "VALUE_DIFFERS",
        key,
        message: `the target's content of key '${keyToString(key)}' is not the expected one`,
      };
    } else if (
      behavior === "NORMAL" &&
      mode?.resolvedContent === undefined &&
      !sameContent(target, change.from) &&
      !sameContent(target, change.to)
    ) {
      problem = {
        conflictType:
          target === undefined
            ? "KEY_DOES_NOT_EXIST"
            : change.from === undefined
              ? "KEY_EXISTS"
              : "VALUE_DIFFERS",
        key,
        message: `key '${keyToString(key)}' was changed on both sides since the common ancestor`,
      };
    }
    if (problem) {
      conflicts.push(problem);
      details.push({
        key,
        mergeBehavior: behavior,
        conflict: { conflictType: problem.conflictType, key, message: problem.message },
      });
      continue;
    }
    details.push({ key, mergeBehavior: behavior });
    if (sameContent(target, wanted)) continue;
    if (wanted === undefined) {
      tree = await writer.delete(tree, change.key);
      stored.push({ type: "DELETE", key });
    } else {
      tree = await writer.put(tree, change.key, wanted);
      stored.push({ type: "PUT", key, content: wanted });
    }
  }
  return { tree, writer, stored, details, conflicts };
}

export { conflictError };
