import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type CheckResult } from "../../src/platform/checks/check.ts";
import { parsePlatform } from "../../src/platform/platform-file.ts";
import { doctor } from "../../src/platform/doctor.ts";
import { connectKube } from "../../src/platform/kube.ts";
import { type FloeServer, runFloe, startFloe } from "../cli/floe-process.ts";
import { FakeKubeApi } from "../support/fake-kube-api.ts";
import { healthyCluster, playSparkOperator, sparkApplication } from "./cluster-fixture.ts";

/**
 * `floe doctor` against the in-process Kubernetes API server (test/support/fake-kube-api.ts), a
 * real `floe serve`, and the suite's real S3 server (SeaweedFS). Tests that run floe as a process
 * have a generous timeout: process start-up is slow on a busy machine.
 */
const s3 = inject("s3");
const platform = parsePlatform({ buckets: { warehouse: s3.bucket } }, "test");
let api: FakeKubeApi;
let floe: FloeServer;
let cwd: string;

beforeAll(async () => {
  api = await new FakeKubeApi().start();
  cwd = mkdtempSync(join(tmpdir(), "floe-doctor-"));
  floe = await startFloe("serve", ["--store", `pglite:${join(cwd, "catalog")}`, "--port", "0"], { cwd });
});

afterAll(async () => {
  await api?.stop();
  if (floe) await floe.stop("SIGTERM");
});

const byId = (checks: readonly CheckResult[], id: string) => checks.find((c) => c.id === id)!;
const progress: string[] = [];
const run = (
  over: Partial<{ floeUrl: string; s3Endpoint: string; sparkPi: { timeoutMs: number; pollMs: number } }> = {},
) =>
  doctor({
    platform,
    kube: connectKube({ kubeconfig: api.kubeconfig }),
    floeUrl: floe.url,
    s3Endpoint: s3.endpoint,
    progress: (line) => progress.push(line),
    ...over,
  });
/** Waits as long as the test does: the played operator, not the timeout, ends these runs. */
const sparkPi = { timeoutMs: 600_000, pollMs: 10 };

describe("floe doctor", () => {
  it("passes on a healthy platform: every check ok, Trino skipped without a URL", async () => {
    healthyCluster(api, platform, s3);
    const operator = playSparkOperator(api, platform, [
      { state: "SUBMITTED" },
      { state: "RUNNING" },
      { state: "COMPLETED" },
    ]);
    progress.length = 0;
    const report = await run({ sparkPi });
    const app = await operator;
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ["nodes", "ok"],
      ["object-store", "ok"],
      ["bucket-claims", "ok"],
      ["secrets", "ok"],
      ["database", "ok"],
      ["catalog", "ok"],
      ["floe", "ok"],
      ["s3", "ok"],
      ["spark", "ok"],
      ["spark-pi", "ok"],
      ["trino", "skip"],
    ]);
    expect(report.exitCode).toBe(0);
    // SparkPi from the platform's image, in the job namespace, under a unique name; deleted after
    const name = app.split("/").at(-1)!;
    expect(name).toMatch(/^floe-doctor-pi-[0-9a-f]{8}$/);
    expect(byId(report.checks, "spark-pi").detail).toBe(`${name} COMPLETED`);
    expect(api.created.get(app)).toMatchObject({
      apiVersion: "sparkoperator.k8s.io/v1beta2",
      kind: "SparkApplication",
      metadata: { name, namespace: "data-platform" },
      spec: {
        image: platform.versions.sparkImage,
        mainClass: "org.apache.spark.examples.SparkPi",
        driver: { serviceAccount: "spark-application-sa" },
      },
    });
    expect(api.requests.at(-1)).toBe(`DELETE ${app}`);
    expect(api.get(app)).toBeUndefined();
    expect(progress).toEqual([
      `spark-pi: created data-platform/${name} (image ${platform.versions.sparkImage})`,
      `spark-pi: data-platform/${name} SUBMITTED`,
      `spark-pi: data-platform/${name} RUNNING`,
      `spark-pi: data-platform/${name} COMPLETED`,
    ]);
    expect(byId(report.checks, "nodes").detail).toBe("2 nodes; free 25.5 of 32 cores, 92Gi of 128Gi");
    expect(byId(report.checks, "floe").detail).toMatch(
      /^ready; committed and read back a namespace on scratch branch floe-doctor-/,
    );
    // the API calls floe makes
    expect(api.requests).toContain(
      `GET /apis/objectbucket.io/v1alpha1/namespaces/data-platform/objectbucketclaims`,
    );
    expect(api.requests).toContain(`GET /api/v1/namespaces/data-platform/secrets/floe-s3`);
  });

  it("diagnoses bucket claims that never bind, and exits 2", async () => {
    healthyCluster(api, platform, s3);
    api.put(`/apis/objectbucket.io/v1alpha1/namespaces/data-platform/objectbucketclaims/iceberg-test`, {
      apiVersion: "objectbucket.io/v1alpha1",
      kind: "ObjectBucketClaim",
      metadata: { name: "iceberg-test", namespace: "data-platform" },
      status: { phase: "Pending" },
    });
    api.remove(`/apis/objectbucket.io/v1alpha1/namespaces/data-platform/objectbucketclaims/spark-logs`);
    const report = await run();
    const claims = byId(report.checks, "bucket-claims");
    expect(claims.status).toBe("fail");
    expect(claims.detail).toBe("not Bound: iceberg-test Pending, spark-logs missing");
    expect(claims.fix).toContain("ROOK_OBC_ALLOW_ADDITIONAL_CONFIG_FIELDS");
    expect(report.exitCode).toBe(2);
  });

  it("diagnoses S3 access denied with wrong keys", async () => {
    healthyCluster(api, platform, { accessKeyId: s3.accessKeyId, secretAccessKey: "not-the-secret" });
    const report = await run();
    const check = byId(report.checks, "s3");
    expect(check.status).toBe("fail");
    expect(check.cause).toMatch(/^S3 access denied: the keys in floe-s3/);
  });

  it("diagnoses a catalog that cannot start because its database secret is missing", async () => {
    healthyCluster(api, platform, s3);
    api.remove(`/api/v1/namespaces/data-platform/secrets/floe-db-app`);
    api.put(`/apis/apps/v1/namespaces/data-platform/deployments/floe`, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "floe", namespace: "data-platform" },
      spec: { replicas: 2, selector: {}, template: {} },
      status: { replicas: 2, availableReplicas: 0 },
    });
    const report = await run({ floeUrl: "http://127.0.0.1:9" });
    expect(byId(report.checks, "catalog").cause).toMatch(/database secret floe-db-app is missing/);
    expect(byId(report.checks, "secrets").detail).toBe("missing in data-platform: floe-db-app");
    expect(byId(report.checks, "floe").cause).toMatch(/^catalog connection failed/);
  });

  it("warns about a Spark job stuck before submission, and exits 1", async () => {
    healthyCluster(api, platform, s3);
    sparkApplication(api, platform, "iceberg-check", "SUBMITTED", 25);
    sparkApplication(api, platform, "fresh", "SUBMITTED", 1);
    const report = await run();
    const spark = byId(report.checks, "spark");
    expect(spark.status).toBe("warn");
    expect(spark.detail).toBe("stuck for over 10 minutes: iceberg-check");
    expect(spark.cause).toMatch(/^Spark job stuck/);
    expect(report.exitCode).toBe(1);
    api.remove(`/apis/sparkoperator.k8s.io/v1beta2/namespaces/data-platform/sparkapplications/iceberg-check`);
    api.remove(`/apis/sparkoperator.k8s.io/v1beta2/namespaces/data-platform/sparkapplications/fresh`);
  });

  it("reports a failed SparkPi run with the driver's error message, and deletes it", async () => {
    healthyCluster(api, platform, s3);
    const operator = playSparkOperator(api, platform, [
      { state: "RUNNING" },
      { state: "FAILED", errorMessage: "driver container failed with ExitCode: 1, Reason: Error\nmore" },
    ]);
    const report = await run({ sparkPi });
    const app = await operator;
    const check = byId(report.checks, "spark-pi");
    expect(check.status).toBe("fail");
    expect(check.detail).toBe(
      `${app.split("/").at(-1)} FAILED: driver container failed with ExitCode: 1, Reason: Error`,
    );
    expect(check.cause).toMatch(/^the driver failed/);
    expect(api.get(app)).toBeUndefined();
    expect(report.exitCode).toBe(2);
  });

  it("diagnoses a SparkPi run that never starts as a stuck Spark job when the timeout passes", async () => {
    healthyCluster(api, platform, s3);
    const report = await run({ sparkPi: { timeoutMs: 200, pollMs: 20 } });
    const check = byId(report.checks, "spark-pi");
    expect(check.status).toBe("fail");
    expect(check.detail).toMatch(/^floe-doctor-pi-[0-9a-f]{8} did not start within 0\.2s \(state none\)$/);
    expect(check.cause).toMatch(/^Spark job stuck/);
    const app = [...api.created.keys()].at(-1)!;
    expect(api.requests).toContain(`DELETE ${app}`);
    expect(api.get(app)).toBeUndefined();
    // without the option (floe platform review, floe doctor --no-spark-pi) nothing is created
    const created = api.created.size;
    expect(byId((await run()).checks, "spark-pi")).toMatchObject({ status: "skip" });
    expect(api.created.size).toBe(created);
  });

  it("warns when the cluster has no metrics API, and when a node is above 70%", async () => {
    healthyCluster(api, platform, s3);
    api.put(`/apis/metrics.k8s.io/v1beta1/nodes/node-a`, {
      apiVersion: "metrics.k8s.io/v1beta1",
      kind: "NodeMetrics",
      metadata: { name: "node-a" },
      usage: { cpu: "15", memory: "10Gi" },
    });
    expect(byId((await run()).checks, "nodes").detail).toMatch(/above 70%: node-a 94%$/);
    api
      .remove(`/apis/metrics.k8s.io/v1beta1/nodes/node-a`)
      .remove(`/apis/metrics.k8s.io/v1beta1/nodes/node-b`);
    const nodes = byId((await run()).checks, "nodes");
    expect(nodes.status).toBe("warn");
    expect(nodes.cause).toMatch(/no metrics API/);
  });

  it("as a command: a table, --json, and the seed's exit codes (3 when the API does not answer)", async () => {
    healthyCluster(api, platform, s3);
    writeFileSync(join(cwd, "floe.platform.yaml"), `buckets:\n  warehouse: ${s3.bucket}\n`);
    const args = [
      "doctor",
      "--kubeconfig",
      api.kubeconfig,
      "--floe-url",
      floe.url,
      "--s3-endpoint",
      s3.endpoint,
      "--no-spark-pi",
    ];
    const human = await runFloe(args, { cwd });
    expect(human.stderr).toBe("");
    expect(human.stdout).toMatch(/^CHECK +STATUS +DETAIL$/m);
    expect(human.stdout).toContain("ok (exit 0), API server http://127.0.0.1:");
    expect(human.code).toBe(0);
    api.remove(`/api/v1/namespaces/data-platform/secrets/floe-s3`);
    const json = await runFloe([...args, "--json"], { cwd });
    expect(json.code).toBe(2);
    const report = JSON.parse(json.stdout) as { status: string; checks: CheckResult[] };
    expect(report.status).toBe("failure");
    expect(byId(report.checks, "secrets").cause).toMatch(/ExternalSecret floe-s3 has not synced/);
    const down = join(cwd, "down.kubeconfig");
    writeFileSync(
      down,
      "apiVersion: v1\nkind: Config\nclusters: [{name: x, cluster: {server: 'http://127.0.0.1:9', insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: x, user: u}}]\ncurrent-context: x\n",
    );
    const error = await runFloe(["doctor", "--kubeconfig", down], { cwd });
    expect(error.code).toBe(3);
    expect(error.stderr).toMatch(
      /^error: cannot reach the Kubernetes API at http:\/\/127\.0\.0\.1:9: .*ECONNREFUSED/,
    );
  }, 300_000);
});
