"""One Spark job for bench/spark.ts: create a partitioned Iceberg table and insert generated rows into it,
with the catalog over Iceberg REST or NessieCatalog (interop/spark's configurations), then read the
row count back. Run with scripts/spark-deps.sh's venv:

    FLOE_SPARK_JARS=… FLOE_REST_URI=http://127.0.0.1:PORT/iceberg/main \\
      python bench/spark_insert.py rest 1000000
    FLOE_SPARK_JARS=… FLOE_NESSIE_URI=http://127.0.0.1:PORT/api/v2 FLOE_WAREHOUSE=/dir \\
      python bench/spark_insert.py nessie 1000000

Prints one JSON line: the seconds for the SparkSession (JVM start), CREATE TABLE, the insert and the
read-back count, and the rows counted.
"""

import json
import os
import sys
import time

t_start = time.monotonic()

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "interop", "spark"))

from common import nessie_catalog_conf, spark_session  # noqa: E402
from rest import rest_catalog_conf  # noqa: E402

C = "floe"


def main():
    mode, rows = sys.argv[1], int(sys.argv[2])
    if mode == "rest":
        conf = rest_catalog_conf()
    elif mode == "nessie":
        conf = {k.replace("spark.sql.catalog.nessie", f"spark.sql.catalog.{C}"): v for k, v in nessie_catalog_conf("nessie").items()}
    else:
        sys.exit(f"spark_insert.py: mode must be rest or nessie, not {mode!r}")

    spark = spark_session(f"bench-spark-{mode}", conf)
    t_session = time.monotonic()

    table = f"{C}.bench.events"
    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {C}.bench")
    spark.sql(
        f"CREATE TABLE {table} (id BIGINT, ts TIMESTAMP, category STRING, amount DOUBLE) "
        "USING iceberg PARTITIONED BY (days(ts))"
    )
    t_create = time.monotonic()

    # 10 days of events, 100,000 a day (2026-01-01 onwards), 8 categories
    (
        spark.range(rows)
        .selectExpr(
            "id",
            "timestamp_seconds(1767225600 + (id % 10) * 86400 + (id * 7919) % 86400) AS ts",
            "concat('c', CAST(id % 8 AS STRING)) AS category",
            "CAST(id % 100000 AS DOUBLE) / 100 AS amount",
        )
        .writeTo(table)
        .append()
    )
    t_insert = time.monotonic()

    counted = spark.sql(f"SELECT count(*) FROM {table}").collect()[0][0]
    files = spark.sql(f"SELECT count(*) FROM {table}.files").collect()[0][0]
    t_count = time.monotonic()
    spark.stop()

    print(
        json.dumps(
            {
                "mode": mode,
                "rows": rows,
                "counted": counted,
                "files": files,
                "sessionSeconds": t_session - t_start,
                "createSeconds": t_create - t_session,
                "insertSeconds": t_insert - t_create,
                "countSeconds": t_count - t_insert,
                "jobSeconds": t_count - t_session,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
