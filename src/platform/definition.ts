import {
  bytes,
  cpu,
  cron,
  flag,
  heap,
  type Infer,
  integer,
  name,
  object,
  oneOf,
  text,
  url,
} from "./fields.ts";

/**
 * `floe.platform.yaml`: the facts of one Kubernetes cluster and the platform floe renders onto it.
 * The defaults are the seed's homelab: namespace `data-platform`, Rook-Ceph block and object storage,
 * CloudNativePG, External Secrets from 1Password, Flux, kube-prometheus-stack. docs/platform.md
 * has the reference of every setting (generated from the `doc` strings below).
 */
const size = (cpuDefault: string, memoryDefault: string, what: string) =>
  object(
    {
      cpu: cpu(cpuDefault, `CPU request of ${what}`),
      memory: bytes(memoryDefault, `memory request and limit of ${what}`),
    },
    `resources of ${what}`,
  );

const phase = (memory: string, cpuCores: string, storage: string, n: number) =>
  object(
    {
      memory: bytes(memory, `memory phase ${n} adds to the cluster`),
      cpu: cpu(cpuCores, `CPU phase ${n} adds`),
      storage: bytes(storage, `storage phase ${n} adds`),
    },
    `what phase ${n} needs from the cluster (checked before its objectives run)`,
  );

const bucket = (dflt: string, doc: string) => name(dflt, doc);

export const PLATFORM = object({
  cluster: object(
    {
      namespace: name("data-platform", "namespace of every platform component"),
      gitopsPath: text("kubernetes", "folder of the Flux tree inside the GitOps repository"),
      fluxNamespace: name("flux-system", "namespace of Flux and of its source objects"),
      gitRepository: name("flux-system", "Flux GitRepository the rendered Kustomizations build from"),
      storageClass: name("ceph-block", "StorageClass of PostgreSQL volumes"),
      secretStore: name("onepassword-connect", "External Secrets ClusterSecretStore (1Password Connect)"),
      monitoringNamespace: name(
        "observability",
        "namespace of Prometheus and Grafana (kube-prometheus-stack)",
      ),
      ingressNamespace: name("network", "namespace of the ingress controller (allowed in by NetworkPolicy)"),
      ingressClass: name("internal", "IngressClass of the catalog and Trino ingresses"),
      domain: text("example.com", "DNS domain of the ingresses: floe.<domain>, trino.<domain>"),
    },
    "where the platform runs",
  ),
  objectStore: object(
    {
      name: name("ceph-objectstore", "Rook CephObjectStore that holds the buckets"),
      namespace: name("storage", "namespace of the CephObjectStore (Rook's cluster namespace)"),
      endpoint: url(
        "",
        "S3 endpoint as pods reach it; empty = Rook's service http://rook-ceph-rgw-<name>.<namespace>.svc",
      ),
      region: text("us-east-1", "S3 region name the clients sign with (Ceph RGW accepts any)"),
      bucketStorageClass: name(
        "ceph-bucket",
        "StorageClass of the ObjectBucketClaims (provisioner <rook namespace>.ceph.rook.io/bucket)",
      ),
      createBucketStorageClass: flag(
        true,
        "render the bucket StorageClass (false when the cluster has it already)",
      ),
      user: name("iceberg", "CephObjectStoreUser that owns the buckets"),
    },
    "the S3 object store (Rook-Ceph RGW)",
  ),
  buckets: object(
    {
      warehouse: bucket(
        "iceberg-warehouse",
        "bucket of table data (noncurrent versions expire after 30 d, incomplete uploads after 7 d)",
      ),
      test: bucket("iceberg-test", "scratch bucket (objects expire after 90 d)"),
      sparkLogs: bucket("spark-logs", "Spark event logs for the History Server (objects expire after 30 d)"),
      backups: bucket("floe-backups", "catalog backups (PostgreSQL base backups and WAL, floe backup files)"),
    },
    "ObjectBucketClaims",
  ),
  versions: object(
    {
      floeImage: text("ghcr.io/floe-lakehouse/floe:0.1.0", "floe container image (runs `floe serve`)"),
      postgresImage: text("ghcr.io/cloudnative-pg/postgresql:17.5", "PostgreSQL image of the CNPG cluster"),
      spark: text(
        "3.5.5",
        "Spark version (base image apache/spark:<spark>-scala<scala>-java17-python3-ubuntu)",
        /^3\.\d+\.\d+$/,
        "a Spark 3.x version",
      ),
      scala: oneOf("2.12", ["2.12", "2.13"], "Scala binary version of the Spark jars"),
      iceberg: text(
        "1.10.0",
        "Iceberg runtime version baked into the Spark image",
        /^\d+\.\d+\.\d+$/,
        "a version such as 1.10.0",
      ),
      hadoopAws: text(
        "3.3.4",
        "hadoop-aws version (must match the Hadoop inside Spark)",
        /^\d+\.\d+\.\d+$/,
        "a version such as 3.3.4",
      ),
      awsSdkBundle: text(
        "1.12.262",
        "com.amazonaws:aws-java-sdk-bundle version hadoop-aws needs",
        /^\d+\.\d+\.\d+$/,
        "a version such as 1.12.262",
      ),
      nessieSparkExtensions: text(
        "0.104.1",
        "Nessie Spark SQL extensions version (for the NessieCatalog variant)",
        /^\d+\.\d+\.\d+$/,
        "a version such as 0.104.1",
      ),
      sparkImage: text(
        "ghcr.io/floe-lakehouse/spark-iceberg:3.5.5",
        "image built from the rendered Spark Dockerfile",
      ),
      sparkOperatorChart: text(
        "2.2.0",
        "Kubeflow Spark Operator Helm chart version",
        /^\d+\.\d+\.\d+$/,
        "a chart version such as 2.2.0",
      ),
      trinoChart: text(
        "1.39.1",
        "Trino Helm chart version",
        /^\d+\.\d+\.\d+$/,
        "a chart version such as 1.39.1",
      ),
      trino: text(
        "475",
        "Trino server version (image trinodb/trino:<version>)",
        /^\d+$/,
        "a Trino release number such as 475",
      ),
    },
    "component versions",
  ),
  catalog: object(
    {
      replicas: integer(2, 1, 20, "floe server replicas (all share the PostgreSQL database)"),
      defaultBranch: text(
        "main",
        "default branch of the catalog",
        /^[A-Za-z][A-Za-z0-9._/-]*$/,
        "a branch name",
      ),
      resources: size("250m", "512Mi", "each floe replica"),
    },
    "the floe catalog (`floe serve`)",
  ),
  database: object(
    {
      instances: integer(3, 1, 9, "PostgreSQL instances of the CNPG cluster (1 primary, the rest replicas)"),
      storage: bytes("10Gi", "volume size of each PostgreSQL instance"),
      resources: size("500m", "1Gi", "each PostgreSQL instance"),
      objectStoreBackup: flag(
        true,
        "continuous backup (base backups + WAL) of the database to the backups bucket",
      ),
      retention: text("30d", "how long CNPG keeps base backups", /^\d+[dwm]$/, "a retention such as 30d"),
    },
    "the catalog's PostgreSQL (CloudNativePG)",
  ),
  spark: object(
    {
      driver: size("500m", "1Gi", "a Spark driver"),
      executor: size("1", "2Gi", "a Spark executor"),
      maxExecutors: integer(10, 1, 200, "dynamic allocation ceiling of the example batch job"),
      historyServer: size("100m", "1Gi", "the Spark History Server"),
    },
    "Spark",
  ),
  trino: object(
    {
      coordinator: object({
        heap: heap("2G", "coordinator JVM heap"),
        resources: size("1", "3Gi", "the coordinator"),
      }),
      workers: object({
        heap: heap("4G", "worker JVM heap"),
        resources: size("1", "6Gi", "each worker"),
        min: integer(2, 1, 100, "fewest workers (HPA minReplicas)"),
        max: integer(5, 1, 100, "most workers (HPA maxReplicas)"),
        targetCpu: integer(70, 10, 100, "average CPU utilisation (%) the HPA keeps workers at"),
      }),
    },
    "Trino",
  ),
  backup: object(
    {
      schedule: cron("0 2 * * *", "when the floe backup CronJob runs (UTC)"),
      keepJobs: integer(3, 1, 50, "finished backup Jobs kept for inspection"),
    },
    "the daily floe backup CronJob",
  ),
  quota: object(
    {
      cpu: cpu("30", "namespace CPU requests"),
      memory: bytes("80Gi", "namespace memory requests"),
      storage: bytes("500Gi", "namespace storage requests"),
      sparkApplications: integer(10, 1, 1000, "SparkApplications that may exist at once"),
    },
    "ResourceQuota of the namespace",
  ),
  phases: object(
    {
      phase1: phase("8Gi", "400m", "65Gi", 1),
      phase2: phase("42Gi", "12", "120Gi", 2),
      phase3: phase("70Gi", "12", "250Gi", 3),
      phase4: phase("0", "0", "0", 4),
    },
    "resources per bootstrap phase",
  ),
});

export type PlatformDefinition = Infer<typeof PLATFORM>;

/** The S3 endpoint pods use: the configured one, else the Rook gateway service of the object store. */
export function s3Endpoint(p: PlatformDefinition): string {
  return (
    p.objectStore.endpoint || `http://rook-ceph-rgw-${p.objectStore.name}.${p.objectStore.namespace}.svc`
  );
}

/** The seed's homelab: what `floe platform init` writes. */
export function defaultPlatform(): PlatformDefinition {
  return PLATFORM.parse(undefined, "");
}
