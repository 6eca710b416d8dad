"""Spark 3.5 with Iceberg's NessieCatalog and the Nessie Spark SQL extensions against `floe serve`
(the seed platform's configuration). Run by scripts/test-interop.sh with scripts/spark-deps.sh's venv:

    FLOE_SPARK_JARS=… FLOE_NESSIE_URI=http://127.0.0.1:PORT/api/v2 FLOE_WAREHOUSE=… \\
      ~/.cache/floe/spark-venv/bin/python interop/spark/nessie.py write
    … interop/spark/nessie.py read-trino      (after interop/trino has written its tables)

`write`: namespaces, a partitioned table with INSERT / SELECT / UPDATE / DELETE / MERGE INTO, ALTER TABLE
(columns and partition evolution), time travel by snapshot id and timestamp, and the Nessie SQL
extensions: CREATE BRANCH, USE REFERENCE, writes on the branch invisible on main, MERGE BRANCH,
SHOW LOG, CREATE TAG and reading at the tag, ASSIGN, DROP BRANCH. It leaves `interop.spark_orders`
on main for the other engines to read.
`read-trino`: reads what Trino wrote (`interop.trino_ctas`, `interop.spark_orders` after Trino's INSERT).

Prints "PASS - …" / "FAIL - …" per check and ends with "spark-nessie: N passed, N failed".
"""

import sys

from common import Checks, nessie_catalog_conf, rows, scalar, spark_session
from tables import orders_table, read_trino, table_operations

C = "nessie"  # the catalog's name in Spark


def write(spark, t):
    t.run("create namespace", lambda: spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {C}.interop"))
    t.check("namespace listed", ("interop",) in rows(spark, f"SHOW NAMESPACES IN {C}"))

    events = table_operations(spark, t, C, "interop")

    # --- Nessie SQL extensions ---
    main_count = None

    def branch():
        nonlocal main_count
        main_count = scalar(spark, f"SELECT count(*) FROM {events}")
        spark.sql(f"CREATE BRANCH IF NOT EXISTS spark_dev IN {C} FROM main")
        refs = rows(spark, f"LIST REFERENCES IN {C}")
        t.check("CREATE BRANCH (LIST REFERENCES shows dev)", any(r[0] == "Branch" and r[1] == "spark_dev" for r in refs), str(refs))
        spark.sql(f"USE REFERENCE spark_dev IN {C}")
        ref = rows(spark, f"SHOW REFERENCE IN {C}")
        t.check("USE REFERENCE dev", ref and ref[0][1] == "spark_dev", str(ref))
        spark.sql(f"INSERT INTO {events} VALUES (100, TIMESTAMP '2026-02-01 00:00:00', 'dev', 1.0)")
        spark.sql(f"CREATE TABLE {C}.interop.dev_only (k INT) USING iceberg")
        spark.sql(f"INSERT INTO {C}.interop.dev_only VALUES (1), (2)")
        t.equal("write on dev visible on dev", scalar(spark, f"SELECT count(*) FROM {events}"), main_count + 1)
        spark.sql(f"USE REFERENCE main IN {C}")
        t.equal("write on dev invisible on main", scalar(spark, f"SELECT count(*) FROM {events}"), main_count)
        t.check("table created on dev absent on main",
                ("dev_only",) not in [(r[1],) for r in rows(spark, f"SHOW TABLES IN {C}.interop")])
        t.equal("table@branch syntax", scalar(spark, f"SELECT count(*) FROM {C}.interop.`events@spark_dev`"), main_count + 1)

    t.run("branch", branch)

    def merge():
        spark.sql(f"MERGE BRANCH spark_dev INTO main IN {C}")
        spark.sql(f"USE REFERENCE main IN {C}")
        t.equal("MERGE BRANCH: dev's rows on main", scalar(spark, f"SELECT count(*) FROM {events} WHERE id = 100"), 1)
        t.equal("MERGE BRANCH: dev's table on main", scalar(spark, f"SELECT count(*) FROM {C}.interop.dev_only"), 2)
        log = spark.sql(f"SHOW LOG main IN {C}").collect()
        t.check("SHOW LOG main lists commits", len(log) >= 10, f"{len(log)} entries")
        messages = " | ".join(str(r["message"]) for r in log[:20])
        t.check("SHOW LOG has Iceberg's commit messages", "events" in messages, messages[:400])

    t.run("merge branch", merge)

    def tag():
        count = scalar(spark, f"SELECT count(*) FROM {events}")
        spark.sql(f"CREATE TAG IF NOT EXISTS spark_tag IN {C} FROM main")
        spark.sql(f"INSERT INTO {events} VALUES (200, TIMESTAMP '2026-03-01 00:00:00', 'after-tag', 2.0)")
        t.equal("main moves on after the tag", scalar(spark, f"SELECT count(*) FROM {events}"), count + 1)
        t.equal("read at the tag (table@tag)", scalar(spark, f"SELECT count(*) FROM {C}.interop.`events@spark_tag`"), count)
        spark.sql(f"USE REFERENCE spark_tag IN {C}")
        t.equal("read at the tag (USE REFERENCE tag)", scalar(spark, f"SELECT count(*) FROM {events}"), count)
        spark.sql(f"USE REFERENCE main IN {C}")

    t.run("tag", tag)

    def assign_drop():
        spark.sql(f"ASSIGN BRANCH spark_dev TO main IN {C}")
        t.equal("ASSIGN BRANCH spark_dev TO main", scalar(spark, f"SELECT count(*) FROM {C}.interop.`events@spark_dev`"),
                scalar(spark, f"SELECT count(*) FROM {events}"))
        spark.sql(f"DROP BRANCH spark_dev IN {C}")
        refs = rows(spark, f"LIST REFERENCES IN {C}")
        t.check("DROP BRANCH", not any(r[1] == "spark_dev" for r in refs), str(refs))

    t.run("assign / drop branch", assign_drop)

    orders_table(spark, t, C, "interop")


def main():
    phase = sys.argv[1] if len(sys.argv) > 1 else "write"
    t = Checks("spark-nessie" if phase == "write" else "spark-nessie-read-trino")
    spark = spark_session("floe-interop-spark-nessie", nessie_catalog_conf(C))
    try:
        if phase == "write":
            write(spark, t)
        else:
            read_trino(spark, t, C, "interop")
    finally:
        spark.stop()
    t.finish()


if __name__ == "__main__":
    main()
