import type { PlatformDefinition } from "../definition.ts";

const MAVEN = "https://repo1.maven.org/maven2";

/** `major.minor` of a version: 3.5.5 → 3.5. */
export function minor(version: string): string {
  return version.split(".").slice(0, 2).join(".");
}

/** The jars baked into the Spark image, as Maven coordinates (group, artifact, version). */
export function sparkJars(p: PlatformDefinition): Array<[string, string, string]> {
  const v = p.versions;
  const suffix = `${minor(v.spark)}_${v.scala}`;
  return [
    ["org.apache.iceberg", `iceberg-spark-runtime-${suffix}`, v.iceberg],
    ["org.apache.iceberg", "iceberg-aws-bundle", v.iceberg],
    ["org.apache.hadoop", "hadoop-aws", v.hadoopAws],
    ["com.amazonaws", "aws-java-sdk-bundle", v.awsSdkBundle],
    ["org.projectnessie.nessie-integrations", `nessie-spark-extensions-${suffix}`, v.nessieSparkExtensions],
  ];
}

/**
 * A Spark image with the Iceberg, AWS and Nessie jars baked in, so that nothing is downloaded when
 * a pod starts (the seed's `deps.packages` were resolved in the operator's pod and often never
 * reached the executors), plus the spark-defaults files and the Iceberg check job.
 */
export function sparkDockerfile(p: PlatformDefinition): string {
  const v = p.versions;
  const lines = [
    `# Spark ${v.spark} with Iceberg ${v.iceberg}, hadoop-aws ${v.hadoopAws} and the Nessie extensions baked in.`,
    "# Rendered by `floe platform render`; build and push it as versions.sparkImage:",
    `#   docker build -t ${v.sparkImage} .`,
    `FROM docker.io/apache/spark:${v.spark}-scala${v.scala}-java17-python3-ubuntu`,
    "USER root",
    ...sparkJars(p).map(([g, a, ver]) => {
      const path = `${g.replaceAll(".", "/")}/${a}/${ver}/${a}-${ver}.jar`;
      return `ADD --chmod=0644 ${MAVEN}/${path} /opt/spark/jars/`;
    }),
    "COPY --chmod=0644 spark-defaults.conf spark-defaults-nessie.conf /opt/spark/conf/",
    "COPY --chmod=0644 iceberg_check.py /opt/floe/iceberg_check.py",
    "# the spark user of the base image",
    "USER 185",
    "",
  ];
  return lines.join("\n");
}

/**
 * The Iceberg job of the examples and of objective 2.3's validation: writes rows into a table
 * through floe, reads them back, and fails unless it reads exactly what it wrote.
 */
export const ICEBERG_CHECK_PY = `"""floe platform check: write an Iceberg table through floe and read it back."""

import sys
import uuid

from pyspark.sql import SparkSession

ROWS = 1000

spark = SparkSession.builder.appName("floe-iceberg-check").getOrCreate()
catalog = spark.conf.get("spark.sql.defaultCatalog")
table = f"{catalog}.floe_check.events"
run = uuid.uuid4().hex

spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {catalog}.floe_check")
spark.sql(f"CREATE TABLE IF NOT EXISTS {table} (id BIGINT, run STRING, at TIMESTAMP) USING iceberg")
spark.sql(f"INSERT INTO {table} SELECT id, '{run}', current_timestamp() FROM range({ROWS})")
count = spark.sql(f"SELECT count(*) FROM {table} WHERE run = '{run}'").collect()[0][0]
snapshots = spark.sql(f"SELECT count(*) FROM {table}.snapshots").collect()[0][0]
spark.stop()

if count != ROWS:
    print(f"floe-iceberg-check: FAILED: wrote {ROWS} rows into {table}, read back {count}")
    sys.exit(1)
print(f"floe-iceberg-check: ok: wrote and read {count} rows in {table} ({snapshots} snapshots)")
`;
