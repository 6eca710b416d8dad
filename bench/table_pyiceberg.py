"""pyiceberg's side of floe's table-format benchmark (bench/table.ts runs it with the venv of
scripts/python-deps.sh). Each command prints one JSON object; durations are wall-clock seconds of the
measured call only (time.perf_counter), "cpu" the process's CPU seconds in it (time.process_time, all
threads).

    python bench/table_pyiceberg.py append <source.parquet> <warehouse dir> <rounds>
        reads the rows (not timed), then per round creates table bench.events_<n> in a SQL catalog
        (SQLite) under the warehouse, partitioned by day(ts), and times `table.append(rows)`
    python bench/table_pyiceberg.py plan <metadata.json> <day start us> <day end us> <id end> <rounds>
        StaticTable.from_metadata, then times `scan(row_filter=…).plan_files()`
        for ts >= day start AND ts < day end AND id >= 0 AND id < id end
    python bench/table_pyiceberg.py manifest <metadata.json> <rounds>
        times reading the entries of the table's one manifest (ManifestFile.fetch_manifest_entry)
"""

import json
import os
import sys
import time
from datetime import datetime, timezone

import pyarrow.parquet as pq
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.expressions import And, GreaterThanOrEqual, LessThan
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table import StaticTable
from pyiceberg.transforms import DayTransform
from pyiceberg.types import DoubleType, LongType, NestedField, StringType, TimestamptzType

SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=False),
    NestedField(2, "ts", TimestamptzType(), required=False),
    NestedField(3, "category", StringType(), required=False),
    NestedField(4, "amount", DoubleType(), required=False),
)
SPEC = PartitionSpec(PartitionField(source_id=2, field_id=1000, transform=DayTransform(), name="ts_day"))


def append(source, warehouse, rounds):
    rows = pq.read_table(source)
    os.makedirs(warehouse, exist_ok=True)
    catalog = SqlCatalog(
        "bench", uri=f"sqlite:///{os.path.join(warehouse, 'catalog.db')}", warehouse=f"file://{warehouse}"
    )
    catalog.create_namespace("bench")
    runs = []
    for n in range(rounds):
        table = catalog.create_table(f"bench.events_{n}", schema=SCHEMA, partition_spec=SPEC)
        start, cpu = time.perf_counter(), time.process_time()
        table.append(rows)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        summary = table.current_snapshot().summary
        runs.append(
            {
                "seconds": seconds,
                "cpu": cpu,
                "files": int(summary["added-data-files"]),
                "rows": int(summary["added-records"]),
                "bytes": int(summary["added-files-size"]),
            }
        )
    return {"runs": runs}


def plan(metadata, day_start_us, day_end_us, id_end, rounds):
    ts = lambda us: datetime.fromtimestamp(us / 1_000_000, tz=timezone.utc).isoformat()
    row_filter = And(
        GreaterThanOrEqual("ts", ts(day_start_us)),
        LessThan("ts", ts(day_end_us)),
        GreaterThanOrEqual("id", 0),
        LessThan("id", id_end),
    )
    runs = []
    for _ in range(rounds):
        table = StaticTable.from_metadata(metadata)
        start, cpu = time.perf_counter(), time.process_time()
        tasks = list(table.scan(row_filter=row_filter).plan_files())
        runs.append(
            {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu, "files": len(tasks)}
        )
    return {"runs": runs}


def manifest(metadata, rounds):
    table = StaticTable.from_metadata(metadata)
    io = table.io
    [m] = table.current_snapshot().manifests(io)
    runs = []
    for _ in range(rounds):
        start = time.perf_counter()
        entries = m.fetch_manifest_entry(io, discard_deleted=True)
        runs.append({"seconds": time.perf_counter() - start, "entries": len(entries)})
    return {"runs": runs}


def main(argv):
    command, args = argv[0], argv[1:]
    if command == "append":
        out = append(args[0], args[1], int(args[2]))
    elif command == "plan":
        out = plan(args[0], int(args[1]), int(args[2]), int(args[3]), int(args[4]))
    elif command == "manifest":
        out = manifest(args[0], int(args[1]))
    else:
        raise SystemExit(__doc__)
    import pyiceberg

    out["pyiceberg"] = pyiceberg.__version__
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
