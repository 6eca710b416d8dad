"""pyiceberg's side of the Iceberg REST benchmark (bench/rest.ts runs it with the venv of
scripts/python-deps.sh): an append loop against a REST catalog, end to end (each append writes a
Parquet file, a manifest, a manifest list and commits over REST). Prints one JSON object.

    python bench/rest_pyiceberg.py <catalog uri> <seconds> [<catalog properties as JSON>]
"""

import json
import sys
import time

import pyarrow as pa
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.schema import Schema
from pyiceberg.types import LongType, NestedField, StringType


def main() -> None:
    uri, seconds = sys.argv[1], float(sys.argv[2])
    props = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
    catalog = RestCatalog("bench", uri=uri, **props)
    if ("pybench",) not in catalog.list_namespaces():
        catalog.create_namespace("pybench")
    schema = Schema(
        NestedField(1, "id", LongType(), required=False), NestedField(2, "data", StringType(), required=False)
    )
    table = catalog.create_table("pybench.appends", schema=schema)
    rows = pa.table({"id": pa.array(range(100), pa.int64()), "data": pa.array([f"r{i}" for i in range(100)])})
    table.append(rows)  # warm-up, not counted
    latencies = []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        table.append(rows)
        latencies.append(time.perf_counter() - t0)
    wall = time.perf_counter() - start
    latencies.sort()
    loaded = catalog.load_table("pybench.appends")
    snapshots = len(loaded.snapshots())
    rows_after = loaded.scan().to_arrow().num_rows
    print(
        json.dumps(
            {
                "appends": len(latencies),
                "seconds": wall,
                "per_second": len(latencies) / wall,
                "p50_ms": latencies[len(latencies) // 2] * 1000,
                "snapshots": snapshots,
                "rows": rows_after,
            }
        )
    )


if __name__ == "__main__":
    main()
