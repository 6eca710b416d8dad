import { existsSync } from "node:fs";
import { relative, resolve } from "node:path";
import { badRequest } from "../core/errors.ts";
import { type Check, type CheckContext, type CheckResult, errorText, runChecks } from "./checks/check.ts";
import {
  bucketClaimsCheck,
  catalogCheck,
  databaseCheck,
  freeCapacity,
  objectStoreCheck,
  secretsCheck,
  sparkCheck,
} from "./checks/cluster.ts";
import { floeCheck } from "./checks/floe.ts";
import { s3Check } from "./checks/s3.ts";
import { sparkPiCheck } from "./checks/spark-pi.ts";
import { trinoCheck } from "./checks/trino.ts";
import { nextObjective, unmetPrerequisites } from "./goals/derive.ts";
import { writeGoals } from "./goals/goals-file.ts";
import { type Goals, type Objective, allObjectives } from "./goals/goals.ts";
import { GitRepo } from "./git.ts";
import { formatBytes, formatCores, parseQuantity } from "./quantity.ts";
import { appsFolder, renderTree, toYaml } from "./tree.ts";
import { writeTree } from "./write-tree.ts";

/** The live checks that validate an objective once Flux has applied it (objectives not listed have none). */
const VALIDATION: Readonly<Record<string, readonly Check[]>> = {
  "1.1": [objectStoreCheck, bucketClaimsCheck, s3Check],
  "1.2": [secretsCheck, databaseCheck, catalogCheck, floeCheck],
  "2.1": [sparkCheck, sparkPiCheck],
  "3.1": [trinoCheck],
};

const TRIGGER_MET = ["met", "approved"];

export interface GateCheck {
  readonly check: "prerequisites" | "capacity" | "trigger";
  readonly ok: boolean;
  readonly detail: string;
  readonly overridden?: boolean;
}

export interface ExecuteOptions {
  readonly goalsFile: string;
  /** The GitOps repository (a git work tree). */
  readonly repo: string;
  readonly id?: string;
  readonly override?: string;
  readonly dryRun?: boolean;
  readonly push?: boolean;
  /** How long to wait for Flux, in milliseconds. */
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly now?: () => Date;
  readonly progress?: (line: string) => void;
}

export interface ExecuteReport {
  readonly objective: { id: string; name: string };
  readonly dryRun: boolean;
  readonly status: "completed" | "blocked" | "refused" | "planned";
  readonly reason?: string;
  readonly checks: readonly GateCheck[];
  readonly files: readonly string[];
  readonly commit?: string;
  readonly revertCommit?: string;
  readonly kustomizations: ReadonlyArray<{ name: string; ready: boolean; message: string }>;
  readonly validation: readonly CheckResult[];
  readonly manualValidation: readonly string[];
  readonly completionTimestamp?: string;
}

/** Picks the objective: the one named (unknown and completed ones are errors) or the next pending one. */
export function chooseObjective(goals: Goals, id: string | undefined): Objective {
  if (id === undefined) {
    const next = nextObjective(goals);
    if (!next)
      throw badRequest("no pending objective has its prerequisites completed (see 'floe platform review')");
    return next;
  }
  const o = allObjectives(goals).find((x) => x.id === id);
  if (!o)
    throw badRequest(
      `unknown objective '${id}' (known: ${allObjectives(goals)
        .map((x) => x.id)
        .join(", ")})`,
    );
  if (o.status === "completed")
    throw badRequest(`objective ${id} is already completed (${o.completion_timestamp ?? "no timestamp"})`);
  return o;
}

/** Prerequisites, capacity of the objective's phase and, before a phase's first objective, the trigger. */
async function gateChecks(goals: Goals, o: Objective, ctx: CheckContext): Promise<GateCheck[]> {
  const unmet = unmetPrerequisites(goals, o);
  const checks: GateCheck[] = [
    {
      check: "prerequisites",
      ok: unmet.length === 0,
      detail: unmet.length === 0 ? "all completed" : `not completed: ${unmet.join(", ")}`,
    },
  ];
  const phase = goals.phases.find((p) => p.objectives.includes(o));
  if (phase) {
    const needs = phase.resource_allocation;
    let free: { cpu: number; memory: number } | undefined;
    let error: string | undefined;
    try {
      free = await freeCapacity(ctx);
    } catch (e) {
      error = errorText(e);
    }
    const fits =
      free !== undefined &&
      parseQuantity(needs.memory) <= free.memory &&
      parseQuantity(needs.cpu) <= free.cpu;
    checks.push({
      check: "capacity",
      ok: fits,
      detail: free
        ? `${phase.id} needs ${needs.memory}, ${needs.cpu} cores; free ${formatBytes(free.memory)}, ${formatCores(free.cpu)} cores`
        : `free capacity unknown: ${error ?? "the cluster has no metrics server"}`,
    });
    if (phase.objectives.every((x) => x.status === "pending")) {
      const t = goals.trigger_conditions.evaluation_status;
      checks.push({
        check: "trigger",
        ok: TRIGGER_MET.includes(t),
        detail: `trigger_conditions.evaluation_status is '${t}' (${TRIGGER_MET.join(" or ")} starts ${phase.id})`,
      });
    }
  }
  return checks;
}

/** The files of the objective's apps, with the apps list naming the apps already in the repository. */
function objectiveFiles(
  ctx: CheckContext,
  o: Objective,
  repoRoot: string,
  existing: (path: string) => boolean,
) {
  const p = ctx.platform;
  const tree = renderTree(p);
  const root = appsFolder(p);
  const apps = o.deliverables;
  const files = new Map<string, string>();
  for (const [path, content] of tree) {
    const inApp = apps.some((a) => path.startsWith(`${root}/${a}/`));
    const shared =
      path.startsWith(`${p.cluster.gitopsPath}/flux/meta/repos/`) || path === `${root}/namespace.yaml`;
    if (inApp || shared) files.set(path, content);
  }
  const listed = [...tree.keys()]
    .filter((k) => /\/ks\.yaml$/.test(k) && k.startsWith(`${root}/`))
    .map((k) => k.slice(root.length + 1))
    .filter((k) => apps.includes(k.split("/")[0] ?? "") || existing(resolve(repoRoot, root, k)));
  files.set(
    `${root}/kustomization.yaml`,
    toYaml({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: ["namespace.yaml", ...listed],
    }),
  );
  return files;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The commit id in a Flux revision (`main@sha1:<sha>`, or `main/<sha>` before Flux 2.0). */
function revisionSha(revision: string): string | undefined {
  return /(?:@sha1:|\/)([0-9a-f]{40})\b/.exec(revision)?.[1];
}

interface FluxWait {
  /** The commit Flux must have applied (or a later one): the objective's commit, else HEAD. */
  readonly revision: string;
  readonly repo: GitRepo;
}

/**
 * Polls the objective's Flux Kustomizations until each is Ready at the objective's revision (its
 * `lastAppliedRevision`, else the revision in the Ready message, is that commit or a descendant),
 * or the timeout passes. Ready at an earlier revision is not reconciled: Flux has not pulled yet.
 */
async function waitForFlux(
  ctx: CheckContext,
  names: readonly string[],
  wait: FluxWait,
  opts: ExecuteOptions,
) {
  const kube = ctx.kube;
  const state = new Map(names.map((n) => [n, { name: n, ready: false, message: "not found yet" }]));
  if (!kube || names.length === 0) return [...state.values()];
  const deadline = Date.now() + opts.timeoutMs;
  const ns = ctx.platform.cluster.fluxNamespace;
  const want = wait.revision.slice(0, 12);
  for (;;) {
    for (const s of state.values()) {
      if (s.ready) continue;
      try {
        const k = await kube.custom("kustomize.toolkit.fluxcd.io", "v1", "kustomizations", ns, s.name);
        const conditions = (k?.status?.conditions ?? []) as Array<{
          type?: string;
          status?: string;
          message?: string;
        }>;
        const ready = conditions.find((c) => c.type === "Ready");
        const applied = String(k?.status?.lastAppliedRevision ?? "");
        const sha = revisionSha(applied) ?? revisionSha(ready?.message ?? "");
        const current = sha !== undefined && wait.repo.contains(sha, wait.revision);
        const isReady = ready?.status === "True" && current;
        const message = !k
          ? "not found yet"
          : ready?.status === "True" && !current
            ? `Ready at ${applied || sha || "an unknown revision"}, not yet at ${want}`
            : (ready?.message ?? "no Ready condition yet");
        if (message !== s.message || isReady)
          opts.progress?.(`flux ${ns}/${s.name}: ${isReady ? `Ready at ${want}` : message}`);
        s.message = message;
        s.ready = isReady;
      } catch (e) {
        s.message = errorText(e);
      }
    }
    if ([...state.values()].every((s) => s.ready) || Date.now() >= deadline) return [...state.values()];
    await sleep(Math.min(opts.pollMs ?? 2000, Math.max(0, deadline - Date.now())));
  }
}

/**
 * `floe platform execute`: one objective. Gate checks (an override skips failed ones and is
 * recorded), render and commit its apps, wait for Flux, validate, then record completed — or
 * blocked with the reason and the commit reverted. goals.json is written either way (not on
 * refusals and dry runs).
 */
export async function execute(goals: Goals, ctx: CheckContext, opts: ExecuteOptions): Promise<ExecuteReport> {
  const now = opts.now ?? (() => new Date());
  const o = chooseObjective(goals, opts.id);
  const repo = GitRepo.open(opts.repo);
  const goalsRel = relative(repo.root, resolve(opts.goalsFile));
  const dirty = repo.dirtyPaths([goalsRel]);
  if (dirty.length > 0)
    throw badRequest(
      `${repo.root} has uncommitted changes (${dirty.slice(0, 3).join(", ")}${dirty.length > 3 ? ", …" : ""}); commit or stash them first`,
    );

  const gates = (await gateChecks(goals, o, ctx)).map((g) =>
    g.ok || !opts.override ? g : { ...g, overridden: true },
  );
  const failed = gates.filter((g) => !g.ok && !g.overridden);
  const files = objectiveFiles(ctx, o, repo.root, existsSync);
  const validationChecks = VALIDATION[o.id] ?? [];
  const base = {
    objective: { id: o.id, name: o.name },
    dryRun: opts.dryRun === true,
    checks: gates,
    manualValidation: validationChecks.length === 0 ? o.validation_criteria : [],
  };
  if (failed.length > 0) {
    return {
      ...base,
      status: "refused",
      reason:
        failed.map((g) => `${g.check}: ${g.detail}`).join("; ") + ' (give --override "<reason>" to go ahead)',
      files: [],
      kustomizations: [],
      validation: [],
    };
  }
  if (opts.dryRun) {
    return {
      ...base,
      status: "planned",
      files: [...files.keys()].sort(),
      kustomizations: o.deliverables.map((name) => ({ name, ready: false, message: "would wait for Ready" })),
      validation: validationChecks.map((c) => ({
        id: c.id,
        title: c.title,
        status: "skip",
        detail: "would run",
      })),
    };
  }

  const overridden = gates.filter((g) => g.overridden);
  if (overridden.length > 0) {
    const list = Array.isArray(o.overrides) ? (o.overrides as unknown[]) : [];
    o.overrides = [
      ...list,
      ...overridden.map((g) => ({
        check: g.check,
        detail: g.detail,
        reason: opts.override,
        at: now().toISOString(),
      })),
    ];
  }
  const written = writeTree(repo.root, files).written;
  let commit: string | undefined;
  if (written.length > 0) {
    commit = repo.commit(written, `floe platform execute ${o.id}: ${o.name}`);
    opts.progress?.(`committed ${written.length} files as ${commit.slice(0, 12)}`);
    if (opts.push) repo.push();
  }
  const revision = commit ?? repo.head();
  const kustomizations = await waitForFlux(ctx, o.deliverables, { revision, repo }, opts);
  const notReady = kustomizations.filter((k) => !k.ready);
  let validation: CheckResult[] = [];
  let reason: string | undefined;
  if (notReady.length > 0) {
    reason = `Flux did not report Ready at ${revision.slice(0, 12)} within the timeout: ${notReady.map((k) => `${k.name} (${k.message})`).join(", ")}`;
  } else {
    validation = await runChecks(validationChecks, {
      ...ctx,
      sparkPi: ctx.sparkPi ?? { timeoutMs: opts.timeoutMs, pollMs: opts.pollMs ?? 2000 },
      ...(opts.progress ? { progress: opts.progress } : {}),
    });
    const bad = validation.filter((v) => v.status === "fail");
    if (bad.length > 0) reason = `validation failed: ${bad.map((v) => `${v.id}: ${v.detail}`).join("; ")}`;
  }
  let revertCommit: string | undefined;
  if (reason) {
    if (commit) {
      revertCommit = repo.revert(commit);
      opts.progress?.(`reverted ${commit.slice(0, 12)} as ${revertCommit.slice(0, 12)}`);
      if (opts.push) repo.push();
    }
    o.status = "blocked";
    o.notes = reason;
    writeGoals(opts.goalsFile, goals, now());
    return {
      ...base,
      status: "blocked",
      reason,
      files: written,
      ...(commit ? { commit } : {}),
      ...(revertCommit ? { revertCommit } : {}),
      kustomizations,
      validation,
    };
  }
  const stamp = now().toISOString();
  o.status = "completed";
  o.completion_timestamp = stamp;
  delete o.notes;
  writeGoals(opts.goalsFile, goals, now());
  return {
    ...base,
    status: "completed",
    files: written,
    ...(commit ? { commit } : {}),
    kustomizations,
    validation,
    completionTimestamp: stamp,
  };
}
