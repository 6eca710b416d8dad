import { type CheckContext, type CheckResult, runChecks } from "./checks/check.ts";
import { freeCapacity } from "./checks/cluster.ts";
import { READINESS_CHECKS } from "./doctor.ts";
import { completionPercentage, nextObjective, unmetPrerequisites } from "./goals/derive.ts";
import { type Goals, type Objective, allObjectives } from "./goals/goals.ts";
import { parseQuantity } from "./quantity.ts";

export interface ReviewReport {
  readonly status: {
    readonly phase: string | null;
    readonly phaseName: string | null;
    readonly completed: number;
    readonly total: number;
    readonly percentage: number;
    readonly next: string | null;
  };
  readonly phases: ReadonlyArray<{
    id: string;
    name: string;
    status: string;
    completed: number;
    total: number;
  }>;
  readonly triggers: ReadonlyArray<{ condition: string; value: string }>;
  readonly readiness: readonly CheckResult[];
  readonly current?: {
    readonly id: string;
    readonly name: string;
    readonly status: string;
    readonly unmetPrerequisites: readonly string[];
    readonly deliverables: readonly string[];
    readonly validation: readonly string[];
  };
  readonly blockers: readonly string[];
  readonly resources?: {
    readonly phase: string;
    readonly needs: { memory: string; cpu: string; storage: string };
    readonly free?: { memoryBytes: number; cpuCores: number };
    readonly fits?: boolean;
  };
  readonly nextActions: readonly string[];
}

/**
 * The seed's review: where the bootstrap stands (all derived from the objectives), the trigger
 * conditions, the live readiness checks, the objective to do next with what it still lacks,
 * blockers, whether its phase fits in the cluster's free capacity, and what to run next.
 */
export async function review(goals: Goals, ctx: CheckContext): Promise<ReviewReport> {
  const all = allObjectives(goals);
  const completed = all.filter((o) => o.status === "completed").length;
  const activePhase = goals.phases.find((p) => p.id === goals.current_status.active_phase);
  const current: Objective | undefined =
    all.find((o) => o.status === "in_progress") ??
    nextObjective(goals) ??
    all.find((o) => o.status !== "completed");
  const readiness = await runChecks(READINESS_CHECKS, ctx);
  const blockers = [
    ...all
      .filter((o) => o.status === "blocked")
      .map((o) => `${o.id} ${o.name} is blocked${o.notes ? `: ${o.notes}` : ""}`),
    ...readiness.filter((r) => r.status === "fail").map((r) => `${r.id}: ${r.detail}`),
  ];
  const phaseOf = current ? goals.phases.find((p) => p.objectives.includes(current)) : activePhase;
  let resources: ReviewReport["resources"];
  if (phaseOf) {
    const needs = phaseOf.resource_allocation;
    const free = ctx.kube ? await freeCapacity(ctx).catch(() => undefined) : undefined;
    const fits = free
      ? parseQuantity(needs.memory) <= free.memory && parseQuantity(needs.cpu) <= free.cpu
      : undefined;
    resources = {
      phase: phaseOf.id,
      needs,
      ...(free ? { free: { memoryBytes: free.memory, cpuCores: free.cpu } } : {}),
      ...(fits !== undefined ? { fits } : {}),
    };
  }
  const nextActions: string[] = [];
  for (const r of readiness.filter((x) => x.status === "fail" && x.fix))
    nextActions.push(`fix ${r.id}: ${r.fix}`);
  if (current) {
    const unmet = unmetPrerequisites(goals, current);
    if (unmet.length > 0) nextActions.push(`complete ${unmet.join(", ")} first`);
    else
      nextActions.push(
        `floe platform render, commit, then validate ${current.id}: ${current.validation_criteria.join("; ")}`,
      );
  }
  if (readiness.some((r) => r.status === "skip"))
    nextActions.push("give --floe-url / --trino-url to run the skipped checks");
  const t = goals.trigger_conditions;
  return {
    status: {
      phase: activePhase?.id ?? null,
      phaseName: activePhase?.name ?? null,
      completed,
      total: all.length,
      percentage: completionPercentage(goals),
      next: goals.current_status.next_pending_objective,
    },
    phases: goals.phases.map((p) => ({
      id: p.id,
      name: p.name,
      status: p.status,
      completed: p.objectives.filter((o) => o.status === "completed").length,
      total: p.objectives.length,
    })),
    triggers: Object.entries(t)
      .filter(([, v]) => typeof v === "string" && v !== "")
      .map(([k, v]) => ({ condition: k, value: String(v) })),
    readiness,
    ...(current
      ? {
          current: {
            id: current.id,
            name: current.name,
            status: current.status,
            unmetPrerequisites: unmetPrerequisites(goals, current),
            deliverables: current.deliverables,
            validation: current.validation_criteria,
          },
        }
      : {}),
    blockers,
    ...(resources ? { resources } : {}),
    nextActions,
  };
}
