import { DB_APP_SECRET, DB_CLUSTER, S3_SECRET } from "../render/objects.ts";
import { formatBytes, formatCores, parseQuantity } from "../quantity.ts";
import type { Check, CheckContext } from "./check.ts";

function needKube(ctx: CheckContext) {
  if (!ctx.kube) throw new Error("no Kubernetes API (kubeconfig)");
  return ctx.kube;
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** Node capacity and use: free memory and cores, and nodes above 70% (the seed's threshold). */
export const nodesCheck: Check = {
  id: "nodes",
  title: "node capacity and usage",
  async run(ctx) {
    const kube = needKube(ctx);
    const nodes = await kube.nodes();
    if (nodes.length === 0) return { status: "fail", detail: "the cluster lists no nodes" };
    const alloc = (n: (typeof nodes)[number], k: string) =>
      parseQuantity(str((n.status?.allocatable as Record<string, unknown> | undefined)?.[k]));
    const cpu = nodes.reduce((s, n) => s + alloc(n, "cpu"), 0);
    const mem = nodes.reduce((s, n) => s + alloc(n, "memory"), 0);
    const metrics = await kube.nodeMetrics();
    if (!metrics) {
      return {
        status: "warn",
        detail: `${nodes.length} nodes, ${formatCores(cpu)} cores, ${formatBytes(mem)} allocatable; usage unknown`,
        cause: "the cluster has no metrics API (metrics.k8s.io)",
        fix: "install metrics-server so that capacity checks see usage",
      };
    }
    let usedCpu = 0;
    let usedMem = 0;
    const hot: string[] = [];
    for (const m of metrics) {
      const usage = (m as { usage?: Record<string, string> }).usage ?? {};
      const c = parseQuantity(usage.cpu);
      const b = parseQuantity(usage.memory);
      usedCpu += c;
      usedMem += b;
      const node = nodes.find((n) => n.metadata?.name === m.metadata?.name);
      if (node) {
        const pct = Math.max(c / alloc(node, "cpu"), b / alloc(node, "memory"));
        if (pct > 0.7) hot.push(`${m.metadata?.name} ${Math.round(pct * 100)}%`);
      }
    }
    const detail = `${nodes.length} nodes; free ${formatCores(cpu - usedCpu)} of ${formatCores(cpu)} cores, ${formatBytes(mem - usedMem)} of ${formatBytes(mem)}`;
    if (hot.length > 0) {
      return {
        status: "warn",
        detail: `${detail}; above 70%: ${hot.join(", ")}`,
        cause: "busy nodes",
        fix: "free or add capacity before the next phase",
      };
    }
    return { status: "ok", detail };
  },
};

/** Free capacity as numbers, for the capacity check of `execute` and the review's resource table. */
export async function freeCapacity(ctx: CheckContext): Promise<{ cpu: number; memory: number } | undefined> {
  const kube = needKube(ctx);
  const nodes = await kube.nodes();
  const metrics = await kube.nodeMetrics();
  if (!metrics) return undefined;
  const sum = (list: typeof nodes, get: (n: (typeof nodes)[number]) => unknown) =>
    list.reduce((s, n) => s + parseQuantity(str(get(n))), 0);
  const allocatable = (k: string) =>
    sum(nodes, (n) => (n.status?.allocatable as Record<string, unknown> | undefined)?.[k]);
  const used = (k: string) => sum(metrics, (m) => (m as { usage?: Record<string, string> }).usage?.[k]);
  return { cpu: allocatable("cpu") - used("cpu"), memory: allocatable("memory") - used("memory") };
}

export const objectStoreCheck: Check = {
  id: "object-store",
  title: "Ceph object store",
  async run(ctx) {
    const { name, namespace } = ctx.platform.objectStore;
    const store = await needKube(ctx).custom("ceph.rook.io", "v1", "cephobjectstores", namespace, name);
    if (!store) {
      return {
        status: "fail",
        detail: `CephObjectStore ${namespace}/${name} not found`,
        cause:
          "objectStore.name or objectStore.namespace in floe.platform.yaml does not name the cluster's object store",
        fix: `kubectl get cephobjectstore -A, then set objectStore in floe.platform.yaml and render again`,
      };
    }
    const phase = str(store.status?.phase);
    return phase === "Ready"
      ? { status: "ok", detail: `${namespace}/${name} Ready` }
      : {
          status: "fail",
          detail: `${namespace}/${name} is ${phase || "without a phase"}`,
          fix: `kubectl -n ${namespace} describe cephobjectstore ${name}`,
        };
  },
};

export const bucketClaimsCheck: Check = {
  id: "bucket-claims",
  title: "bucket claims Bound",
  async run(ctx) {
    const p = ctx.platform;
    const claims = await needKube(ctx).customList(
      "objectbucket.io",
      "v1alpha1",
      "objectbucketclaims",
      p.cluster.namespace,
    );
    const wanted = Object.values(p.buckets);
    const phase = new Map(claims.map((c) => [c.metadata?.name ?? "", str(c.status?.phase)]));
    const bad = wanted
      .filter((b) => phase.get(b) !== "Bound")
      .map((b) => `${b} ${phase.has(b) ? phase.get(b) || "no phase" : "missing"}`);
    if (bad.length === 0) return { status: "ok", detail: `${wanted.length} claims Bound` };
    return {
      status: "fail",
      detail: `not Bound: ${bad.join(", ")}`,
      cause: `Rook's provisioner did not bind them: the StorageClass ${p.objectStore.bucketStorageClass} is missing or names another object store, or the operator refuses bucketLifecycle/bucketOwner`,
      fix: `kubectl -n ${p.cluster.namespace} describe objectbucketclaim; allow the fields with ROOK_OBC_ALLOW_ADDITIONAL_CONFIG_FIELDS=maxObjects,maxSize,bucketLifecycle,bucketOwner in rook-ceph-operator-config`,
    };
  },
};

export const secretsCheck: Check = {
  id: "secrets",
  title: "referenced secrets present",
  async run(ctx) {
    const ns = ctx.platform.cluster.namespace;
    const kube = needKube(ctx);
    const missing: string[] = [];
    for (const name of [S3_SECRET, DB_APP_SECRET]) if (!(await kube.secret(ns, name))) missing.push(name);
    if (missing.length === 0) return { status: "ok", detail: `${S3_SECRET}, ${DB_APP_SECRET}` };
    return {
      status: "fail",
      detail: `missing in ${ns}: ${missing.join(", ")}`,
      cause: missing.includes(S3_SECRET)
        ? `the ExternalSecret ${S3_SECRET} has not synced: no 1Password item floe-s3 with fields access-key and secret-key, or the ClusterSecretStore ${ctx.platform.cluster.secretStore} is not ready`
        : `CloudNativePG has not created ${DB_APP_SECRET}: the database cluster is not up yet`,
      fix: `kubectl -n ${ns} describe externalsecret ${S3_SECRET}; kubectl -n ${ns} get cluster.postgresql.cnpg.io ${DB_CLUSTER}`,
    };
  },
};

export const databaseCheck: Check = {
  id: "database",
  title: "CloudNativePG cluster healthy",
  async run(ctx) {
    const ns = ctx.platform.cluster.namespace;
    const cluster = await needKube(ctx).custom("postgresql.cnpg.io", "v1", "clusters", ns, DB_CLUSTER);
    if (!cluster)
      return {
        status: "fail",
        detail: `Cluster ${ns}/${DB_CLUSTER} not found`,
        fix: "render and commit the floe-database app; flux get kustomizations",
      };
    const phase = str(cluster.status?.phase);
    const ready = Number(cluster.status?.readyInstances ?? 0);
    const want = Number(cluster.spec?.instances ?? ctx.platform.database.instances);
    if (phase === "Cluster in healthy state" && ready >= want)
      return { status: "ok", detail: `${ready}/${want} instances ready` };
    return {
      status: ready > 0 ? "warn" : "fail",
      detail: `${phase || "no phase"}; ${ready}/${want} instances ready`,
      fix: `kubectl -n ${ns} describe cluster.postgresql.cnpg.io ${DB_CLUSTER}`,
    };
  },
};

/** The catalog's pods: the first thing to look at when clients report "catalog connection failed". */
export const catalogCheck: Check = {
  id: "catalog",
  title: "floe catalog pods",
  async run(ctx) {
    const ns = ctx.platform.cluster.namespace;
    const kube = needKube(ctx);
    const dep = await kube.deployment(ns, "floe");
    if (!dep)
      return {
        status: "fail",
        detail: `Deployment ${ns}/floe not found`,
        fix: "render and commit the floe-catalog app",
      };
    const available = Number(dep.status?.availableReplicas ?? 0);
    const want = Number(dep.spec?.replicas ?? 1);
    if (available >= want) return { status: "ok", detail: `${available}/${want} replicas available` };
    const db = await kube.secret(ns, DB_APP_SECRET);
    const s3 = await kube.secret(ns, S3_SECRET);
    return {
      status: available > 0 ? "warn" : "fail",
      detail: `${available}/${want} replicas available`,
      cause: !db
        ? `catalog connection failed because floe cannot start: the database secret ${DB_APP_SECRET} is missing`
        : !s3
          ? `catalog connection failed because floe cannot start: the S3 secret ${S3_SECRET} is missing`
          : "catalog connection failed: floe's pods are not ready (/readyz fails: database or S3 unreachable, or the image does not start)",
      fix: `kubectl -n ${ns} logs deployment/floe; kubectl -n ${ns} describe pod -l app.kubernetes.io/name=floe`,
    };
  },
};

const STUCK_STATES = new Set(["", "NEW", "SUBMITTED", "PENDING_SUBMISSION", "PENDING_RERUN"]);
const STUCK_AFTER_MS = 10 * 60 * 1000;

/** The Spark Operator's CRD, and SparkApplications that never started ("Spark job stuck"). */
export const sparkCheck: Check = {
  id: "spark",
  title: "Spark Operator and jobs",
  async run(ctx) {
    const ns = ctx.platform.cluster.namespace;
    const kube = needKube(ctx);
    if (!(await kube.crd("sparkapplications.sparkoperator.k8s.io"))) {
      return {
        status: "fail",
        detail: "no SparkApplication CRD",
        cause: "the Spark Operator is not installed",
        fix: "render and commit the spark-operator app; flux get helmreleases -A",
      };
    }
    const apps = await kube.customList("sparkoperator.k8s.io", "v1beta2", "sparkapplications", ns);
    const now = Date.now();
    const stuck = apps.filter((a) => {
      const state = str((a.status?.applicationState as { state?: string } | undefined)?.state);
      const created = Date.parse(String(a.metadata?.creationTimestamp ?? ""));
      return STUCK_STATES.has(state) && now - created > STUCK_AFTER_MS;
    });
    if (stuck.length === 0)
      return { status: "ok", detail: `CRD present; ${apps.length} SparkApplications, none stuck` };
    const names = stuck.map((a) => a.metadata?.name).join(", ");
    return {
      status: "warn",
      detail: `stuck for over 10 minutes: ${names}`,
      cause: `Spark job stuck: the driver was never submitted or scheduled — the operator does not watch ${ns}, the ResourceQuota (count/sparkapplications or memory requests) is exhausted, or the image cannot be pulled`,
      fix: `kubectl -n ${ns} describe sparkapplication ${stuck[0]?.metadata?.name ?? ""}; kubectl -n ${ns} describe resourcequota`,
    };
  },
};
