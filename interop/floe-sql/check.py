"""floe SQL against the other engines, each reading what the other wrote, through the running server of
scripts/test-interop.sh (started by scripts/test-engines.sh):

    FLOE_SQL_STORE=… FLOE_SQL_URI=http://127.0.0.1:PORT FLOE_REST_URI=http://127.0.0.1:PORT/iceberg/main \\
      FLOE_SPARK_JARS=… ~/.cache/floe/spark-venv/bin/python interop/floe-sql/check.py spark
    FLOE_SQL_STORE=… FLOE_SQL_URI=… FLOE_REST_URI=… ~/.cache/floe/venv/bin/python interop/floe-sql/check.py pyiceberg

Both phases: floe SQL (the `floe sql` program, interop/floe-sql/floe.py) creates a partitioned table and
a merge-on-read one, inserts, deletes by copy-on-write and by merge-on-read, adds a column and inserts
again; the engine reads the same rows. Then the engine writes and floe SQL reads the same rows:
`spark` — Spark 3.5 over Iceberg REST: merge-on-read and copy-on-write DELETE and UPDATE, ADD COLUMN;
`pyiceberg` — appends, a delete, schema evolution. Prints "PASS - …" / "FAIL - …" per check and ends with
"floe-sql-spark: N passed, N failed" (or floe-sql-pyiceberg).
"""

import datetime
import decimal
import os
import sys
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from checks import Checks  # noqa: E402
from floe import floe_sql  # noqa: E402

RUN = uuid.uuid4().hex[:6]
COLUMNS = "id, category, amount, ts, d, note"


def norm(v):
    """A value of any engine as the text floe's JSON output gives for it."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, decimal.Decimal)):
        return str(v)
    if isinstance(v, datetime.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, datetime.date):
        return v.isoformat()
    return str(v)


def norm_rows(rows):
    return [tuple(norm(v) for v in r) for r in rows]


def event(i, category, note=None):
    """A row of the floe-written tables: (id, category, amount, ts, d, note) as floe prints them."""
    day = datetime.date(2024, 1, 1) + datetime.timedelta(days=i % 3)
    return (str(i), category, f"{i}.50", f"{day.isoformat()} {i % 24:02d}:00:00", day.isoformat(), note)


def values(rows):
    def lit(v, kind):
        if v is None:
            return "NULL"
        return {"s": f"'{v}'", "n": v, "ts": f"TIMESTAMP '{v}'", "d": f"DATE '{v}'"}[kind]

    kinds = ["n", "s", "n", "ts", "d", "s"]
    return ", ".join("(" + ", ".join(lit(v, k) for v, k in zip(r, kinds)) + ")" for r in rows)


def floe_writes(ns):
    """floe SQL writes ns.events (copy-on-write) and ns.events_mor (merge-on-read); returns their rows.
    The deletes drop whole files (category 'b') and one row of a file (id 3): copy-on-write rewrites that
    file, merge-on-read writes a position delete."""
    first = [event(i, "abc"[i % 3]) for i in range(1, 9)]
    more = [event(9, "a"), event(10, "b")]
    late = [event(11, "c", "late")]
    floe_sql(
        f"""
        CREATE NAMESPACE {ns};
        CREATE TABLE {ns}.events (id BIGINT, category STRING, amount DECIMAL(10, 2), ts TIMESTAMP, d DATE)
          PARTITIONED BY (days(ts), category);
        CREATE TABLE {ns}.events_mor (id BIGINT, category STRING, amount DECIMAL(10, 2), ts TIMESTAMP, d DATE)
          PARTITIONED BY (category) TBLPROPERTIES ('write.delete.mode' = 'merge-on-read');
        INSERT INTO {ns}.events VALUES {values([r[:5] for r in first])};
        INSERT INTO {ns}.events VALUES {values([r[:5] for r in more])};
        INSERT INTO {ns}.events_mor SELECT * FROM {ns}.events;
        DELETE FROM {ns}.events WHERE category = 'b' OR id = 3;
        DELETE FROM {ns}.events_mor WHERE category = 'b' OR id = 3;
        ALTER TABLE {ns}.events ADD COLUMN note STRING;
        ALTER TABLE {ns}.events_mor ADD COLUMN note STRING;
        INSERT INTO {ns}.events VALUES {values(late)};
        INSERT INTO {ns}.events_mor VALUES {values(late)}
        """
    )
    kept = [r for r in first + more + late if r[1] != "b" and r[0] != "3"]
    return sorted(kept, key=lambda r: int(r[0]))


def check_floe_tables(t, ns, expected, read):
    """floe SQL's own reading and the engine's (`read(table)` → rows in COLUMNS order by id) agree."""
    for table in ("events", "events_mor"):
        t.equal(f"floe SQL reads its {table}", norm_rows(floe_sql(f"SELECT {COLUMNS} FROM {ns}.{table} ORDER BY id")),
                expected)
        t.equal(f"the engine reads floe SQL's {table} with the same rows", norm_rows(read(table)), expected)
    ops = floe_sql(
        f"SELECT (SELECT operation FROM {ns}.\"events$snapshots\" ORDER BY committed_at DESC LIMIT 1 OFFSET 1), "
        f"(SELECT operation FROM {ns}.\"events_mor$snapshots\" ORDER BY committed_at DESC LIMIT 1 OFFSET 1)"
    )
    t.equal("floe SQL deleted by copy-on-write and by merge-on-read", ops, [["overwrite", "delete"]])


def spark_phase(t):
    from common import spark_session  # interop/spark/common.py
    from rest import rest_catalog_conf  # interop/spark/rest.py

    spark = spark_session("floe-interop-floe-sql", rest_catalog_conf())
    try:
        ns = f"floe_sql_spark_{RUN}"
        expected = []

        def writes():
            expected.extend(floe_writes(ns))

        t.run("floe SQL writes", writes)
        if expected:
            check_floe_tables(
                t, ns, expected, lambda table: [tuple(r) for r in spark.sql(
                    f"SELECT {COLUMNS} FROM floe.{ns}.{table} ORDER BY id").collect()]
            )
            t.check("Spark sees floe SQL's position delete files",
                    spark.sql(f"SELECT count(*) FROM floe.{ns}.events_mor.delete_files").collect()[0][0] > 0)

        def spark_writes(mode):
            table = f"floe.{ns}.spark_{mode.replace('-', '_')}"
            spark.sql(
                f"CREATE TABLE {table} (id BIGINT, category STRING, amount DECIMAL(10, 2), d DATE) USING iceberg "
                f"PARTITIONED BY (category) TBLPROPERTIES ('format-version' = '2', 'write.delete.mode' = '{mode}', "
                f"'write.update.mode' = '{mode}', 'write.merge.mode' = '{mode}')"
            )
            spark.sql(
                f"INSERT INTO {table} VALUES " + ", ".join(
                    f"({i}, '{'abc'[i % 3]}', {i}.25, DATE '2024-02-0{1 + i % 3}')" for i in range(1, 9))
            )
            spark.sql(f"DELETE FROM {table} WHERE id IN (2, 5)")
            spark.sql(f"UPDATE {table} SET amount = amount * 2, category = 'c' WHERE category = 'a'")
            spark.sql(f"ALTER TABLE {table} ADD COLUMN note STRING")
            spark.sql(f"INSERT INTO {table} VALUES (9, 'b', 9.25, DATE '2024-02-01', 'late')")
            want = []
            for i in list(range(1, 9)) + [9]:
                if i in (2, 5):
                    continue
                cat = "abc"[i % 3] if i < 9 else "b"
                amount = decimal.Decimal(f"{i}.25")
                if cat == "a":
                    cat, amount = "c", amount * 2
                day = datetime.date(2024, 2, 1 + i % 3) if i < 9 else datetime.date(2024, 2, 1)
                want.append((str(i), cat, str(amount), day.isoformat(), "late" if i == 9 else None))
            got_spark = norm_rows(spark.sql(f"SELECT id, category, amount, d, note FROM {table} ORDER BY id").collect())
            t.equal(f"Spark reads its {mode} table", got_spark, want)
            deletes = spark.sql(f"SELECT count(*) FROM {table}.delete_files").collect()[0][0]
            t.check(f"Spark's {mode} DELETE/UPDATE wrote {'delete files' if mode == 'merge-on-read' else 'none'}",
                    (deletes > 0) == (mode == "merge-on-read"), f"{deletes} delete files")
            got_floe = norm_rows(floe_sql(f"SELECT id, category, amount, d, note FROM {ns}.spark_{mode.replace('-', '_')} ORDER BY id"))
            t.equal(f"floe SQL reads Spark's {mode} table (DELETE, UPDATE, ADD COLUMN) with the same rows", got_floe, want)

        for mode in ("merge-on-read", "copy-on-write"):
            t.run(f"Spark writes ({mode})", lambda mode=mode: spark_writes(mode))
    finally:
        spark.stop()


def pyiceberg_phase(t):
    import pyarrow as pa
    from pyiceberg.catalog import load_catalog
    from pyiceberg.partitioning import PartitionField, PartitionSpec
    from pyiceberg.schema import Schema
    from pyiceberg.transforms import IdentityTransform
    from pyiceberg.types import DateType, DecimalType, LongType, NestedField, StringType

    catalog = load_catalog("floe", type="rest", uri=os.environ["FLOE_REST_URI"])
    ns = f"floe_sql_py_{RUN}"
    expected = []

    def writes():
        expected.extend(floe_writes(ns))

    t.run("floe SQL writes", writes)

    def read(table):
        rows = catalog.load_table(f"{ns}.{table}").scan(selected_fields=tuple(COLUMNS.split(", "))).to_arrow()
        return sorted((tuple(r[c] for c in COLUMNS.split(", ")) for r in rows.to_pylist()), key=lambda r: r[0])

    if expected:
        check_floe_tables(t, ns, expected, read)

    def py_writes():
        schema = Schema(
            NestedField(1, "id", LongType(), required=False),
            NestedField(2, "category", StringType(), required=False),
            NestedField(3, "amount", DecimalType(10, 2), required=False),
            NestedField(4, "d", DateType(), required=False),
        )
        spec = PartitionSpec(PartitionField(source_id=2, field_id=1000, transform=IdentityTransform(), name="category"))
        table = catalog.create_table(f"{ns}.py_events", schema=schema, partition_spec=spec)
        arrow = pa.schema([("id", pa.int64()), ("category", pa.string()), ("amount", pa.decimal128(10, 2)),
                           ("d", pa.date32())])

        def batch(ids):
            return pa.Table.from_pylist(
                [{"id": i, "category": "abc"[i % 3], "amount": decimal.Decimal(f"{i}.75"),
                  "d": datetime.date(2024, 3, 1 + i % 3)} for i in ids], schema=arrow)

        table.append(batch(range(1, 7)))
        table.append(batch(range(7, 10)))
        table.delete(delete_filter="id = 4 or category = 'c'")
        with table.update_schema() as update:
            update.add_column("note", StringType())
        table = catalog.load_table(f"{ns}.py_events")
        late = pa.Table.from_pylist(
            [{"id": 10, "category": "b", "amount": decimal.Decimal("10.75"), "d": datetime.date(2024, 3, 2),
              "note": "late"}], schema=arrow.append(pa.field("note", pa.string())))
        table.append(late)
        want = [(str(i), "abc"[i % 3], f"{i}.75", datetime.date(2024, 3, 1 + i % 3).isoformat(), None)
                for i in range(1, 10) if i != 4 and i % 3 != 2]
        want.append(("10", "b", "10.75", "2024-03-02", "late"))
        cols = ("id", "category", "amount", "d", "note")
        got_py = sorted(norm_rows(tuple(r[c] for c in cols) for r in table.scan().to_arrow().to_pylist()),
                        key=lambda r: int(r[0]))
        t.equal("pyiceberg reads its table", got_py, want)
        got_floe = norm_rows(floe_sql(f"SELECT id, category, amount, d, note FROM {ns}.py_events ORDER BY id"))
        t.equal("floe SQL reads pyiceberg's table (appends, a delete, an added column) with the same rows",
                got_floe, want)
        first = table.history()[0].snapshot_id
        t.equal("floe SQL reads pyiceberg's first snapshot (FOR VERSION AS OF)",
                floe_sql(f"SELECT count(*) FROM {ns}.py_events FOR VERSION AS OF {first}"), [["6"]])

    t.run("pyiceberg writes", py_writes)


def main():
    phase = sys.argv[1] if len(sys.argv) > 1 else ""
    if phase not in ("spark", "pyiceberg"):
        sys.exit("usage: check.py spark|pyiceberg")
    t = Checks(f"floe-sql-{phase}")
    sys.path.insert(0, os.path.join(os.path.dirname(HERE), "spark"))
    (spark_phase if phase == "spark" else pyiceberg_phase)(t)
    t.finish()


if __name__ == "__main__":
    main()
