"""TPC-H data and queries for bench/tpch.ts, from DuckDB's tpch extension (dbgen):

    python bench/tpch/gen.py SF DIR

writes DIR/<table>.parquet for the 8 tables at scale factor SF, DIR/queries.json (the 22 queries'
text, `tpch_queries()`), then DIR/done. Run with scripts/tpch-deps.sh's venv; the extension is LOADed
from the installed PyPI package, so nothing is downloaded. A DIR that has `done` is left as it is.
"""

import glob
import json
import os
import sys
import time

import duckdb
import duckdb_extension_tpch

TABLES = ("region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem")


def main():
    sf, out = sys.argv[1], sys.argv[2]
    if os.path.exists(os.path.join(out, "done")):
        return
    os.makedirs(out, exist_ok=True)
    t0 = time.monotonic()
    ext = glob.glob(os.path.join(os.path.dirname(duckdb_extension_tpch.__file__), "extensions", "*", "*.duckdb_extension"))
    con = duckdb.connect()
    con.execute(f"LOAD '{ext[0]}'")
    con.execute(f"CALL dbgen(sf = {float(sf)})")
    for t in TABLES:
        path = os.path.join(out, f"{t}.parquet")
        con.execute(f"COPY {t} TO '{path}.tmp' (FORMAT parquet)")
        os.replace(f"{path}.tmp", path)
    queries = [q for _, q in con.execute("SELECT query_nr, query FROM tpch_queries() ORDER BY query_nr").fetchall()]
    with open(os.path.join(out, "queries.json"), "w") as f:
        json.dump({"scale_factor": float(sf), "duckdb": duckdb.__version__, "queries": queries}, f, indent=1)
    with open(os.path.join(out, "done"), "w") as f:
        f.write(f"generated in {time.monotonic() - t0:.1f} s\n")


if __name__ == "__main__":
    main()
