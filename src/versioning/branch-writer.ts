import { FloeError, badRequest } from "../core/errors.ts";
import { applyOperations, checkOperations, conflictError } from "./apply-ops.ts";
import { fillMeta } from "./commit-meta.ts";
import type { CommitQueue } from "./commit-queue.ts";
import { NO_ANCESTOR_HASH } from "./hash.ts";
import { mergeBase, onFirstParentChain } from "./history.ts";
import { planMerge } from "./merge.ts";
import type {
  CommitMetaInput,
  CommitResult,
  MergeKeyDetails,
  MergeOptions,
  MergeResult,
  Operation,
} from "./model.ts";
import {
  type HashedCommit,
  type ObjectStore,
  type StoredMeta,
  type StoredOp,
  hashCommit,
} from "./objects.ts";
import { checkHash, checkRefName } from "./ref-spec.ts";
import type { Staging } from "./staging.ts";
import { type TreeHandle, collectVirtual, loaderFor } from "./tree-handle.ts";

/**
 * Commits, merges and transplants: each is a job on the branch's commit queue, built on the head
 * the queue hands it, checked against the client's expected hash, and staged as a new commit.
 */
export class BranchWriter {
  constructor(
    private readonly objects: ObjectStore,
    private readonly queue: CommitQueue,
    private readonly expandHash: (hash: string) => Promise<string>,
  ) {}

  /** The expected hash, checked to be on the branch's first-parent chain from `head`. */
  private async expectedOnBranch(
    staging: Staging,
    head: HashedCommit,
    expectedHash: string,
    branch: string,
  ): Promise<HashedCommit> {
    const expected = await staging.commit(await this.expandStaged(staging, expectedHash));
    if (!(await onFirstParentChain((h) => staging.commit(h), head, expected))) {
      throw new FloeError(
        "REFERENCE_CONFLICT",
        `Expected hash '${expectedHash}' is not on branch '${branch}'.`,
        {
          conflicts: [
            {
              conflictType: "UNEXPECTED_HASH",
              message: `hash '${expectedHash}' is not on branch '${branch}'`,
            },
          ],
        },
      );
    }
    return expected;
  }

  private async expandStaged(staging: Staging, hash: string): Promise<string> {
    const h = checkHash(hash);
    if (h.length === 64 && (await staging.findCommit(h))) return h;
    for (const k of staging.commits.keys()) if (k.startsWith(h)) return k;
    return this.expandHash(h);
  }

  /** Stages a new commit on top of `parent` with the given tree. */
  private stage(
    staging: Staging,
    parents: string[],
    seq: number,
    tree: TreeHandle,
    meta: StoredMeta,
    ops: StoredOp[],
  ): HashedCommit {
    const c = hashCommit({ parents, seq, meta, ops });
    staging.add(c, tree);
    return c;
  }

  async commit(
    branch: string,
    expectedHash: string,
    meta: CommitMetaInput,
    operations: readonly Operation[],
  ): Promise<CommitResult> {
    checkRefName(branch);
    checkHash(expectedHash);
    const ops = checkOperations(operations);
    return this.queue.submit(branch, async (head, staging) => {
      const expected = await this.expectedOnBranch(staging, head, expectedHash, branch);
      const headTree = await staging.treeOf(head);
      const expectedTree = await staging.treeOf(expected);
      const load = loaderFor(this.objects.loadNode, headTree, expectedTree);
      const applied = await applyOperations(load, headTree.root, expectedTree.root, ops);
      const tree = {
        root: applied.tree,
        virtual: collectVirtual(applied.tree, headTree.virtual, applied.writer.pending),
      };
      const c = this.stage(
        staging,
        [head.hash],
        head.seq + 1,
        tree,
        fillMeta(meta, new Date().toISOString()),
        applied.stored,
      );
      return {
        result: {
          targetBranch: { type: "BRANCH", name: branch, hash: c.hash },
          addedContents: applied.added,
        },
        head: c,
      };
    });
  }

  async merge(
    branch: string,
    expectedHash: string,
    fromRefName: string,
    fromHash: string,
    opts: MergeOptions = {},
  ): Promise<MergeResult> {
    checkRefName(branch);
    checkHash(expectedHash);
    return this.queue.submit(branch, async (head, staging) => {
      await this.expectedOnBranch(staging, head, expectedHash, branch);
      const source = await staging.commit(await this.expandStaged(staging, fromHash));
      const base = await mergeBase(staging.commit, head, source);
      const [headTree, sourceTree, baseTree] = await Promise.all(
        [head, source, base].map((c) => staging.treeOf(c)),
      );
      const load = loaderFor(this.objects.loadNode, headTree!, sourceTree!, baseTree!);
      const plan = await planMerge(load, baseTree!.root, sourceTree!.root, headTree!.root, opts);
      const result = (applied: boolean, hash: string, ok = true): MergeResult => ({
        wasApplied: applied,
        wasSuccessful: ok,
        resultantTargetHash: hash,
        commonAncestor: base.hash,
        targetBranch: branch,
        effectiveTargetHash: head.hash,
        expectedHash,
        details: plan.details,
      });
      if (plan.conflicts.length > 0) {
        if (opts.returnConflictAsResult) return { result: result(false, head.hash, false) };
        throw conflictError(plan.conflicts);
      }
      if (opts.dryRun || base.hash === source.hash || plan.stored.length === 0) {
        return { result: result(false, head.hash) };
      }
      const tree = {
        root: plan.tree,
        virtual: collectVirtual(plan.tree, headTree!.virtual, plan.writer.pending),
      };
      const message =
        opts.message ??
        opts.commitMeta?.message ??
        `Merged ${fromRefName} at ${source.hash} into ${branch} at ${head.hash}`;
      const meta = fillMeta({ ...opts.commitMeta, message }, new Date().toISOString());
      const c = this.stage(
        staging,
        [head.hash, source.hash],
        Math.max(head.seq, source.seq) + 1,
        tree,
        meta,
        plan.stored,
      );
      return { result: result(true, c.hash), head: c };
    });
  }

  async transplant(
    branch: string,
    expectedHash: string,
    fromRefName: string,
    hashes: readonly string[],
    opts: MergeOptions = {},
  ): Promise<MergeResult> {
    checkRefName(branch);
    checkHash(expectedHash);
    if (hashes.length === 0) throw badRequest("hashesToTransplant must name at least one commit");
    return this.queue.submit(branch, async (head0, staging) => {
      await this.expectedOnBranch(staging, head0, expectedHash, branch);
      let head = head0;
      let headTree = await staging.treeOf(head0);
      const details: MergeKeyDetails[] = [];
      const done = (resultant: string, applied: boolean, ok: boolean): MergeResult => ({
        wasApplied: applied,
        wasSuccessful: ok,
        resultantTargetHash: resultant,
        targetBranch: branch,
        effectiveTargetHash: head0.hash,
        expectedHash,
        details,
      });
      for (const h of hashes) {
        const c = await staging.commit(await this.expandStaged(staging, h));
        const parent = await staging.commit(c.parents[0] ?? NO_ANCESTOR_HASH);
        const [from, to] = await Promise.all([staging.treeOf(parent), staging.treeOf(c)]);
        const load = loaderFor(this.objects.loadNode, headTree, from!, to!);
        const plan = await planMerge(load, from!.root, to!.root, headTree.root, opts);
        details.push(...plan.details);
        if (plan.conflicts.length > 0) {
          if (opts.returnConflictAsResult) return { result: done(head0.hash, false, false) };
          throw conflictError(plan.conflicts);
        }
        if (opts.dryRun) continue;
        headTree = {
          root: plan.tree,
          virtual: collectVirtual(plan.tree, headTree.virtual, plan.writer.pending),
        };
        const meta = {
          ...c.meta,
          commitTime: new Date().toISOString(),
          ...(opts.message ? { message: opts.message } : {}),
        };
        head = this.stage(staging, [head.hash], head.seq + 1, headTree, meta, plan.stored);
      }
      return { result: done(head.hash, head.hash !== head0.hash, true), head };
    });
  }
}
