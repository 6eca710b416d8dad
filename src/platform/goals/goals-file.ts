import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { badRequest } from "../../core/errors.ts";
import { show } from "../fields.ts";
import { derive } from "./derive.ts";
import { type Goals, OBJECTIVE_STATUSES, type Objective, type Phase } from "./goals.ts";

/** Where the bootstrap's state lives unless `--goals` names another file. */
export const GOALS_FILE = "goals.json";

/**
 * Reads goals.json — floe's or the seed's original — checks its shape with errors that name the
 * field (`phases[1].objectives[0].status: expected one of …`), keeps fields floe does not know,
 * and derives the phase statuses and `current_status` from the objectives.
 */
export function readGoals(file: string, cwd = process.cwd()): Goals {
  const path = resolve(cwd, file);
  if (!existsSync(path)) throw badRequest(`${file} does not exist (create one with 'floe platform init')`);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw badRequest(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  try {
    return derive(checkGoals(doc));
  } catch (e) {
    throw badRequest(`${file}: ${(e as Error).message}`);
  }
}

/** Writes goals.json with every derived field recomputed and `metadata.last_updated` set (atomically). */
export function writeGoals(file: string, goals: Goals, now: Date = new Date(), cwd = process.cwd()): void {
  derive(goals);
  goals.metadata.last_updated = now.toISOString();
  const path = resolve(cwd, file);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(goals, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

type Obj = Record<string, unknown>;

function mapping(v: unknown, path: string): Obj {
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw new Error(`${path}: expected an object, got ${show(v)}`);
  return v as Obj;
}

function str(o: Obj, key: string, path: string, dflt?: string): string {
  const v = o[key] ?? dflt;
  if (typeof v !== "string") throw new Error(`${path}.${key}: expected a string, got ${show(v)}`);
  return v;
}

function strings(o: Obj, key: string, path: string): string[] {
  const v = o[key] ?? [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
    throw new Error(`${path}.${key}: expected a list of strings`);
  return v as string[];
}

function checkObjective(v: unknown, path: string): Objective {
  const o = mapping(v, path);
  const status = o.status ?? "pending";
  if (typeof status !== "string" || !(OBJECTIVE_STATUSES as readonly string[]).includes(status)) {
    throw new Error(`${path}.status: expected one of ${OBJECTIVE_STATUSES.join(", ")}, got ${show(status)}`);
  }
  const ts = o.completion_timestamp ?? null;
  if (ts !== null && (typeof ts !== "string" || Number.isNaN(Date.parse(ts)))) {
    throw new Error(`${path}.completion_timestamp: expected null or an ISO-8601 time, got ${show(ts)}`);
  }
  const assigned = o.assigned_to ?? null;
  if (assigned !== null && typeof assigned !== "string")
    throw new Error(`${path}.assigned_to: expected null or a string`);
  return {
    ...o,
    id: str(o, "id", path),
    name: str(o, "name", path),
    description: str(o, "description", path, ""),
    status: status as Objective["status"],
    prerequisites: strings(o, "prerequisites", path),
    deliverables: strings(o, "deliverables", path),
    validation_criteria: strings(o, "validation_criteria", path),
    estimated_duration: str(o, "estimated_duration", path, ""),
    assigned_to: assigned as string | null,
    completion_timestamp: ts as string | null,
  };
}

function checkPhase(v: unknown, path: string): Phase {
  const p = mapping(v, path);
  if (!Array.isArray(p.objectives)) throw new Error(`${path}.objectives: expected a list`);
  const ra = mapping(p.resource_allocation ?? {}, `${path}.resource_allocation`);
  return {
    ...p,
    id: str(p, "id", path),
    name: str(p, "name", path),
    description: str(p, "description", path, ""),
    status: "pending",
    estimated_duration: str(p, "estimated_duration", path, ""),
    resource_allocation: {
      memory: String(ra.memory ?? "0"),
      cpu: String(ra.cpu ?? "0"),
      storage: String(ra.storage ?? "0"),
    },
    success_criteria: strings(p, "success_criteria", path),
    objectives: p.objectives.map((x, i) => checkObjective(x, `${path}.objectives[${i}]`)),
  };
}

/** Checks a parsed goals document; throws an Error naming the field. */
export function checkGoals(doc: unknown): Goals {
  const g = mapping(doc, "document");
  if (!Array.isArray(g.phases)) throw new Error(`phases: expected a list, got ${show(g.phases)}`);
  const phases = g.phases.map((p, i) => checkPhase(p, `phases[${i}]`));
  const ids = new Set<string>();
  for (const o of phases.flatMap((p) => p.objectives)) {
    if (ids.has(o.id)) throw new Error(`objective id '${o.id}' appears twice`);
    ids.add(o.id);
  }
  const meta = mapping(g.metadata ?? {}, "metadata");
  const triggers = mapping(g.trigger_conditions ?? {}, "trigger_conditions");
  return {
    ...g,
    metadata: {
      ...meta,
      initiative: str(meta, "initiative", "metadata", ""),
      description: str(meta, "description", "metadata", ""),
      created: str(meta, "created", "metadata", ""),
      last_updated: str(meta, "last_updated", "metadata", ""),
      version: str(meta, "version", "metadata", "1.0"),
    },
    trigger_conditions: {
      ...triggers,
      storage_usage_threshold: str(triggers, "storage_usage_threshold", "trigger_conditions", "200Gi"),
      evaluation_status: str(triggers, "evaluation_status", "trigger_conditions", "pending"),
      evaluation_notes: str(triggers, "evaluation_notes", "trigger_conditions", ""),
    },
    phases,
    current_status: {
      active_phase: null,
      active_objective: null,
      last_completed_objective: null,
      next_pending_objective: null,
      completion_percentage: 0,
    },
  };
}
