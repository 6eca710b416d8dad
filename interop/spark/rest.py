"""Spark 3.5 with Iceberg's REST catalog against floe's /iceberg API. Run by scripts/test-engines.sh with
scripts/spark-deps.sh's venv:

    FLOE_SPARK_JARS=… FLOE_REST_URI=http://127.0.0.1:PORT/iceberg/main \\
      ~/.cache/floe/spark-venv/bin/python interop/spark/rest.py write
    … interop/spark/rest.py read-trino      (after interop/trino has written its tables)

The catalog has no storage settings of its own: floe hands them out (`/v1/config`, LoadTableResult).
`write`: the table checks of interop/spark/tables.py (namespace `spark_rest`), the stored procedures
rewrite_data_files, rollback_to_snapshot and expire_snapshots, CREATE VIEW and querying it, two
sessions writing one table at once (no lost rows), tables written through the Nessie API read over
REST, and `spark_rest.spark_orders` left for the other engines.
`read-trino`: reads what Trino wrote over REST.

Prints "PASS - …" / "FAIL - …" per check and ends with "spark-rest: N passed, N failed".
"""

import datetime
import os
import re
import sys
import threading
import urllib.request

from common import Checks, rows, scalar, spark_session
from tables import orders_table, read_trino, table_operations

C = "floe"  # the catalog's name in Spark
NS = "spark_rest"


def rest_catalog_conf():
    prefix = f"spark.sql.catalog.{C}"
    return {
        prefix: "org.apache.iceberg.spark.SparkCatalog",
        f"{prefix}.type": "rest",
        f"{prefix}.uri": os.environ["FLOE_REST_URI"],
        # every statement loads the table afresh, so two sessions see each other's commits
        f"{prefix}.cache-enabled": "false",
    }


def floe_responses():
    """floe's response counts by status class from its /metrics: {"2": n, "4": n, "5": n}, and the 409s."""
    base = os.environ["FLOE_REST_URI"].split("/iceberg")[0]
    with urllib.request.urlopen(f"{base}/metrics", timeout=30) as r:
        text = r.read().decode()
    counts = {"2": 0, "3": 0, "4": 0, "5": 0, "409": 0}
    for m in re.finditer(r'^http_requests_total\{[^}]*status="(\d)(\d\d)"\} (\d+)', text, re.M):
        counts[m.group(1)] += int(m.group(3))
        if m.group(1) + m.group(2) == "409":
            counts["409"] += int(m.group(3))
    return counts


def write(spark, t):
    t.run("create namespace", lambda: spark.sql(f"CREATE NAMESPACE {C}.{NS}"))
    t.check("namespace listed", (NS,) in rows(spark, f"SHOW NAMESPACES IN {C}"))

    events = table_operations(spark, t, C, NS)
    compact = f"{C}.{NS}.compact"

    def rewrite():
        spark.sql(f"CREATE TABLE {compact} (k BIGINT, v STRING) USING iceberg")
        for i in range(5):
            spark.sql(f"INSERT INTO {compact} VALUES ({i}, 'v{i}')")
        before = scalar(spark, f"SELECT count(*) FROM {compact}.files")
        result = spark.sql(
            f"CALL {C}.system.rewrite_data_files(table => '{NS}.compact', options => map('min-input-files', '2'))"
        ).collect()[0]
        after = scalar(spark, f"SELECT count(*) FROM {compact}.files")
        t.check("CALL rewrite_data_files compacts", before == 5 and after == 1 and result[0] == 5,
                f"files {before} -> {after}, result {result}")
        t.equal("rows unchanged by the rewrite", scalar(spark, f"SELECT count(*) FROM {compact}"), 5)

    t.run("rewrite_data_files", rewrite)

    def rollback():
        current = scalar(spark, f"SELECT snapshot_id FROM {compact}.snapshots ORDER BY committed_at DESC LIMIT 1")
        spark.sql(f"INSERT INTO {compact} VALUES (99, 'later')")
        t.equal("insert after the rewrite", scalar(spark, f"SELECT count(*) FROM {compact}"), 6)
        spark.sql(f"CALL {C}.system.rollback_to_snapshot('{NS}.compact', {current})")
        t.equal("CALL rollback_to_snapshot", scalar(spark, f"SELECT count(*) FROM {compact}"), 5)

    t.run("rollback_to_snapshot", rollback)

    def expire():
        newest = scalar(spark, f"SELECT max(committed_at) FROM {compact}.snapshots") + datetime.timedelta(seconds=1)
        spark.sql(
            f"CALL {C}.system.expire_snapshots(table => '{NS}.compact', "
            f"older_than => TIMESTAMP '{newest.strftime('%Y-%m-%d %H:%M:%S.%f')}', retain_last => 1)"
        )
        t.equal("CALL expire_snapshots keeps one snapshot", scalar(spark, f"SELECT count(*) FROM {compact}.snapshots"), 1)
        t.equal("rows readable after expiry", scalar(spark, f"SELECT count(*) FROM {compact}"), 5)

    t.run("expire_snapshots", expire)

    def view():
        spark.sql(f"CREATE VIEW {C}.{NS}.big_events AS SELECT id, amount FROM {events} WHERE amount > 45")
        t.check("SHOW VIEWS lists the view", "big_events" in [r[1] for r in rows(spark, f"SHOW VIEWS IN {C}.{NS}")])
        t.equal("query the view", rows(spark, f"SELECT id FROM {C}.{NS}.big_events ORDER BY id"), [(3,), (5,), (6,), (7,)])
        spark.sql(f"CREATE OR REPLACE VIEW {C}.{NS}.big_events AS SELECT id FROM {events} WHERE amount > 55")
        t.equal("replace the view", rows(spark, f"SELECT id FROM {C}.{NS}.big_events ORDER BY id"), [(3,), (6,), (7,)])

    t.run("views", view)

    def concurrent():
        table = f"{C}.{NS}.concurrent"
        spark.sql(f"CREATE TABLE {table} (writer STRING, n INT) USING iceberg")
        per_writer = 6
        errors = []

        def writer(session, name):
            try:
                for i in range(per_writer):
                    session.sql(f"INSERT INTO {table} VALUES ('{name}', {i})")
            except Exception as e:  # noqa: BLE001 — reported as a failed check below
                errors.append(f"{name}: {e}")

        conflicts = floe_responses()["409"]
        sessions = [(spark.newSession(), "a"), (spark.newSession(), "b")]
        threads = [threading.Thread(target=writer, args=s) for s in sessions]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        t.check("two sessions insert at once without an error", not errors, "; ".join(errors)[:500])
        t.equal("no lost rows", rows(spark, f"SELECT writer, count(*) FROM {table} GROUP BY writer ORDER BY writer"),
                [("a", per_writer), ("b", per_writer)])
        t.equal("one snapshot per insert", scalar(spark, f"SELECT count(*) FROM {table}.snapshots"), 2 * per_writer)
        # not a check: whether the two sessions' commits overlapped depends on timing
        print(f"# concurrent sessions: floe answered {floe_responses()['409'] - conflicts} commits with 409 "
              "CommitFailedException, which Spark retried", flush=True)

    t.run("concurrent sessions", concurrent)

    def nessie_tables():
        # interop/spark/nessie.py wrote `interop.*` through NessieCatalog (the Nessie API) on main
        t.equal("REST reads a table NessieCatalog wrote",
                rows(spark, f"SELECT order_id FROM {C}.interop.spark_orders WHERE order_id <= 3 ORDER BY order_id"),
                [(1,), (2,), (3,)])

    if os.environ.get("FLOE_NESSIE_TABLES") == "1":
        t.run("REST reads a table NessieCatalog wrote", nessie_tables)

    orders_table(spark, t, C, NS)
    t.equal("no 5xx response from floe during the run", floe_responses()["5"], 0)


def main():
    phase = sys.argv[1] if len(sys.argv) > 1 else "write"
    t = Checks("spark-rest" if phase == "write" else "spark-rest-read-trino")
    spark = spark_session("floe-interop-spark-rest", rest_catalog_conf())
    try:
        if phase == "write":
            write(spark, t)
        else:
            read_trino(spark, t, C, NS)
    finally:
        spark.stop()
    t.finish()


if __name__ == "__main__":
    main()
