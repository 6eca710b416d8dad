"""DuckDB's iceberg extension against floe's Iceberg REST API, reading what Spark (interop/spark/rest.py)
and pyiceberg wrote, and inserting. Run by scripts/test-engines.sh with scripts/duckdb-deps.sh's venv:

    FLOE_REST_URI=http://127.0.0.1:PORT/iceberg/main ~/.cache/floe/duckdb-venv/bin/python interop/duckdb/check.py

The extensions come from PyPI (duckdb-extension-iceberg, -avro, -httpfs at DuckDB's exact version) and are
LOADed from the installed packages: nothing is downloaded at run time. With an S3 warehouse,
FLOE_S3_ENDPOINT / FLOE_S3_ACCESS_KEY / FLOE_S3_SECRET_KEY give DuckDB an S3 secret (DuckDB does not take
the endpoint from the catalog's config).
Prints "PASS - …" / "FAIL - …" per check and ends with "duckdb: N passed, N failed".
"""

import datetime
import glob
import os
import sys
from urllib.parse import urlparse

import duckdb
import duckdb_extension_avro
import duckdb_extension_httpfs
import duckdb_extension_iceberg
import pyarrow as pa
from pyiceberg.catalog import load_catalog
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import DoubleType, LongType, NestedField, StringType

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from checks import Checks  # noqa: E402

NS = "duckdb_interop"


def connect(uri):
    con = duckdb.connect()
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    # httpfs and avro first: iceberg needs both
    for package in (duckdb_extension_httpfs, duckdb_extension_avro, duckdb_extension_iceberg):
        path = glob.glob(os.path.join(os.path.dirname(package.__file__), "extensions", "*", "*.duckdb_extension"))
        con.execute(f"LOAD '{path[0]}'")
    endpoint = os.environ.get("FLOE_S3_ENDPOINT")
    if endpoint:
        host = urlparse(endpoint)
        con.execute(
            f"""CREATE SECRET floe_s3 (TYPE s3, KEY_ID '{os.environ["FLOE_S3_ACCESS_KEY"]}',
                SECRET '{os.environ["FLOE_S3_SECRET_KEY"]}', ENDPOINT '{host.netloc}', URL_STYLE 'path',
                USE_SSL {str(host.scheme == "https").lower()}, REGION 'us-east-1')"""
        )
    con.execute(f"ATTACH 'warehouse' AS floe (TYPE iceberg, ENDPOINT '{uri}', AUTHORIZATION_TYPE 'none')")
    return con


def main():
    uri = os.environ["FLOE_REST_URI"]
    t = Checks("duckdb")

    # pyiceberg writes a table over REST (floe hands it the storage settings)
    catalog = load_catalog("floe", type="rest", uri=uri)

    def pyiceberg_write():
        catalog.create_namespace_if_not_exists(NS)
        schema = Schema(
            NestedField(1, "id", LongType(), required=False),
            NestedField(2, "city", StringType(), required=False),
            NestedField(3, "temp", DoubleType(), required=False),
        )
        spec = PartitionSpec(PartitionField(source_id=2, field_id=1000, transform=IdentityTransform(), name="city"))
        table = catalog.create_table(f"{NS}.weather", schema=schema, partition_spec=spec)
        table.append(pa.table({"id": pa.array([1, 2, 3], pa.int64()), "city": ["oslo", "rome", "oslo"],
                               "temp": [-3.5, 14.0, -1.0]}))
        t.equal("pyiceberg wrote its table", len(table.scan().to_arrow()), 3)

    t.run("pyiceberg writes a table", pyiceberg_write)

    con = connect(uri)

    def show():
        tables = {(r[1], r[2]) for r in con.execute("SHOW ALL TABLES").fetchall() if r[0] == "floe"}
        want = {("spark_rest", "events"), ("spark_rest", "spark_orders"), (NS, "weather")}
        t.check("ATTACH over REST lists Spark's and pyiceberg's tables", want <= tables, str(sorted(tables)))

    t.run("attach", show)

    def read_spark():
        t.equal("read Spark's table after row-level changes and evolution",
                con.execute("SELECT id, amount FROM floe.spark_rest.events WHERE id < 100 ORDER BY id").fetchall(),
                [(1, 20.0), (3, 60.0), (4, 41.0), (5, 50.0), (6, 60.0), (7, 70.0)])
        t.equal("read Spark's partitioned table (decimal, date)",
                con.execute("SELECT order_id, customer, CAST(total AS VARCHAR), placed FROM floe.spark_rest.spark_orders "
                            "WHERE order_id <= 3 ORDER BY order_id").fetchall(),
                [(1, "ann", "10.50", datetime.date(2026, 1, 15)), (2, "bob", "20.25", datetime.date(2026, 2, 1)),
                 (3, "cy", "30.00", datetime.date(2026, 2, 20))])
        t.equal("read Spark's table after compaction, rollback and expiry",
                con.execute("SELECT count(*), sum(k) FROM floe.spark_rest.compact").fetchall(), [(5, 10)])

    t.run("read Spark's tables", read_spark)

    def read_pyiceberg():
        t.equal("read pyiceberg's table",
                con.execute(f"SELECT id, city, temp FROM floe.{NS}.weather ORDER BY id").fetchall(),
                [(1, "oslo", -3.5), (2, "rome", 14.0), (3, "oslo", -1.0)])
        t.equal("filter on pyiceberg's partition column",
                con.execute(f"SELECT id FROM floe.{NS}.weather WHERE city = 'oslo' ORDER BY id").fetchall(), [(1,), (3,)])

    t.run("read pyiceberg's table", read_pyiceberg)

    def insert():
        con.execute(f"INSERT INTO floe.{NS}.weather VALUES (4, 'lima', 19.5)")
        t.equal("DuckDB INSERT, read by DuckDB",
                con.execute(f"SELECT count(*) FROM floe.{NS}.weather").fetchall(), [(4,)])
        table = catalog.load_table(f"{NS}.weather")
        got = sorted(table.scan().to_arrow().to_pylist(), key=lambda r: r["id"])
        t.equal("DuckDB INSERT, read by pyiceberg", got[-1], {"id": 4, "city": "lima", "temp": 19.5})

    t.run("insert", insert)
    t.finish()


if __name__ == "__main__":
    main()
