"""Trino against floe through its Iceberg connector, with the tables Spark wrote (interop/spark/nessie.py
`write` first). Run by scripts/test-engines.sh with the system python3 (no packages needed):

    python3 interop/trino/check.py SERVER_URL JAVA_HOME CLI_JAR CATALOG SCHEMA

CATALOG is a catalog of the server (interop/trino/server.sh): `nessie` (iceberg.catalog.type=nessie) or
`rest` (iceberg.catalog.type=rest). The first statement runs through the Trino CLI (trino-cli, executable
jar), the others through Trino's client protocol.
Checks: SHOW SCHEMAS / TABLES, SELECT of Spark's tables (values, a partition filter, metadata tables),
CREATE TABLE AS, INSERT into Spark's table, time travel to the snapshot before the INSERT; it leaves
`SCHEMA.trino_ctas` and a row (4, 'dee') in `SCHEMA.spark_orders` for Spark to read back.
Prints "PASS - …" / "FAIL - …" per check and ends with "trino-CATALOG: N passed, N failed".
"""

import json
import os
import subprocess
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from checks import Checks  # noqa: E402


class Trino:
    """Statements through Trino's client protocol (POST /v1/statement, then nextUri until done) — the
    protocol of the CLI and the JDBC driver, without a JVM start per statement; the CLI runs once."""

    def __init__(self, url, java_home, cli, catalog):
        self.url = url
        self.catalog = catalog
        self.cli = [os.path.join(java_home, "bin", "java"), "--enable-native-access=ALL-UNNAMED", "-jar", cli,
                    "--server", url, "--catalog", catalog, "--output-format", "TSV"]

    def cli_query(self, sql):
        """The rows of one statement run by the Trino CLI, as lists of strings."""
        out = subprocess.run(self.cli + ["--execute", sql], capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            message = [line for line in out.stderr.splitlines() if line.startswith("Query") or "Error" in line]
            raise RuntimeError((message or out.stderr.strip().splitlines()[-1:] or ["?"])[0][:500])
        return [line.split("\t") for line in out.stdout.splitlines() if line != ""]

    def query(self, sql):
        """The rows of one statement as lists of strings (None for NULL); raises with Trino's message."""
        headers = {"X-Trino-User": "floe-interop", "X-Trino-Catalog": self.catalog}
        request = urllib.request.Request(f"{self.url}/v1/statement", data=sql.encode(), headers=headers, method="POST")
        result = []
        while True:
            with urllib.request.urlopen(request, timeout=300) as response:
                body = json.load(response)
            if "error" in body:
                raise RuntimeError(body["error"].get("message", str(body["error"]))[:500])
            for row in body.get("data") or []:
                result.append([None if v is None else str(v) for v in row])
            if "nextUri" not in body:
                return result
            request = urllib.request.Request(body["nextUri"], headers=headers)


def main():
    url, java_home, cli, catalog, schema = sys.argv[1:6]
    t = Checks(f"trino-{catalog}")
    trino = Trino(url, java_home, cli, catalog)

    def show():
        t.check("SHOW SCHEMAS lists the namespace (Trino CLI)", [schema] in trino.cli_query("SHOW SCHEMAS"))
        tables = trino.query(f"SHOW TABLES IN interop")
        t.check("SHOW TABLES lists Spark's tables", ["events"] in tables and ["spark_orders"] in tables, str(tables))

    t.run("show schemas / tables", show)

    def select():
        t.equal("SELECT Spark's partitioned table",
                trino.query(f"SELECT order_id, customer, CAST(total AS varchar), CAST(placed AS varchar) "
                            f"FROM {schema}.spark_orders ORDER BY order_id"),
                [["1", "ann", "10.50", "2026-01-15"], ["2", "bob", "20.25", "2026-02-01"], ["3", "cy", "30.00", "2026-02-20"]])
        t.equal("SELECT with a partition filter",
                trino.query(f"SELECT order_id FROM {schema}.spark_orders WHERE placed >= DATE '2026-02-01' ORDER BY order_id"),
                [["2"], ["3"]])
        # Spark's events after UPDATE / DELETE / MERGE and schema and partition evolution
        t.equal("SELECT Spark's evolved table (row-level changes, two specs)",
                trino.query(f"SELECT id, amount FROM {schema}.events WHERE id < 100 ORDER BY id"),
                [["1", "20.0"], ["3", "60.0"], ["4", "41.0"], ["5", "50.0"], ["6", "60.0"], ["7", "70.0"]])
        snapshots = trino.query(f'SELECT count(*) FROM {schema}."events$snapshots"')
        t.check("$snapshots of Spark's table", int(snapshots[0][0]) >= 6, str(snapshots))

    t.run("select Spark's tables", select)

    def ctas():
        trino.query(f"DROP TABLE IF EXISTS {schema}.trino_ctas")
        trino.query(f"CREATE TABLE {schema}.trino_ctas WITH (partitioning = ARRAY['customer']) AS "
                    f"SELECT customer, total FROM {schema}.spark_orders")
        t.equal("CREATE TABLE AS", trino.query(f"SELECT customer, CAST(total AS varchar) FROM {schema}.trino_ctas ORDER BY 1"),
                [["ann", "10.50"], ["bob", "20.25"], ["cy", "30.00"]])

    t.run("create table as", ctas)

    def insert():
        before = trino.query(f'SELECT snapshot_id FROM {schema}."spark_orders$snapshots" ORDER BY committed_at DESC LIMIT 1')[0][0]
        trino.query(f"INSERT INTO {schema}.spark_orders VALUES (4, 'dee', 40.00, DATE '2026-03-05')")
        t.equal("INSERT into Spark's table", trino.query(f"SELECT count(*) FROM {schema}.spark_orders"), [["4"]])
        t.equal("FOR VERSION AS OF the snapshot before the INSERT",
                trino.query(f"SELECT count(*) FROM {schema}.spark_orders FOR VERSION AS OF {before}"), [["3"]])

    t.run("insert", insert)
    t.finish()


if __name__ == "__main__":
    main()
