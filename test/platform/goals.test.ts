import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultPlatform } from "../../src/platform/definition.ts";
import { derive, nextObjective } from "../../src/platform/goals/derive.ts";
import { readGoals, writeGoals } from "../../src/platform/goals/goals-file.ts";
import { type Goals, allObjectives } from "../../src/platform/goals/goals.ts";
import { builtInGoals } from "../../src/platform/goals/plan.ts";

const complete = (g: Goals, ids: string[]) => {
  for (const o of allObjectives(g))
    if (ids.includes(o.id))
      Object.assign(o, {
        status: "completed",
        completion_timestamp: `2026-01-0${ids.indexOf(o.id) + 1}T00:00:00Z`,
      });
  return derive(g);
};

describe("goals.json", () => {
  it("has the seed's phases 1-4 and objectives 1.1-4.4, sized from the definition", () => {
    const g = builtInGoals(defaultPlatform(), new Date("2026-01-01T00:00:00Z"));
    expect(g.phases.map((p) => p.id)).toEqual(["phase_1", "phase_2", "phase_3", "phase_4"]);
    expect(allObjectives(g).map((o) => o.id)).toEqual([
      "1.1",
      "1.2",
      "1.3",
      "1.4",
      "2.1",
      "2.2",
      "2.3",
      "2.4",
      "3.1",
      "3.2",
      "3.3",
      "3.4",
      "4.1",
      "4.2",
      "4.3",
      "4.4",
    ]);
    expect(allObjectives(g).find((o) => o.id === "1.2")?.name).toBe("floe catalog");
    expect(g.phases[1]?.resource_allocation).toEqual({ memory: "42Gi", cpu: "12", storage: "120Gi" });
    expect(g.current_status).toEqual({
      active_phase: "phase_1",
      active_objective: null,
      last_completed_objective: null,
      next_pending_objective: "1.1",
      completion_percentage: 0,
    });
    expect(g.phases.map((p) => p.status)).toEqual(["ready_to_start", "pending", "pending", "pending"]);
  });

  it("derives the percentage and the phase statuses from the objectives", () => {
    const g = complete(builtInGoals(defaultPlatform()), ["1.1", "1.2", "1.3", "1.4", "2.1"]);
    expect(g.current_status.completion_percentage).toBe(31); // round(100 * 5 / 16)
    expect(g.phases.map((p) => p.status)).toEqual(["completed", "in_progress", "pending", "pending"]);
    expect(g.current_status.active_phase).toBe("phase_2");
    expect(g.current_status.last_completed_objective).toBe("2.1");
    expect(g.current_status.next_pending_objective).toBe("2.2");
    // 3.1 needs only 1.3: it is available although phase 3 has not started
    Object.assign(
      allObjectives(g).find((o) => o.id === "2.2")!,
      { status: "blocked", notes: "image pull" },
    );
    derive(g);
    expect(nextObjective(g)?.id).toBe("3.1");
    expect(g.phases[1]?.status).toBe("in_progress");
  });

  it("reads the original's files as they are and corrects drifted statuses", () => {
    const dir = mkdtempSync(join(tmpdir(), "floe-goals-"));
    const original = {
      metadata: {
        initiative: "data platform",
        created: "2025-01-01",
        last_updated: "2025-02-01",
        version: "1.0",
        owner: "me",
      },
      trigger_conditions: {
        storage_usage_threshold: "200Gi",
        evaluation_status: "override",
        evaluation_notes: "manual",
      },
      phases: [
        {
          id: "phase_1",
          name: "Foundation",
          status: "in_progress", // drifted: every objective is done
          objectives: [
            {
              id: "1.1",
              name: "S3",
              status: "completed",
              prerequisites: ["Ceph object store operational"],
              completion_timestamp: "2025-01-10T00:00:00Z",
            },
            {
              id: "1.2",
              name: "Nessie",
              status: "completed",
              prerequisites: ["1.1"],
              completion_timestamp: "2025-01-12T00:00:00Z",
            },
          ],
        },
        {
          id: "phase_2",
          name: "Compute",
          status: "completed",
          objectives: [{ id: "2.1", name: "Spark Operator", status: "pending", prerequisites: ["1.2"] }],
        },
      ],
      current_status: { completion_percentage: 27, active_phase: "phase_1" },
      risk_assessment: { high_risks: [] },
    };
    writeFileSync(join(dir, "goals.json"), JSON.stringify(original));
    const g = readGoals("goals.json", dir);
    expect(g.phases.map((p) => p.status)).toEqual(["completed", "ready_to_start"]);
    expect(g.current_status).toMatchObject({
      completion_percentage: 67,
      active_phase: "phase_2",
      next_pending_objective: "2.1",
      last_completed_objective: "1.2",
    });
    writeGoals("goals.json", g, new Date("2026-03-01T00:00:00Z"), dir);
    const written = JSON.parse(readFileSync(join(dir, "goals.json"), "utf8"));
    expect(written.metadata).toMatchObject({ owner: "me", last_updated: "2026-03-01T00:00:00.000Z" });
    expect(written.risk_assessment).toEqual({ high_risks: [] });
    expect(written.phases[0].objectives[0].prerequisites).toEqual(["Ceph object store operational"]);
  });

  it("names the field of a bad goals.json", () => {
    const dir = mkdtempSync(join(tmpdir(), "floe-goals-"));
    const bad = (doc: unknown) => {
      writeFileSync(join(dir, "goals.json"), JSON.stringify(doc));
      return () => readGoals("goals.json", dir);
    };
    expect(
      bad({ phases: [{ id: "p", name: "P", objectives: [{ id: "1", name: "x", status: "done" }] }] }),
    ).toThrow(
      "goals.json: phases[0].objectives[0].status: expected one of pending, in_progress, completed, blocked, got 'done'",
    );
    expect(bad({ phases: {} })).toThrow("goals.json: phases: expected a list, got a mapping");
    expect(
      bad({
        phases: [
          { id: "p", name: "P", objectives: [{ id: "1", name: "x", completion_timestamp: "yesterday" }] },
        ],
      }),
    ).toThrow(/phases\[0\]\.objectives\[0\]\.completion_timestamp: expected null or an ISO-8601 time/);
    expect(
      bad({
        phases: [
          {
            id: "p",
            name: "P",
            objectives: [
              { id: "1", name: "x" },
              { id: "1", name: "y" },
            ],
          },
        ],
      }),
    ).toThrow("objective id '1' appears twice");
    writeFileSync(join(dir, "goals.json"), "{");
    expect(() => readGoals("goals.json", dir)).toThrow(/^goals\.json: not valid JSON/);
  });
});
