import { FloeError, badRequest } from "../core/errors.ts";
import type { KvStore } from "../storage/kv.ts";
import { type KvTimingListener, TimedKvStore } from "../storage/timed-kv.ts";
import type { PageRequest, Resolved, VersionStoreApi } from "./api.ts";
import { BranchWriter } from "./branch-writer.ts";
import { commitMetaOf } from "./commit-meta.ts";
import { CommitQueue, type CommitStats } from "./commit-queue.ts";
import { CommitTrees } from "./commit-trees.ts";
import { NO_ANCESTOR_HASH } from "./hash.ts";
import { mergeBase, onFirstParentChain } from "./history.ts";
import { checkKey, decodeKey, encodeKey } from "./keys.ts";
import type {
  CommitMeta,
  CommitMetaInput,
  CommitResult,
  ContentKey,
  DiffEntry,
  Entry,
  KeyRange,
  LogEntry,
  MergeOptions,
  MergeResult,
  Operation,
  Page,
  Reference,
  ReferenceMetadata,
  ReferenceType,
} from "./model.ts";
import { type HashedCommit, ObjectStore } from "./objects.ts";
import { keyBounds, pageSize, token } from "./paging.ts";
import { checkHash, checkRefName, type RefSpec } from "./ref-spec.ts";
import { RefStore } from "./refs.ts";
import { TreeReader } from "./tree.ts";
import { type TreeHandle, loaderFor } from "./tree-handle.ts";
import { diffTrees } from "./tree-diff.ts";

const REPO_KEY = "repo";
const MAX_LOG_PAGE = 250;

interface RepoInfo {
  defaultBranch: string;
  created: string;
}

/** The version store on a KV: see `VersionStoreApi` for the contract. */
export class VersionStore implements VersionStoreApi {
  readonly noAncestorHash = NO_ANCESTOR_HASH;
  private readonly objects: ObjectStore;
  private readonly refs: RefStore;
  private readonly queue: CommitQueue;
  private readonly trees: CommitTrees;
  private readonly writer: BranchWriter;

  private constructor(
    private readonly kv: TimedKvStore,
    private readonly repo: RepoInfo,
  ) {
    this.objects = new ObjectStore(kv);
    this.refs = new RefStore(kv);
    this.trees = new CommitTrees(this.objects);
    this.queue = new CommitQueue(this.refs, this.objects, this.trees);
    this.writer = new BranchWriter(this.objects, this.queue, (h) => this.expandHash(h));
  }

  /** Opens the store, creating the repository (default branch at the no-ancestor hash) on first use. */
  static async open(kv: KvStore, opts: { defaultBranch?: string } = {}): Promise<VersionStore> {
    const enc = new TextEncoder();
    const wanted: RepoInfo = {
      defaultBranch: checkRefName(opts.defaultBranch ?? "main"),
      created: new Date().toISOString(),
    };
    await kv.putIfAbsent([[REPO_KEY, enc.encode(JSON.stringify(wanted))]]);
    const repo = JSON.parse(new TextDecoder().decode(await kv.get(REPO_KEY))) as RepoInfo;
    const store = new VersionStore(new TimedKvStore(kv), repo);
    if (!(await store.refs.get(repo.defaultBranch))) {
      await store.refs.cas(repo.defaultBranch, undefined, { type: "BRANCH", hash: NO_ANCESTOR_HASH });
    }
    return store;
  }

  get defaultBranch(): string {
    return this.repo.defaultBranch;
  }

  get repositoryCreationTimestamp(): string {
    return this.repo.created;
  }

  get stats(): Readonly<CommitStats> {
    return this.queue.stats;
  }

  // ---- commits and refs ------------------------------------------------------------------

  private async commit_(hash: string): Promise<HashedCommit> {
    const c = await this.objects.findCommit(hash);
    if (!c) throw new FloeError("REFERENCE_NOT_FOUND", `Commit '${hash}' not found`);
    return c;
  }

  private readonly load = (h: string) => this.commit_(h);

  private treeOf(c: HashedCommit): Promise<TreeHandle> {
    return this.trees.of(c, this.load);
  }

  /** Expands a possibly abbreviated hash to the full hash of an existing commit. */
  private async expandHash(hash: string): Promise<string> {
    const h = checkHash(hash);
    if (h.length === 64) return (await this.commit_(h)).hash;
    const found = await this.objects.commitsWithPrefix(h, 2);
    if (found.length === 0) throw new FloeError("REFERENCE_NOT_FOUND", `Commit '${hash}' not found`);
    if (found.length > 1) throw badRequest(`abbreviated hash '${hash}' is ambiguous; give more digits`);
    return found[0]!;
  }

  async resolve(spec: RefSpec): Promise<Resolved> {
    const name = spec.defaultBranch ? this.defaultBranch : spec.name;
    const reference = name === undefined ? undefined : await this.getReference(name);
    let c: HashedCommit;
    if (spec.hash !== undefined) {
      c = await this.commit_(await this.expandHash(spec.hash));
      if (reference && !(await onFirstParentChain(this.load, await this.commit_(reference.hash), c))) {
        throw new FloeError(
          "REFERENCE_NOT_FOUND",
          `Could not find commit '${spec.hash}' in reference '${reference.name}'.`,
        );
      }
    } else {
      c = await this.commit_(reference!.hash);
    }
    for (const part of spec.relative) {
      if (part.kind === "timestamp") {
        while (Date.parse(c.meta.commitTime) > part.millis && c.parents[0] !== undefined)
          c = await this.commit_(c.parents[0]);
        if (Date.parse(c.meta.commitTime) > part.millis || c.hash === NO_ANCESTOR_HASH) {
          throw new FloeError(
            "REFERENCE_NOT_FOUND",
            `no commit at or before ${new Date(part.millis).toISOString()}`,
          );
        }
      } else {
        const steps = part.kind === "ancestor" ? part.n : 1;
        const index = part.kind === "parent" ? part.n - 1 : 0;
        for (let i = 0; i < steps; i++) {
          const p = c.parents[index];
          if (p === undefined)
            throw new FloeError("REFERENCE_NOT_FOUND", `commit '${c.hash}' has no such parent or ancestor`);
          c = await this.commit_(p);
        }
      }
    }
    return { reference, hash: c.hash };
  }

  async listReferences(req?: PageRequest): Promise<Page<Reference>> {
    const limit = pageSize(req);
    const after = req?.pageToken === undefined ? undefined : token.decode(req.pageToken);
    const refs = await this.refs.list(after, limit === Number.MAX_SAFE_INTEGER ? undefined : limit + 1);
    const items = refs.slice(0, limit);
    return { items, token: refs.length > limit ? token.encode(items[items.length - 1]!.name) : undefined };
  }

  async getReference(name: string): Promise<Reference> {
    const ref = await this.refs.get(checkRefName(name));
    if (!ref) throw new FloeError("REFERENCE_NOT_FOUND", `Named reference '${name}' not found`);
    return ref;
  }

  async referenceMetadata(ref: Reference): Promise<ReferenceMetadata> {
    const head = await this.commit_(ref.hash);
    const meta: ReferenceMetadata = { numTotalCommits: head.seq };
    const withHead =
      head.hash === NO_ANCESTOR_HASH ? meta : { ...meta, commitMetaOfHEAD: commitMetaOf(head) };
    if (ref.name === this.defaultBranch) return withHead;
    const main = await this.commit_((await this.getReference(this.defaultBranch)).hash);
    const base = await mergeBase(this.load, head, main);
    return {
      ...withHead,
      commonAncestorHash: base.hash,
      numCommitsAhead: head.seq - base.seq,
      numCommitsBehind: main.seq - base.seq,
    };
  }

  async createReference(name: string, type: ReferenceType, hash: string): Promise<Reference> {
    checkRefName(name);
    const full = await this.expandHash(hash);
    if (!(await this.refs.cas(name, undefined, { type, hash: full }))) {
      throw new FloeError("REFERENCE_ALREADY_EXISTS", `Named reference '${name}' already exists.`);
    }
    return { type, name, hash: full };
  }

  async assignReference(
    name: string,
    expectedHash: string,
    hash: string,
    type?: ReferenceType,
  ): Promise<Reference> {
    const ref = await this.getReference(name);
    const target = await this.expandHash(hash);
    this.checkExpected(ref, expectedHash, type);
    if (!(await this.refs.cas(name, ref, { type: ref.type, hash: target }))) {
      throw new FloeError(
        "REFERENCE_CONFLICT",
        `Named reference '${name}' is not at expected hash '${expectedHash}'.`,
      );
    }
    return { type: ref.type, name, hash: target };
  }

  async deleteReference(name: string, expectedHash: string, type?: ReferenceType): Promise<Reference> {
    const ref = await this.getReference(name);
    if (name === this.defaultBranch) throw badRequest(`the default branch '${name}' cannot be deleted`);
    this.checkExpected(ref, expectedHash, type);
    if (!(await this.refs.cas(name, ref, undefined))) {
      throw new FloeError(
        "REFERENCE_CONFLICT",
        `Named reference '${name}' is not at expected hash '${expectedHash}'.`,
      );
    }
    return ref;
  }

  private checkExpected(ref: Reference, expectedHash: string, type: ReferenceType | undefined): void {
    const expected = checkHash(expectedHash);
    if (type !== undefined && type !== ref.type) {
      throw new FloeError(
        "REFERENCE_CONFLICT",
        `Reference '${ref.name}' is a ${ref.type.toLowerCase()}, not a ${type.toLowerCase()}.`,
      );
    }
    if (!ref.hash.startsWith(expected)) {
      throw new FloeError(
        "REFERENCE_CONFLICT",
        `Named reference '${ref.name}' is not at expected hash '${expectedHash}', but at '${ref.hash}'.`,
      );
    }
  }

  // ---- reads -------------------------------------------------------------------------------

  async getCommitMeta(hash: string): Promise<CommitMeta> {
    return commitMetaOf(await this.commit_(await this.expandHash(hash)));
  }

  async log(
    hash: string,
    opts: PageRequest & { limitHash?: string; withOperations?: boolean } = {},
  ): Promise<Page<LogEntry>> {
    const limit = pageSize(opts, MAX_LOG_PAGE);
    const limitHash = opts.limitHash === undefined ? undefined : await this.expandHash(opts.limitHash);
    let next: string | undefined =
      opts.pageToken === undefined ? await this.expandHash(hash) : await this.expandHash(opts.pageToken);
    const items: LogEntry[] = [];
    while (next !== undefined && next !== NO_ANCESTOR_HASH && items.length < limit) {
      const c = await this.commit_(next);
      items.push({
        commitMeta: commitMetaOf(c),
        parentCommitHash: c.parents[0] ?? NO_ANCESTOR_HASH,
        additionalParents: c.parents.slice(1),
        ...(opts.withOperations ? { operations: c.ops as Operation[] } : {}),
      });
      next = c.hash === limitHash ? undefined : c.parents[0];
    }
    const more = next !== undefined && next !== NO_ANCESTOR_HASH;
    return { items, token: more ? next : undefined };
  }

  async entries(hash: string, opts: PageRequest & KeyRange = {}): Promise<Page<Entry>> {
    const c = await this.commit_(await this.expandHash(hash));
    const limit = pageSize(opts);
    const b = keyBounds(opts);
    let lo = b.lo;
    if (opts.pageToken !== undefined) {
      const after = token.decode(opts.pageToken) + "\u0000";
      if (lo === undefined || after > lo) lo = after;
    }
    const items: Entry[] = [];
    const tree = await this.treeOf(c);
    const reader = new TreeReader(loaderFor(this.objects.loadNode, tree));
    for await (const [k, content] of reader.range(tree.root, lo, b.hi)) {
      if (b.keys && !b.keys.has(k)) continue;
      if (items.length === limit)
        return { items, token: token.encode(encodeKey(items[items.length - 1]!.key)) };
      items.push({ key: decodeKey(k), content });
    }
    return { items };
  }

  async getContents(hash: string, keys: readonly ContentKey[]): Promise<Entry[]> {
    const c = await this.commit_(await this.expandHash(hash));
    const out: Entry[] = [];
    const tree = await this.treeOf(c);
    const reader = new TreeReader(loaderFor(this.objects.loadNode, tree));
    for (const key of keys) {
      const content = await reader.get(tree.root, encodeKey(checkKey(key)));
      if (content) out.push({ key, content });
    }
    return out;
  }

  async diff(fromHash: string, toHash: string, opts: PageRequest & KeyRange = {}): Promise<Page<DiffEntry>> {
    const from = await this.commit_(await this.expandHash(fromHash));
    const to = await this.commit_(await this.expandHash(toHash));
    const limit = pageSize(opts);
    const b = keyBounds(opts);
    const after = opts.pageToken === undefined ? undefined : token.decode(opts.pageToken);
    const items: DiffEntry[] = [];
    const [a, z] = await Promise.all([this.treeOf(from), this.treeOf(to)]);
    for await (const d of diffTrees(a!.root, z!.root, loaderFor(this.objects.loadNode, a!, z!))) {
      if ((after !== undefined && d.key <= after) || (b.lo !== undefined && d.key < b.lo)) continue;
      if (b.hi !== undefined && d.key >= b.hi) break;
      if (b.keys && !b.keys.has(d.key)) continue;
      if (items.length === limit)
        return { items, token: token.encode(encodeKey(items[items.length - 1]!.key)) };
      items.push({ key: decodeKey(d.key), from: d.from ?? null, to: d.to ?? null });
    }
    return { items };
  }

  commit(
    branch: string,
    expectedHash: string,
    meta: CommitMetaInput,
    operations: readonly Operation[],
  ): Promise<CommitResult> {
    return this.writer.commit(branch, expectedHash, meta, operations);
  }

  merge(
    branch: string,
    expectedHash: string,
    fromRefName: string,
    fromHash: string,
    opts?: MergeOptions,
  ): Promise<MergeResult> {
    return this.writer.merge(branch, expectedHash, fromRefName, fromHash, opts);
  }

  transplant(
    branch: string,
    expectedHash: string,
    fromRefName: string,
    hashes: readonly string[],
    opts?: MergeOptions,
  ): Promise<MergeResult> {
    return this.writer.transplant(branch, expectedHash, fromRefName, hashes, opts);
  }

  onStoreTiming(listener: KvTimingListener): void {
    this.kv.onTiming(listener);
  }

  ping(): Promise<void> {
    return this.kv.ping();
  }

  /** Waits for queued commits to finish, then closes the database. */
  async close(): Promise<void> {
    await this.queue.idle();
    await this.kv.close();
  }
}

export function openVersionStore(kv: KvStore, opts?: { defaultBranch?: string }): Promise<VersionStore> {
  return VersionStore.open(kv, opts);
}
