import type { FakeKubeApi } from "../support/fake-kube-api.ts";
import type { PlatformDefinition } from "../../src/platform/definition.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

/** A healthy platform as the API server would show it, with the S3 keys given. */
export function healthyCluster(
  api: FakeKubeApi,
  p: PlatformDefinition,
  s3: { accessKeyId: string; secretAccessKey: string },
): void {
  const ns = p.cluster.namespace;
  for (const [name, cpu, mem, usedCpu, usedMem] of [
    ["node-a", "16", "64Gi", "4000m", "20Gi"],
    ["node-b", "16", "64Gi", "2500000000n", "16777216Ki"],
  ] as const) {
    api.put(`/api/v1/nodes/${name}`, {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name },
      status: { allocatable: { cpu, memory: mem }, capacity: { cpu, memory: mem } },
    });
    api.put(`/apis/metrics.k8s.io/v1beta1/nodes/${name}`, {
      apiVersion: "metrics.k8s.io/v1beta1",
      kind: "NodeMetrics",
      metadata: { name },
      usage: { cpu: usedCpu, memory: usedMem },
    });
  }
  api.put(
    `/apis/ceph.rook.io/v1/namespaces/${p.objectStore.namespace}/cephobjectstores/${p.objectStore.name}`,
    {
      apiVersion: "ceph.rook.io/v1",
      kind: "CephObjectStore",
      metadata: { name: p.objectStore.name, namespace: p.objectStore.namespace },
      status: { phase: "Ready" },
    },
  );
  for (const bucket of Object.values(p.buckets)) {
    api.put(`/apis/objectbucket.io/v1alpha1/namespaces/${ns}/objectbucketclaims/${bucket}`, {
      apiVersion: "objectbucket.io/v1alpha1",
      kind: "ObjectBucketClaim",
      metadata: { name: bucket, namespace: ns },
      status: { phase: "Bound" },
    });
  }
  api.put(`/api/v1/namespaces/${ns}/secrets/floe-s3`, {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "floe-s3", namespace: ns },
    data: { "access-key": b64(s3.accessKeyId), "secret-key": b64(s3.secretAccessKey) },
  });
  api.put(`/api/v1/namespaces/${ns}/secrets/floe-db-app`, {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "floe-db-app", namespace: ns },
    data: { uri: b64("postgresql://floe:x@floe-db-rw:5432/floe") },
  });
  api.put(`/apis/postgresql.cnpg.io/v1/namespaces/${ns}/clusters/floe-db`, {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Cluster",
    metadata: { name: "floe-db", namespace: ns },
    spec: { instances: 3 },
    status: { phase: "Cluster in healthy state", readyInstances: 3 },
  });
  api.put(`/apis/apps/v1/namespaces/${ns}/deployments/floe`, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "floe", namespace: ns },
    spec: { replicas: 2, selector: {}, template: {} },
    status: { replicas: 2, availableReplicas: 2, readyReplicas: 2 },
  });
  api.put(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/sparkapplications.sparkoperator.k8s.io`, {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "sparkapplications.sparkoperator.k8s.io" },
    spec: {
      group: "sparkoperator.k8s.io",
      names: { plural: "sparkapplications", kind: "SparkApplication" },
      scope: "Namespaced",
      versions: [],
    },
  });
  sparkApplication(api, p, "spark-pi", "COMPLETED", 30);
}

export function sparkApplication(
  api: FakeKubeApi,
  p: PlatformDefinition,
  name: string,
  state: string,
  minutesAgo: number,
): void {
  const ns = p.cluster.namespace;
  api.put(`/apis/sparkoperator.k8s.io/v1beta2/namespaces/${ns}/sparkapplications/${name}`, {
    apiVersion: "sparkoperator.k8s.io/v1beta2",
    kind: "SparkApplication",
    metadata: { name, namespace: ns, creationTimestamp: ago(minutesAgo) },
    status: { applicationState: { state } },
  });
}

/**
 * Plays the Spark Operator for the next SparkApplication created in the platform's namespace:
 * gives it each status in turn, the next once the check has read the one before. Resolves with
 * the application's path when the last status has been read.
 */
export async function playSparkOperator(
  api: FakeKubeApi,
  p: PlatformDefinition,
  states: ReadonlyArray<{ state: string; errorMessage?: string }>,
): Promise<string> {
  const collection = `/apis/sparkoperator.k8s.io/v1beta2/namespaces/${p.cluster.namespace}/sparkapplications`;
  await api.next(`POST ${collection}`);
  const path = [...api.created.keys()].filter((k) => k.startsWith(`${collection}/`)).at(-1)!;
  for (const s of states) {
    api.setStatus(path, { applicationState: s, driverInfo: { podName: `${path.split("/").at(-1)}-driver` } });
    await api.next(`GET ${path}`);
  }
  return path;
}
