import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { loadConfig, s3Settings } from "../../src/core/config.ts";
import { defaultPlatform } from "../../src/platform/definition.ts";
import { parsePlatform } from "../../src/platform/platform-file.ts";
import { FLOE_METRICS_USED, floeDashboard } from "../../src/platform/render/monitoring.ts";
import { renderTree } from "../../src/platform/tree.ts";
import { Metrics } from "../../src/server/metrics.ts";
import { objectsOf, treeText } from "./rendered.ts";
import { validateObject } from "./schemas.ts";

// parsed YAML, navigated by the assertions below (a wrong path fails the test)
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Y = any;

const GOLDEN = new URL("../fixtures/platform/default-tree.txt", import.meta.url);

describe("floe platform render", () => {
  const tree = renderTree(defaultPlatform());
  const objects = objectsOf(tree);

  it("renders the tree the issue lists", () => {
    const root = "kubernetes/apps/data-platform";
    for (const app of [
      "floe-catalog",
      "floe-database",
      "floe-storage",
      "floe-secrets",
      "spark-operator",
      "spark",
      "trino",
      "floe-backup",
      "guardrails",
      "floe-monitoring",
    ]) {
      expect(tree.has(`${root}/${app}/ks.yaml`), app).toBe(true);
      expect(tree.has(`${root}/${app}/app/kustomization.yaml`), app).toBe(true);
    }
    expect(tree.has("kubernetes/flux/meta/repos/kustomization.yaml")).toBe(true);
    const kinds = new Set(objects.map((o) => `${o.doc.apiVersion} ${o.doc.kind}`));
    for (const kind of [
      "apps/v1 Deployment",
      "v1 Service",
      "v1 ConfigMap",
      "policy/v1 PodDisruptionBudget",
      "monitoring.coreos.com/v1 ServiceMonitor",
      "postgresql.cnpg.io/v1 Cluster",
      "ceph.rook.io/v1 CephObjectStoreUser",
      "objectbucket.io/v1alpha1 ObjectBucketClaim",
      "external-secrets.io/v1 ExternalSecret",
      "helm.toolkit.fluxcd.io/v2 HelmRelease",
      "sparkoperator.k8s.io/v1beta2 SparkApplication",
      "batch/v1 CronJob",
      "v1 ResourceQuota",
      "v1 LimitRange",
      "networking.k8s.io/v1 NetworkPolicy",
      "monitoring.coreos.com/v1 PrometheusRule",
      "kustomize.toolkit.fluxcd.io/v1 Kustomization",
      "source.toolkit.fluxcd.io/v1 HelmRepository",
    ]) {
      expect(kinds, kind).toContain(kind);
    }
  });

  it("renders objects that validate against their Kubernetes or CRD schema", async () => {
    expect(objects.length).toBeGreaterThan(30);
    const problems: string[] = [];
    for (const { path, doc } of objects) {
      for (const p of await validateObject(doc)) problems.push(`${path}: ${p}`);
    }
    expect(problems).toEqual([]);
  });

  it("catches an object that does not match its schema", async () => {
    const claim = objects.find((o) => o.doc.kind === "ObjectBucketClaim")!.doc;
    const bad = { ...claim, spec: { ...(claim.spec as object), bucketname: "typo" } };
    expect((await validateObject(bad)).join("\n")).toMatch(/additional/);
    const cluster = objects.find((o) => o.doc.kind === "Cluster")!.doc;
    const wrongType = { ...cluster, spec: { ...(cluster.spec as object), instances: "three" } };
    expect((await validateObject(wrongType)).join("\n")).toMatch(/instances/);
    const dep = objects.find((o) => o.doc.kind === "Deployment")!.doc;
    const noContainers = { ...dep, spec: { ...(dep.spec as object), template: { spec: {} } } };
    expect((await validateObject(noContainers)).length).toBeGreaterThan(0);
    expect(
      (await validateObject({ apiVersion: "example.com/v1", kind: "Nothing", metadata: { name: "x" } }))[0],
    ).toMatch(/no schema/);
  });

  it("matches the golden tree (FLOE_UPDATE_GOLDEN=1 rewrites it)", () => {
    const text = treeText(tree);
    if (process.env.FLOE_UPDATE_GOLDEN === "1" || !existsSync(GOLDEN)) {
      mkdirSync(new URL(".", GOLDEN), { recursive: true });
      writeFileSync(GOLDEN, text);
    }
    expect(text).toBe(readFileSync(GOLDEN, "utf8"));
  });

  it("runs floe non-root with a read-only root file system, ready on /readyz, on 19120", () => {
    const dep = objects.find((o) => o.doc.kind === "Deployment" && o.doc.metadata?.name === "floe")!.doc as Y;
    const pod = dep.spec.template.spec;
    const c = pod.containers[0];
    expect(dep.spec.replicas).toBe(2);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(c.readinessProbe.httpGet.path).toBe("/readyz");
    expect(c.ports[0].containerPort).toBe(19120);
    const env = Object.fromEntries(c.env.map((e: Y) => [e.name, e.value ?? e.valueFrom]));
    expect(env.AWS_REQUEST_CHECKSUM_CALCULATION).toBe("when_required");
    expect(env.AWS_RESPONSE_CHECKSUM_VALIDATION).toBe("when_required");
    expect(env.FLOE_S3_ACCESS_KEY_ID).toEqual({ secretKeyRef: { name: "floe-s3", key: "access-key" } });
    const text = (
      objects.find((o) => o.doc.kind === "ConfigMap" && o.doc.metadata?.name === "floe-config")!.doc as Y
    ).data["floe.yaml"] as string;
    expect(parseYaml(text)).toMatchObject({
      warehouse: "s3://iceberg-warehouse/",
      host: "0.0.0.0",
      port: 19120,
    });
    // the file and the environment load through floe's own config loader, as the pod's `floe serve` does
    const dir = mkdtempSync(join(tmpdir(), "floe-render-config-"));
    try {
      writeFileSync(join(dir, "floe.yaml"), text);
      const { config } = loadConfig({
        cwd: dir,
        env: { FLOE_S3_ACCESS_KEY_ID: "ak", FLOE_S3_SECRET_ACCESS_KEY: "sk" },
      });
      expect(s3Settings(config)).toEqual({
        endpoint: "http://rook-ceph-rgw-ceph-objectstore.storage.svc",
        region: "us-east-1",
        pathStyle: true,
        accessKeyId: "ak",
        secretAccessKey: "sk",
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("derives the S3 endpoint from the object store unless one is given", () => {
    const renamed = renderTree(
      parsePlatform({ objectStore: { name: "lake", namespace: "rook-ceph" } }, "test"),
    );
    expect(treeText(renamed)).toContain("http://rook-ceph-rgw-lake.rook-ceph.svc");
    const given = renderTree(parsePlatform({ objectStore: { endpoint: "https://s3.lab.example" } }, "test"));
    expect(treeText(given)).toContain("s3.endpoint=https://s3.lab.example");
    expect(treeText(given)).not.toContain("rook-ceph-rgw-");
  });

  it("gives the buckets the seed's lifecycle rules, sorted by ID as Rook requires", () => {
    const rules = (name: string) => {
      const obc = objects.find((o) => o.doc.kind === "ObjectBucketClaim" && o.doc.metadata?.name === name)!
        .doc as Y;
      return JSON.parse(obc.spec.additionalConfig.bucketLifecycle).Rules as Y[];
    };
    const wh = rules("iceberg-warehouse");
    expect(wh.map((r) => r.ID)).toEqual([...wh.map((r) => r.ID)].sort());
    expect(wh.find((r) => r.NoncurrentVersionExpiration)?.NoncurrentVersionExpiration.NoncurrentDays).toBe(
      30,
    );
    expect(
      wh.find((r) => r.AbortIncompleteMultipartUpload)?.AbortIncompleteMultipartUpload.DaysAfterInitiation,
    ).toBe(7);
    expect(rules("iceberg-test")[0].Expiration.Days).toBe(90);
  });

  it("wires Spark to floe both ways and bakes the jars into the image", () => {
    const root = "kubernetes/apps/data-platform/spark/image";
    const rest = tree.get(`${root}/spark-defaults.conf`)!;
    expect(rest).toContain("spark.sql.catalog.floe.type rest");
    expect(rest).toContain("spark.sql.catalog.floe.uri http://floe.data-platform.svc:19120/iceberg/main");
    expect(rest).toContain("spark.kubernetes.driverEnv.AWS_REQUEST_CHECKSUM_CALCULATION when_required");
    expect(rest).toContain("spark.executorEnv.AWS_RESPONSE_CHECKSUM_VALIDATION when_required");
    const nessie = tree.get(`${root}/spark-defaults-nessie.conf`)!;
    expect(nessie).toContain("spark.sql.catalog.nessie.catalog-impl org.apache.iceberg.nessie.NessieCatalog");
    expect(nessie).toContain("spark.sql.catalog.nessie.uri http://floe.data-platform.svc:19120/api/v2");
    expect(nessie).toContain("NessieSparkSessionExtensions");
    const dockerfile = tree.get(`${root}/Dockerfile`)!;
    expect(dockerfile).toContain(
      "iceberg-spark-runtime-3.5_2.12/1.10.0/iceberg-spark-runtime-3.5_2.12-1.10.0.jar",
    );
    expect(dockerfile).toContain("hadoop-aws/3.3.4/");
    expect(dockerfile).toContain("FROM docker.io/apache/spark:3.5.5-scala2.12-java17-python3-ubuntu");
    const apps = objects.filter((o) => o.doc.kind === "SparkApplication").map((o) => o.doc as Y);
    expect(apps.map((a) => a.metadata.name).sort()).toEqual(["iceberg-check", "spark-pi"]);
    for (const a of apps) expect(a.spec.deps).toBeUndefined();
  });

  it("points Trino's iceberg catalog at floe's REST endpoint and autoscales its workers", () => {
    const hr = objects.find((o) => o.doc.kind === "HelmRelease" && o.doc.metadata?.name === "trino")!
      .doc as Y;
    expect(hr.spec.values.catalogs.iceberg).toContain(
      "iceberg.rest-catalog.uri=http://floe.data-platform.svc:19120/iceberg",
    );
    expect(hr.spec.values.server.autoscaling).toMatchObject({ enabled: true, maxReplicas: 5 });
    expect(hr.spec.values.image.tag).toBe("475");
  });

  it("alerts and charts only on metrics floe exports", async () => {
    const metrics = new Metrics({ stats: { retries: 0 }, onStoreTiming: () => {} } as never);
    const exported = new Set<string>();
    for (const m of await metrics.registry.getMetricsAsJSON()) {
      exported.add(m.name);
      if (String(m.type) === "histogram")
        for (const s of ["_bucket", "_sum", "_count"]) exported.add(m.name + s);
    }
    for (const name of FLOE_METRICS_USED) expect(exported, name).toContain(name);
    const exprs = [
      ...(floeDashboard(defaultPlatform()).panels as Y[]).flatMap((p) =>
        p.targets.map((t: Y) => t.expr as string),
      ),
      ...(objects.find((o) => o.doc.kind === "PrometheusRule")!.doc as Y).spec.groups
        .find((g: Y) => g.name === "floe")
        .rules.map((r: Y) => r.expr as string),
    ];
    const names = new Set(exprs.flatMap((e) => [...e.matchAll(/\b([a-z_]+)\{/g)].map((m) => m[1]!)));
    names.delete("up");
    for (const n of names) expect(exported, `${n} is not exported by floe`).toContain(n);
  });
});
