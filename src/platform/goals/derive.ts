import {
  type CurrentStatus,
  type Goals,
  type Objective,
  type Phase,
  type PhaseStatus,
  allObjectives,
} from "./goals.ts";

/** round(100 × completed objectives / all objectives); 0 for a plan without objectives. */
export function completionPercentage(goals: Goals): number {
  const all = allObjectives(goals);
  if (all.length === 0) return 0;
  return Math.round((100 * all.filter((o) => o.status === "completed").length) / all.length);
}

/**
 * A phase's status from its objectives: completed when all are; in progress when any has started
 * (in progress, completed or blocked); ready to start when every earlier phase is completed;
 * pending otherwise.
 */
export function phaseStatus(phase: Phase, earlierCompleted: boolean): PhaseStatus {
  const objectives = phase.objectives;
  if (objectives.length > 0 && objectives.every((o) => o.status === "completed")) return "completed";
  if (objectives.some((o) => o.status !== "pending")) return "in_progress";
  return earlierCompleted ? "ready_to_start" : "pending";
}

/** Objective ids among `prerequisites` that are not completed (sentences are not checked here). */
export function unmetPrerequisites(goals: Goals, objective: Objective): string[] {
  const byId = new Map(allObjectives(goals).map((o) => [o.id, o]));
  return objective.prerequisites.filter((p) => byId.has(p) && byId.get(p)?.status !== "completed");
}

/** The first pending objective, in plan order, whose prerequisites are all completed. */
export function nextObjective(goals: Goals): Objective | undefined {
  return allObjectives(goals).find(
    (o) => o.status === "pending" && unmetPrerequisites(goals, o).length === 0,
  );
}

/** Recomputes every derived field in place (phase statuses, current_status) and returns the goals. */
export function derive(goals: Goals): Goals {
  let earlierCompleted = true;
  for (const phase of goals.phases) {
    phase.status = phaseStatus(phase, earlierCompleted);
    earlierCompleted = earlierCompleted && phase.status === "completed";
  }
  goals.current_status = currentStatus(goals);
  return goals;
}

function currentStatus(goals: Goals): CurrentStatus {
  const all = allObjectives(goals);
  const active = goals.phases.find((p) => p.status !== "completed") ?? goals.phases.at(-1);
  const completed = all.filter((o) => o.status === "completed");
  // the latest completion by timestamp; without timestamps, the last completed in plan order
  const last = [...completed]
    .sort((a, b) => (a.completion_timestamp ?? "").localeCompare(b.completion_timestamp ?? ""))
    .at(-1);
  return {
    active_phase: active?.id ?? null,
    active_objective: all.find((o) => o.status === "in_progress")?.id ?? null,
    last_completed_objective: last?.id ?? null,
    next_pending_objective: nextObjective(goals)?.id ?? null,
    completion_percentage: completionPercentage(goals),
  };
}
