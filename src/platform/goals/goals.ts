/**
 * goals.json in the seed's shape (docs/platform.md, "goals.json"): phases of objectives with
 * their statuses, plus metadata, trigger conditions, risks and dependencies kept as they are read.
 * Only objective statuses and timestamps are facts; phase statuses, the completion percentage and
 * `current_status` are derived from them (derive.ts) every time the file is read or written.
 */
export const OBJECTIVE_STATUSES = ["pending", "in_progress", "completed", "blocked"] as const;
export type ObjectiveStatus = (typeof OBJECTIVE_STATUSES)[number];

export const PHASE_STATUSES = ["pending", "ready_to_start", "in_progress", "completed"] as const;
export type PhaseStatus = (typeof PHASE_STATUSES)[number];

export interface Objective {
  id: string;
  name: string;
  description: string;
  status: ObjectiveStatus;
  /** Objective ids (checked) or, in files written by hand, sentences (shown, not checked). */
  prerequisites: string[];
  deliverables: string[];
  validation_criteria: string[];
  estimated_duration: string;
  assigned_to: string | null;
  completion_timestamp: string | null;
  notes?: string;
  [extra: string]: unknown;
}

export interface Phase {
  id: string;
  name: string;
  description: string;
  status: PhaseStatus;
  estimated_duration: string;
  resource_allocation: { memory: string; cpu: string; storage: string };
  success_criteria: string[];
  objectives: Objective[];
  [extra: string]: unknown;
}

export interface CurrentStatus {
  active_phase: string | null;
  active_objective: string | null;
  last_completed_objective: string | null;
  next_pending_objective: string | null;
  completion_percentage: number;
}

export interface Goals {
  metadata: {
    initiative: string;
    description: string;
    created: string;
    last_updated: string;
    version: string;
    [extra: string]: unknown;
  };
  trigger_conditions: {
    storage_usage_threshold: string;
    evaluation_status: string;
    evaluation_notes: string;
    [extra: string]: unknown;
  };
  phases: Phase[];
  current_status: CurrentStatus;
  [extra: string]: unknown;
}

export function allObjectives(goals: Goals): Objective[] {
  return goals.phases.flatMap((p) => p.objectives);
}
