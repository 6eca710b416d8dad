import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { ExecuteReport } from "../../src/platform/execute.ts";
import type { Goals } from "../../src/platform/goals/goals.ts";
import { parsePlatform } from "../../src/platform/platform-file.ts";
import { type RunResult, runFloe } from "../cli/floe-process.ts";
import { FakeKubeApi } from "../support/fake-kube-api.ts";
import { healthyCluster, playSparkOperator } from "./cluster-fixture.ts";

/**
 * `floe platform execute` as a process, on a temporary GitOps repository (a real git work tree)
 * and the in-process Kubernetes API server, where the test plays Flux: it marks an objective's
 * Kustomizations Ready only once the objective's commit has appeared.
 */
const s3 = inject("s3");
const platform = parsePlatform({ buckets: { warehouse: s3.bucket } }, "t");
let api: FakeKubeApi;
let repo: string;

const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" }).trim();
const goals = (): Goals => JSON.parse(readFileSync(join(repo, "goals.json"), "utf8")) as Goals;
const objective = (id: string) =>
  goals()
    .phases.flatMap((p) => p.objectives)
    .find((o) => o.id === id)!;

/** A Kustomization as Flux reports it; `applied` is the commit of its last applied revision. */
function flux(name: string, ready: boolean, message: string, applied?: string): void {
  api.put(`/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/${name}`, {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name, namespace: "flux-system" },
    status: {
      conditions: [{ type: "Ready", status: ready ? "True" : "False", reason: "x", message }],
      ...(applied ? { lastAppliedRevision: `main@sha1:${applied}` } : {}),
    },
  });
}

const live = () => ["--kubeconfig", api.kubeconfig, "--s3-endpoint", s3.endpoint, "--poll-interval", "100ms"];

/** Runs execute; once a new commit lands, marks `reconciled` Ready (as Flux would after pulling it). */
async function executeWithFlux(args: string[], reconciled: string[]): Promise<RunResult> {
  const before = git("rev-parse", "HEAD");
  const run = runFloe(["platform", "execute", ...args, ...live()], { cwd: repo });
  let done = false;
  void run.finally(() => (done = true));
  while (!done && git("rev-parse", "HEAD") === before) await new Promise((r) => setTimeout(r, 50));
  const head = git("rev-parse", "HEAD");
  for (const name of reconciled) flux(name, true, `Applied revision: main@sha1:${head}`, head);
  return run;
}

beforeAll(async () => {
  api = await new FakeKubeApi().start();
  healthyCluster(api, platform, s3);
  repo = mkdtempSync(join(tmpdir(), "floe-execute-"));
  git("init", "--quiet", "-b", "main");
  git("config", "user.email", "test@floe.invalid");
  git("config", "user.name", "floe test");
  expect((await runFloe(["platform", "init"], { cwd: repo })).code).toBe(0);
  writeFileSync(join(repo, "floe.platform.yaml"), `buckets:\n  warehouse: ${s3.bucket}\n`);
  const g = goals();
  g.trigger_conditions.evaluation_status = "met";
  writeFileSync(join(repo, "goals.json"), JSON.stringify(g, null, 2));
  git("add", ".");
  git("commit", "--quiet", "-m", "platform definition");
}, 120_000);
afterAll(async () => {
  await api?.stop();
});

describe("floe platform execute", () => {
  it("--dry-run shows the next objective's checks and files and changes nothing", async () => {
    const head = git("rev-parse", "HEAD");
    const before = readFileSync(join(repo, "goals.json"), "utf8");
    const r = await runFloe(["platform", "execute", "--dry-run", "--json", ...live()], { cwd: repo });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ExecuteReport;
    expect(report).toMatchObject({ objective: { id: "1.1" }, status: "planned", dryRun: true });
    expect(report.checks.map((c) => [c.check, c.ok])).toEqual([
      ["prerequisites", true],
      ["capacity", true],
      ["trigger", true],
    ]);
    expect(report.files).toContain("kubernetes/apps/data-platform/floe-storage/ks.yaml");
    expect(report.files.some((f) => f.includes("/floe-catalog/"))).toBe(false);
    expect(report.kustomizations.map((k) => k.name)).toEqual(["floe-storage", "floe-secrets", "guardrails"]);
    expect(git("rev-parse", "HEAD")).toBe(head);
    expect(git("status", "--porcelain")).toBe("");
    expect(readFileSync(join(repo, "goals.json"), "utf8")).toBe(before);
  }, 120_000);

  it("carries out 1.1: commits its apps, waits for Flux, validates, marks it completed", async () => {
    const r = await executeWithFlux(["--json"], ["floe-storage", "floe-secrets", "guardrails"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ExecuteReport;
    expect(report.status).toBe("completed");
    expect(report.validation.map((v) => [v.id, v.status])).toEqual([
      ["object-store", "ok"],
      ["bucket-claims", "ok"],
      ["s3", "ok"],
    ]);
    expect(git("log", "-1", "--format=%H %s")).toBe(
      `${report.commit} floe platform execute 1.1: S3 storage validation`,
    );
    expect(git("ls-files", "kubernetes/apps/data-platform/floe-storage")).toContain("ks.yaml");
    const kust = git("show", "HEAD:kubernetes/apps/data-platform/kustomization.yaml");
    expect(kust).toContain("floe-storage/ks.yaml");
    expect(kust).not.toContain("floe-catalog/ks.yaml");
    const o = objective("1.1");
    expect(o.status).toBe("completed");
    expect(o.completion_timestamp).toBe(report.completionTimestamp);
    expect(goals().current_status).toMatchObject({ completion_percentage: 6, next_pending_objective: "1.2" });
  }, 120_000);

  it("blocks 1.2 and reverts its commit when Flux never reports Ready within the timeout", async () => {
    flux("floe-database", false, "Health check failed: Cluster/floe-db not ready");
    const r = await runFloe(["platform", "execute", "1.2", "--timeout", "1s", ...live()], { cwd: repo });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      "flux flux-system/floe-database: Health check failed: Cluster/floe-db not ready",
    );
    expect(r.stdout).toMatch(
      /^blocked: Flux did not report Ready at [0-9a-f]{12} within the timeout: floe-database \(Health check failed/m,
    );
    expect(git("log", "-2", "--format=%s").split("\n")).toEqual([
      'Revert "floe platform execute 1.2: floe catalog"',
      "floe platform execute 1.2: floe catalog",
    ]);
    expect(existsSync(join(repo, "kubernetes/apps/data-platform/floe-catalog"))).toBe(false);
    expect(objective("1.2")).toMatchObject({ status: "blocked", completion_timestamp: null });
    expect(objective("1.2").notes).toMatch(/^Flux did not report Ready/);
  }, 120_000);

  it("blocks 1.2 and reverts when its validation fails after Flux is Ready", async () => {
    api.put("/apis/postgresql.cnpg.io/v1/namespaces/data-platform/clusters/floe-db", {
      apiVersion: "postgresql.cnpg.io/v1",
      kind: "Cluster",
      metadata: { name: "floe-db", namespace: "data-platform" },
      spec: { instances: 3 },
      status: { phase: "Setting up primary", readyInstances: 0 },
    });
    const r = await executeWithFlux(["1.2", "--json"], ["floe-database", "floe-catalog"]);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as ExecuteReport;
    expect(report.status).toBe("blocked");
    expect(report.reason).toMatch(/^validation failed: database: /);
    expect(git("rev-parse", "HEAD")).toBe(report.revertCommit);
    expect(git("rev-parse", "HEAD~1")).toBe(report.commit);
    expect(git("status", "--porcelain", "--", "kubernetes")).toBe("");
    expect(objective("1.2").notes).toBe(report.reason);
  }, 120_000);

  it("blocks 1.2 and reverts when Flux is Ready only at an earlier revision than its commit", async () => {
    // Both Kustomizations are Ready, as the previous test left them, at the commit reverted
    // there: Flux has not pulled this execute's commit, so the objective is not reconciled.
    const stale = git("rev-parse", "HEAD~1");
    flux("floe-database", true, `Applied revision: main@sha1:${stale}`, stale);
    flux("floe-catalog", true, `Applied revision: main@sha1:${stale}`);
    const r = await runFloe(["platform", "execute", "1.2", "--timeout", "1s", "--json", ...live()], {
      cwd: repo,
    });
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as ExecuteReport;
    expect(report.status).toBe("blocked");
    expect(report.kustomizations).toEqual([
      {
        name: "floe-database",
        ready: false,
        message: `Ready at main@sha1:${stale}, not yet at ${report.commit!.slice(0, 12)}`,
      },
      {
        name: "floe-catalog",
        ready: false,
        message: `Ready at ${stale}, not yet at ${report.commit!.slice(0, 12)}`,
      },
    ]);
    expect(report.reason).toBe(
      `Flux did not report Ready at ${report.commit!.slice(0, 12)} within the timeout: ` +
        report.kustomizations.map((k) => `${k.name} (${k.message})`).join(", "),
    );
    expect(report.validation).toEqual([]);
    expect(git("rev-parse", "HEAD")).toBe(report.revertCommit);
    expect(objective("1.2")).toMatchObject({ status: "blocked", notes: report.reason });
  }, 120_000);

  it("refuses an objective whose prerequisites are not completed; --override goes ahead and is recorded", async () => {
    const head = git("rev-parse", "HEAD");
    const refused = await runFloe(["platform", "execute", "3.1", ...live()], { cwd: repo });
    expect(refused.code).toBe(2);
    expect(refused.stdout).toMatch(/^prerequisites +FAIL +not completed: 1\.3$/m);
    expect(refused.stdout).toContain(
      'refused: prerequisites: not completed: 1.3 (give --override "<reason>" to go ahead)',
    );
    expect(git("rev-parse", "HEAD")).toBe(head);
    expect(objective("3.1").status).toBe("pending");

    const r = await executeWithFlux(["3.1", "--override", "Trino first for the demo", "--json"], ["trino"]);
    expect(r.stderr).toBe("");
    const report = JSON.parse(r.stdout) as ExecuteReport;
    expect(report.status).toBe("completed");
    expect(report.checks.find((c) => c.check === "prerequisites")).toMatchObject({
      ok: false,
      overridden: true,
    });
    const o = objective("3.1");
    expect(o.status).toBe("completed");
    expect(o.overrides).toEqual([
      expect.objectContaining({
        check: "prerequisites",
        reason: "Trino first for the demo",
        detail: "not completed: 1.3",
      }),
    ]);
  }, 120_000);

  it("validates 2.1 with a SparkPi run once Flux is Ready (the test plays the Spark Operator)", async () => {
    const operator = playSparkOperator(api, platform, [{ state: "RUNNING" }, { state: "COMPLETED" }]);
    const r = await executeWithFlux(["2.1", "--override", "Spark first", "--json"], ["spark-operator"]);
    const app = await operator;
    expect(r.stderr).toBe("");
    const report = JSON.parse(r.stdout) as ExecuteReport;
    expect(report.status).toBe("completed");
    expect(report.validation.map((v) => [v.id, v.status, v.detail])).toEqual([
      ["spark", "ok", "CRD present; 1 SparkApplications, none stuck"],
      ["spark-pi", "ok", `${app.split("/").at(-1)} COMPLETED`],
    ]);
    expect(api.get(app)).toBeUndefined();
    expect(objective("2.1").status).toBe("completed");
  }, 120_000);

  it("says in one line what is wrong: unknown id, already completed, not a git work tree, dirty repo", async () => {
    const err = async (args: string[]) => {
      const r = await runFloe(["platform", "execute", ...args, ...live()], { cwd: repo });
      expect(r.code).toBe(1);
      return r.stderr;
    };
    expect(await err(["9.9"])).toMatch(/^error: unknown objective '9\.9' \(known: 1\.1, 1\.2/);
    expect(await err(["1.1"])).toMatch(/^error: objective 1\.1 is already completed \(\d{4}-/);
    const plain = mkdtempSync(join(tmpdir(), "floe-execute-plain-"));
    expect(await err(["1.2", "--repo", plain])).toBe(
      `error: ${plain} is not a git work tree (give the GitOps repository with --repo)\n`,
    );
    writeFileSync(join(repo, "stray.txt"), "x");
    expect(await err(["1.2"])).toMatch(
      /has uncommitted changes \(stray\.txt\); commit or stash them first\n$/,
    );
  }, 120_000);
});
