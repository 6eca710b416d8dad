"""Shared by the Spark checks: the SparkSession with floe as the catalog.

Environment (set by scripts/test-interop.sh):
  FLOE_SPARK_JARS     comma-separated jars (scripts/spark-deps.sh's second field)
  FLOE_NESSIE_URI     floe's Nessie API v2, e.g. http://127.0.0.1:19120/api/v2
  FLOE_WAREHOUSE      where NessieCatalog puts new tables: a local directory or s3://bucket/prefix
  FLOE_S3_ENDPOINT, FLOE_S3_ACCESS_KEY, FLOE_S3_SECRET_KEY   for an s3:// warehouse (S3FileIO)
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pyspark.sql import SparkSession  # noqa: E402

from checks import Checks  # noqa: E402,F401 — re-exported for the Spark scripts


def nessie_catalog_conf(name, ref="main"):
    """The seed platform's NessieCatalog configuration, pointed at floe (S3FileIO for an s3:// warehouse)."""
    prefix = f"spark.sql.catalog.{name}"
    warehouse = os.environ["FLOE_WAREHOUSE"]
    conf = {
        prefix: "org.apache.iceberg.spark.SparkCatalog",
        f"{prefix}.catalog-impl": "org.apache.iceberg.nessie.NessieCatalog",
        f"{prefix}.uri": os.environ["FLOE_NESSIE_URI"],
        f"{prefix}.ref": ref,
        f"{prefix}.warehouse": warehouse,
        # the Nessie SQL extensions build their own client, API v1 unless told otherwise (Iceberg's
        # NessieCatalog infers v2 from the URI); floe serves API v2
        f"{prefix}.client-api-version": "2",
    }
    if warehouse.startswith("s3://"):
        conf.update(
            {
                f"{prefix}.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
                f"{prefix}.s3.endpoint": os.environ["FLOE_S3_ENDPOINT"],
                f"{prefix}.s3.path-style-access": "true",
                f"{prefix}.s3.access-key-id": os.environ["FLOE_S3_ACCESS_KEY"],
                f"{prefix}.s3.secret-access-key": os.environ["FLOE_S3_SECRET_KEY"],
                f"{prefix}.client.region": "us-east-1",
            }
        )
    return conf


def spark_session(app, catalogs):
    """A local[2] session with small memory, the Iceberg and Nessie SQL extensions and the given catalogs."""
    builder = (
        SparkSession.builder.appName(app)
        .master("local[2]")
        .config("spark.jars", os.environ["FLOE_SPARK_JARS"])
        .config(
            "spark.sql.extensions",
            "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions,"
            "org.projectnessie.spark.extensions.NessieSparkSessionExtensions",
        )
        .config("spark.driver.memory", "1g")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
    )
    for k, v in catalogs.items():
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def rows(spark, sql):
    """The rows of a query as tuples, in the order the query gives."""
    return [tuple(r) for r in spark.sql(sql).collect()]


def scalar(spark, sql):
    return spark.sql(sql).collect()[0][0]
