"""The TPC-H queries in Spark 3.5 (local[2]) on floe's Iceberg tables through its REST catalog, for bench/tpch.ts.
Run with scripts/spark-deps.sh's venv:

    FLOE_SPARK_JARS=… FLOE_REST_URI=http://127.0.0.1:PORT/iceberg/main \\
      python bench/tpch/spark.py QUERIES_JSON RUNS [WARMUP [DRIVER_MEMORY]]

QUERIES_JSON holds {"queries": [text, …]} (Spark's dialect; the tables unqualified: the session runs
`USE floe.tpch`). Each query runs RUNS times after WARMUP (default 1) unmeasured runs; prints one JSON line per query:
{"query": n, "rows": count, "seconds": [each measured run]}, and first {"sessionSeconds": …}.
"""

import json
import os
import sys
import time

t_start = time.monotonic()
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(here)), "interop", "spark"))

from common import spark_session  # noqa: E402
from rest import rest_catalog_conf  # noqa: E402


def main():
    path, runs = sys.argv[1], int(sys.argv[2])
    warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    memory = sys.argv[4] if len(sys.argv) > 4 else "2g"
    with open(path) as f:
        queries = json.load(f)["queries"]
    conf = rest_catalog_conf()
    conf["spark.driver.memory"] = memory
    spark = spark_session("bench-tpch", conf)
    spark.sql("USE floe.tpch")
    print(json.dumps({"sessionSeconds": time.monotonic() - t_start}), flush=True)
    for n, q in enumerate(queries, start=1):
        for _ in range(warmup):
            spark.sql(q).collect()
        rows = None
        seconds = []
        for _ in range(runs):
            t0 = time.monotonic()
            got = len(spark.sql(q).collect())
            seconds.append(time.monotonic() - t0)
            if rows is not None and got != rows:
                sys.exit(f"Q{n}: {rows} rows, then {got}")
            rows = got
        print(json.dumps({"query": n, "rows": rows, "seconds": seconds}), flush=True)
    spark.stop()


if __name__ == "__main__":
    main()
