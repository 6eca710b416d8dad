import type { PlatformDefinition } from "../definition.ts";
import { s3Endpoint } from "../definition.ts";
import { S3_CHECKSUM_ENV, S3_SECRET, catalogUrl } from "./objects.ts";

/** How Spark reaches floe: Iceberg's REST catalog, or Nessie's API with NessieCatalog (the seed's way). */
export type SparkCatalogVariant = "rest" | "nessie";

const ICEBERG_EXTENSIONS = "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions";
const NESSIE_EXTENSIONS = "org.projectnessie.spark.extensions.NessieSparkSessionExtensions";

/**
 * Spark settings that wire a job to floe and to Ceph: the catalog (`floe` over REST, or `nessie`),
 * S3FileIO and s3a against the RGW endpoint with path-style access, S3 keys from the `floe-s3`
 * secret into drivers and executors, the checksum settings RGW needs, and event logs for the
 * History Server. Spark's own `secretKeyRef` settings are used so that no webhook is needed.
 */
export function sparkConf(p: PlatformDefinition, variant: SparkCatalogVariant): Record<string, string> {
  const endpoint = s3Endpoint(p);
  const region = p.objectStore.region;
  const name = variant === "rest" ? "floe" : "nessie";
  const c = `spark.sql.catalog.${name}`;
  const catalog: Record<string, string> =
    variant === "rest"
      ? {
          "spark.sql.extensions": ICEBERG_EXTENSIONS,
          [c]: "org.apache.iceberg.spark.SparkCatalog",
          [`${c}.type`]: "rest",
          [`${c}.uri`]: `${catalogUrl(p)}/iceberg/${p.catalog.defaultBranch}`,
        }
      : {
          "spark.sql.extensions": `${ICEBERG_EXTENSIONS},${NESSIE_EXTENSIONS}`,
          [c]: "org.apache.iceberg.spark.SparkCatalog",
          [`${c}.catalog-impl`]: "org.apache.iceberg.nessie.NessieCatalog",
          [`${c}.uri`]: `${catalogUrl(p)}/api/v2`,
          [`${c}.ref`]: p.catalog.defaultBranch,
        };
  const env: Record<string, string> = {};
  for (const { name: k, value } of [...S3_CHECKSUM_ENV, { name: "AWS_REGION", value: region }]) {
    env[`spark.kubernetes.driverEnv.${k}`] = value;
    env[`spark.executorEnv.${k}`] = value;
  }
  for (const role of ["driver", "executor"]) {
    env[`spark.kubernetes.${role}.secretKeyRef.AWS_ACCESS_KEY_ID`] = `${S3_SECRET}:access-key`;
    env[`spark.kubernetes.${role}.secretKeyRef.AWS_SECRET_ACCESS_KEY`] = `${S3_SECRET}:secret-key`;
  }
  return {
    ...catalog,
    [`${c}.warehouse`]: `s3://${p.buckets.warehouse}/`,
    [`${c}.io-impl`]: "org.apache.iceberg.aws.s3.S3FileIO",
    [`${c}.s3.endpoint`]: endpoint,
    [`${c}.s3.path-style-access`]: "true",
    [`${c}.client.region`]: region,
    "spark.sql.defaultCatalog": name,
    ...s3aConf(p),
    "spark.eventLog.enabled": "true",
    "spark.eventLog.dir": `s3a://${p.buckets.sparkLogs}/`,
    ...env,
  };
}

/** Hadoop's s3a against RGW: event logs and s3a:// paths; keys from the environment. */
export function s3aConf(p: PlatformDefinition): Record<string, string> {
  return {
    "spark.hadoop.fs.s3a.endpoint": s3Endpoint(p),
    "spark.hadoop.fs.s3a.endpoint.region": p.objectStore.region,
    "spark.hadoop.fs.s3a.path.style.access": "true",
    "spark.hadoop.fs.s3a.aws.credentials.provider":
      "com.amazonaws.auth.EnvironmentVariableCredentialsProvider",
  };
}

/** A `spark-defaults.conf` file: one `key value` per line, sorted. */
export function sparkDefaultsFile(conf: Record<string, string>, title: string): string {
  const lines = Object.keys(conf)
    .sort()
    .map((k) => `${k} ${conf[k]}`);
  return [
    `# ${title}`,
    "# Rendered by `floe platform render` from floe.platform.yaml; edit that, not this file.",
    ...lines,
    "",
  ].join("\n");
}
