import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parsePlatform } from "../../src/platform/platform-file.ts";
import type { ReviewReport } from "../../src/platform/review.ts";
import { runFloe } from "../cli/floe-process.ts";
import { FakeKubeApi } from "../support/fake-kube-api.ts";
import { healthyCluster } from "./cluster-fixture.ts";

/** `floe platform review` as a process, on goals.json and the in-process Kubernetes API server. */
const s3 = inject("s3");
let api: FakeKubeApi;

beforeAll(async () => {
  api = await new FakeKubeApi().start();
});
afterAll(async () => {
  await api?.stop();
});

describe("floe platform review", () => {
  it("reports status, phases, triggers, readiness, the next objective, blockers, resources and next actions", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "floe-review-"));
    expect((await runFloe(["platform", "init"], { cwd })).code).toBe(0);
    writeFileSync(join(cwd, "floe.platform.yaml"), `buckets:\n  warehouse: ${s3.bucket}\n`);
    const goals = JSON.parse(readFileSync(join(cwd, "goals.json"), "utf8"));
    for (const o of goals.phases[0].objectives)
      if (o.id !== "1.4")
        Object.assign(o, { status: "completed", completion_timestamp: "2026-01-01T00:00:00Z" });
    goals.phases[0].objectives[3].status = "blocked";
    goals.phases[0].objectives[3].notes = "restore test failed";
    writeFileSync(join(cwd, "goals.json"), JSON.stringify(goals));
    healthyCluster(api, parsePlatform({ buckets: { warehouse: s3.bucket } }, "t"), s3);
    api.remove("/api/v1/namespaces/data-platform/secrets/floe-db-app");

    const r = await runFloe(
      ["platform", "review", "--kubeconfig", api.kubeconfig, "--s3-endpoint", s3.endpoint, "--json"],
      { cwd },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ReviewReport;
    expect(report.status).toEqual({
      phase: "phase_1",
      phaseName: "Foundation",
      completed: 3,
      total: 16,
      percentage: 19,
      next: "2.1",
    });
    expect(report.phases.map((p) => p.status)).toEqual(["in_progress", "pending", "pending", "pending"]);
    expect(report.triggers).toContainEqual({ condition: "storage_usage_threshold", value: "200Gi" });
    expect(report.readiness.find((c) => c.id === "secrets")?.status).toBe("fail");
    expect(report.readiness.find((c) => c.id === "floe")?.status).toBe("skip");
    expect(report.current).toMatchObject({
      id: "2.1",
      name: "Spark Operator",
      unmetPrerequisites: [],
      deliverables: ["spark-operator"],
    });
    expect(report.blockers).toEqual([
      "1.4 Catalog metadata backup is blocked: restore test failed",
      "secrets: missing in data-platform: floe-db-app",
    ]);
    expect(report.resources).toMatchObject({
      phase: "phase_2",
      needs: { memory: "42Gi", cpu: "12" },
      fits: true,
    });
    expect(report.nextActions[0]).toMatch(/^fix secrets: /);

    const human = await runFloe(
      ["platform", "review", "--kubeconfig", api.kubeconfig, "--s3-endpoint", s3.endpoint],
      { cwd },
    );
    expect(human.stdout).toContain("objectives: 3/16 completed");
    expect(human.stdout).toMatch(/^phase_1 +Foundation +in_progress +3\/4$/m);
    expect(human.stdout).toContain("objective 2.1 Spark Operator (pending)");
    expect(human.stdout).toContain("  - 1.4 Catalog metadata backup is blocked: restore test failed");
    expect(human.stdout).toContain(
      "resources: phase_2 needs 42Gi, 12 cores, 120Gi; free 92Gi, 25.5 cores — fits",
    );
  }, 300_000);

  it("says how to create goals.json when there is none", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "floe-review-"));
    writeFileSync(join(cwd, "floe.platform.yaml"), "");
    const r = await runFloe(["platform", "review", "--kubeconfig", api.kubeconfig], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("error: goals.json does not exist (create one with 'floe platform init')\n");
  }, 300_000);
});
