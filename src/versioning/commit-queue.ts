import { FloeError } from "../core/errors.ts";
import type { CommitTrees } from "./commit-trees.ts";
import type { HashedCommit, ObjectStore } from "./objects.ts";
import type { RefStore } from "./refs.ts";
import { Staging } from "./staging.ts";

/** Builds a change on top of `head`; returns the new head (if any) after staging its objects. */
export type CommitJob<T> = (
  head: HashedCommit,
  staging: Staging,
  refName: string,
) => Promise<{ result: T; head?: HashedCommit }>;

interface Pending {
  job: CommitJob<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export interface CommitStats {
  commits: number;
  conflicts: number;
  retries: number;
}

const MAX_BATCH = 100;
const MAX_ATTEMPTS = 25;

/**
 * Serialises the writers of each branch inside this process and batches them: the queued jobs are
 * built one on top of another, their objects stored in one write, and the branch moved once by
 * compare-and-set. If another process moved the branch meanwhile, the whole batch is rebuilt on
 * the new head (bounded), so no acknowledged commit is ever lost and unrelated concurrent commits
 * never fail. A job that fails (e.g. a key conflict) fails alone.
 */
export class CommitQueue {
  private readonly queues = new Map<string, Pending[]>();
  readonly stats: CommitStats = { commits: 0, conflicts: 0, retries: 0 };

  constructor(
    private readonly refs: RefStore,
    private readonly objects: ObjectStore,
    private readonly trees: CommitTrees,
  ) {}

  submit<T>(branch: string, job: CommitJob<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let queue = this.queues.get(branch);
      const start = queue === undefined;
      if (!queue) this.queues.set(branch, (queue = []));
      queue.push({ job: job as CommitJob<unknown>, resolve: resolve as (v: unknown) => void, reject });
      if (start) void this.drain(branch, queue);
    });
  }

  /** Resolves when every queued job has finished (graceful shutdown). */
  async idle(): Promise<void> {
    while (this.queues.size > 0) await new Promise((r) => setTimeout(r, 5));
  }

  private async drain(branch: string, queue: Pending[]): Promise<void> {
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, MAX_BATCH);
        await this.runBatch(branch, batch).catch((e: unknown) => batch.forEach((p) => p.reject(e)));
      }
    } finally {
      this.queues.delete(branch);
    }
  }

  private async runBatch(branch: string, batch: Pending[]): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const ref = await this.refs.get(branch);
      if (!ref) throw new FloeError("REFERENCE_NOT_FOUND", `Named reference '${branch}' not found`);
      if (ref.type !== "BRANCH")
        throw new FloeError("BAD_REQUEST", `Reference '${branch}' is a tag; commits go to branches`);
      const staging = new Staging(this.objects, this.trees);
      let head = await staging.commit(ref.hash);
      const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
      let made = 0;
      for (const p of batch) {
        try {
          const out = await p.job(head, staging, branch);
          if (out.head && out.head.hash !== head.hash) {
            head = out.head;
            made++;
          }
          outcomes.push({ ok: true, value: out.result });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
      if (head.hash !== ref.hash) {
        const moved = await this.refs.cas(
          branch,
          ref,
          { type: "BRANCH", hash: head.hash },
          staging.entries(head.hash),
        );
        staging.stored(head.hash);
        if (!moved) {
          this.stats.retries++;
          await new Promise((r) => setTimeout(r, Math.random() * 2 * (attempt + 1)));
          continue;
        }
      }
      this.stats.commits += made;
      batch.forEach((p, i) => {
        const o = outcomes[i]!;
        if (o.ok) p.resolve(o.value);
        else {
          if (o.error instanceof FloeError && o.error.kind === "REFERENCE_CONFLICT") this.stats.conflicts++;
          p.reject(o.error);
        }
      });
      return;
    }
    throw new FloeError(
      "REFERENCE_CONFLICT",
      `branch '${branch}' moved ${MAX_ATTEMPTS} times while committing; retry the commit`,
      { retryable: true },
    );
  }
}
