"""The table checks every Spark catalog runs (interop/spark/nessie.py and rest.py): a partitioned table
with INSERT / SELECT / UPDATE / DELETE / MERGE INTO, ALTER TABLE (columns and partition evolution) and
time travel by snapshot id and timestamp. Leaves `<catalog>.<namespace>.events` with 6 rows, ids
1, 3, 4, 5, 6, 7.
"""

import datetime

from common import rows, scalar


def table_operations(spark, t, catalog, namespace):
    C = catalog
    events = f"{C}.{namespace}.events"

    def create():
        spark.sql(
            f"""CREATE TABLE {events} (id BIGINT, ts TIMESTAMP, category STRING, amount DOUBLE)
                USING iceberg PARTITIONED BY (days(ts), bucket(16, id))"""
        )
        t.check("create partitioned table", ("events",) in [(r[1],) for r in rows(spark, f"SHOW TABLES IN {C}.{namespace}")])

    t.run("create partitioned table", create)

    def insert_select():
        spark.sql(
            f"""INSERT INTO {events} VALUES
                (1, TIMESTAMP '2026-01-01 10:00:00', 'a', 10.0),
                (2, TIMESTAMP '2026-01-01 11:00:00', 'b', 20.0),
                (3, TIMESTAMP '2026-01-02 09:30:00', 'a', 30.0),
                (4, TIMESTAMP '2026-01-03 00:00:00', 'c', 40.0)"""
        )
        t.equal("insert + select", rows(spark, f"SELECT id, category, amount FROM {events} ORDER BY id"),
                [(1, "a", 10.0), (2, "b", 20.0), (3, "a", 30.0), (4, "c", 40.0)])
        t.equal("filter on a partition column",
                rows(spark, f"SELECT id FROM {events} WHERE ts >= TIMESTAMP '2026-01-02 00:00:00' ORDER BY id"),
                [(3,), (4,)])
        files = scalar(spark, f"SELECT count(*) FROM {events}.files")
        t.check("data files split by partition", files >= 3, f"{files} data files")

    t.run("insert + select", insert_select)

    snapshot_after_insert = None
    time_after_insert = None

    def remember():
        nonlocal snapshot_after_insert, time_after_insert
        snapshot_after_insert, committed = rows(
            spark, f"SELECT snapshot_id, committed_at FROM {events}.snapshots ORDER BY committed_at DESC LIMIT 1"
        )[0]
        time_after_insert = committed + datetime.timedelta(milliseconds=1)

    t.run("snapshots metadata table", remember)

    def update_delete_merge():
        spark.sql(f"UPDATE {events} SET amount = amount * 2 WHERE category = 'a'")
        t.equal("update", rows(spark, f"SELECT id, amount FROM {events} WHERE category = 'a' ORDER BY id"),
                [(1, 20.0), (3, 60.0)])
        spark.sql(f"DELETE FROM {events} WHERE id = 2")
        t.equal("delete", rows(spark, f"SELECT id FROM {events} ORDER BY id"), [(1,), (3,), (4,)])
        spark.sql(
            f"""MERGE INTO {events} t USING (SELECT * FROM VALUES
                  (4L, TIMESTAMP '2026-01-03 00:00:00', 'c', 41.0),
                  (5L, TIMESTAMP '2026-01-04 12:00:00', 'd', 50.0) AS s(id, ts, category, amount)) s
                ON t.id = s.id
                WHEN MATCHED THEN UPDATE SET t.amount = s.amount
                WHEN NOT MATCHED THEN INSERT *"""
        )
        t.equal("merge into", rows(spark, f"SELECT id, amount FROM {events} ORDER BY id"),
                [(1, 20.0), (3, 60.0), (4, 41.0), (5, 50.0)])

    t.run("update / delete / merge into", update_delete_merge)

    def alter():
        spark.sql(f"ALTER TABLE {events} ADD COLUMN note STRING")
        spark.sql(f"INSERT INTO {events} VALUES (6, TIMESTAMP '2026-01-05 08:00:00', 'a', 60.0, 'six')")
        t.equal("add column", rows(spark, f"SELECT id, note FROM {events} WHERE id IN (1, 6) ORDER BY id"),
                [(1, None), (6, "six")])
        spark.sql(f"ALTER TABLE {events} RENAME COLUMN note TO remark")
        t.equal("rename column", rows(spark, f"SELECT remark FROM {events} WHERE id = 6"), [("six",)])
        spark.sql(f"ALTER TABLE {events} DROP COLUMN remark")
        t.check("drop column", "remark" not in spark.table(events).columns, str(spark.table(events).columns))
        spark.sql(f"ALTER TABLE {events} ADD PARTITION FIELD category")
        spark.sql(f"INSERT INTO {events} VALUES (7, TIMESTAMP '2026-01-06 08:00:00', 'e', 70.0)")
        specs = scalar(spark, f"SELECT count(DISTINCT spec_id) FROM {events}.files")
        t.check("partition evolution (two specs in the files)", specs == 2, f"{specs} specs")
        t.equal("rows across specs", scalar(spark, f"SELECT count(*) FROM {events}"), 6)

    t.run("alter table", alter)

    def time_travel():
        t.equal("VERSION AS OF", rows(spark, f"SELECT id, amount FROM {events} VERSION AS OF {snapshot_after_insert} ORDER BY id"),
                [(1, 10.0), (2, 20.0), (3, 30.0), (4, 40.0)])
        ts = time_after_insert.strftime("%Y-%m-%d %H:%M:%S.%f")
        t.equal("TIMESTAMP AS OF", scalar(spark, f"SELECT count(*) FROM {events} TIMESTAMP AS OF '{ts}'"), 4)

    t.run("time travel", time_travel)

    return events


def orders_table(spark, t, catalog, namespace):
    """`<namespace>.spark_orders`, for the other engines to read (interop/trino/check.py, interop/duckdb)."""
    orders = f"{catalog}.{namespace}.spark_orders"

    def create():
        spark.sql(f"CREATE TABLE {orders} (order_id BIGINT, customer STRING, total DECIMAL(10,2), placed DATE) "
                  "USING iceberg PARTITIONED BY (months(placed))")
        spark.sql(
            f"""INSERT INTO {orders} VALUES
                (1, 'ann', 10.50, DATE '2026-01-15'), (2, 'bob', 20.25, DATE '2026-02-01'),
                (3, 'cy', 30.00, DATE '2026-02-20')"""
        )
        t.equal("table for the other engines", scalar(spark, f"SELECT count(*) FROM {orders}"), 3)

    t.run("table for the other engines", create)


def read_trino(spark, t, catalog, namespace):
    """Reads what interop/trino/check.py wrote: its CREATE TABLE AS and its row in spark_orders."""

    def ctas():
        t.equal("Spark reads Trino's CREATE TABLE AS",
                rows(spark, f"SELECT customer, CAST(total AS STRING) FROM {catalog}.{namespace}.trino_ctas ORDER BY customer"),
                [("ann", "10.50"), ("bob", "20.25"), ("cy", "30.00")])

    t.run("Spark reads Trino's CREATE TABLE AS", ctas)

    def insert():
        t.equal("Spark reads Trino's INSERT",
                rows(spark, f"SELECT order_id, customer FROM {catalog}.{namespace}.spark_orders WHERE order_id >= 4 ORDER BY order_id"),
                [(4, "dee")])

    t.run("Spark reads Trino's INSERT", insert)
