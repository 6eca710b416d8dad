"""The pyiceberg cross-check: tables floe writes read by pyiceberg, and tables pyiceberg writes read by
floe. Run by scripts/test-interop.sh with the venv of scripts/python-deps.sh:

    ~/.cache/floe/venv/bin/python interop/pyiceberg/check.py

Prints one line per check ("ok - …" or "FAILED - …" with the difference) and ends with
"pyiceberg: N passed, N failed". Exits 1 if any check failed.

floe's side runs as `node --import tsx interop/pyiceberg/floe.ts` (write / read), which prints JSON rows:
longs and ints as strings, timestamps as epoch micros (string), dates as epoch days (string),
decimals as text, doubles as numbers.
"""

import datetime
import decimal
import json
import os
import subprocess
import sys
import tempfile
import traceback

import pyarrow as pa
import pyarrow.compute as pc
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.expressions import And, EqualTo, GreaterThanOrEqual, IsNull, LessThan, Or
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table import StaticTable
from pyiceberg.transforms import BucketTransform, DayTransform, IdentityTransform
from pyiceberg.types import (
    BooleanType,
    DateType,
    DecimalType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    NestedField,
    StringType,
    TimestampType,
    TimestamptzType,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
EPOCH_DATE = datetime.date(1970, 1, 1)

passed = 0
failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok - {name}", flush=True)
    else:
        failed += 1
        print(f"FAILED - {name}" + (f": {detail}" if detail else ""), flush=True)


def equal(name, got, want):
    check(name, got == want, f"got {short(got)}, want {short(want)}")


def short(v):
    s = repr(v)
    return s if len(s) < 600 else s[:600] + "…"


def floe(*args):
    out = subprocess.run(
        ["node", "--import", "tsx", os.path.join(ROOT, "interop", "pyiceberg", "floe.ts"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if out.returncode != 0:
        raise RuntimeError(f"floe.ts {' '.join(args)} failed ({out.returncode}): {out.stderr[-2000:]}")
    return json.loads(out.stdout)


def json_value(v):
    """A Python value as floe.ts prints it."""
    if v is None or isinstance(v, (bool, float, str)):
        return v
    if isinstance(v, int):
        return str(v)
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        d = v - EPOCH
        return str((d.days * 86_400 + d.seconds) * 1_000_000 + d.microseconds)
    if isinstance(v, datetime.date):
        return str((v - EPOCH_DATE).days)
    raise TypeError(f"unexpected value {v!r}")


def arrow_rows(table):
    rows = [{k: json_value(v) for k, v in r.items()} for r in table.to_pylist()]
    return sorted(rows, key=lambda r: int(r["id"]))


def by_id(rows):
    return sorted(rows, key=lambda r: int(r["id"]))


def guarded(name, fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - a crash is one failed check, the rest still run
        check(name, False, f"{type(e).__name__}: {e}")
        traceback.print_exc(file=sys.stderr)


# a. floe writes, pyiceberg reads


def floe_writes(tmp):
    written = floe("write", tmp)
    want = by_id(written["rows"])
    table = StaticTable.from_metadata(written["metadata"])
    m = table.metadata

    fields = [(f.field_id, f.name, str(f.field_type), f.required) for f in table.schema().fields]
    equal(
        "floe → pyiceberg: schema",
        fields,
        [
            (1, "id", "long", True),
            (2, "category", "string", False),
            (3, "ts", "timestamptz", False),
            (4, "amount", "decimal(12, 2)", False),
            (5, "day", "date", False),
            (6, "price", "double", False),
            (7, "flag", "boolean", False),
            (8, "name", "string", False),
            (9, "local_ts", "timestamp", False),
            (10, "n", "int", False),
        ],
    )
    spec = [(f.source_id, f.field_id, str(f.transform), f.name) for f in table.spec().fields]
    equal(
        "floe → pyiceberg: partition spec",
        spec,
        [
            (2, 1000, "identity", "category"),
            (3, 1001, "day", "ts_day"),
            (1, 1002, "bucket[4]", "id_bucket"),
        ],
    )
    snaps = m.snapshots
    first, second = (snaps + [None, None])[:2]
    equal(
        "floe → pyiceberg: snapshots",
        [
            (len(snaps), m.last_sequence_number),
            [(s.sequence_number, str(s.summary.operation.value)) for s in snaps],
            second is not None and second.parent_snapshot_id == first.snapshot_id,
            m.current_snapshot_id == (second.snapshot_id if second else None),
        ],
        [(2, 2), [(1, "append"), (2, "append")], True, True],
    )
    if second is not None:
        summary = second.summary.additional_properties
        equal(
            "floe → pyiceberg: summary totals",
            [summary.get(k) for k in ("added-records", "total-records", "total-data-files")],
            ["30", "70", str(len(list(table.scan().plan_files())))],
        )
    arrow = table.scan().to_arrow()
    equal("floe → pyiceberg: row count", arrow.num_rows, len(want))
    equal("floe → pyiceberg: row values", arrow_rows(arrow), want)
    if first is not None:
        equal(
            "floe → pyiceberg: first snapshot's rows",
            arrow_rows(table.scan(snapshot_id=first.snapshot_id).to_arrow()),
            [r for r in want if int(r["id"]) < 40],
        )

    # filters: on an identity partition, a day-partitioned timestamp, a bucketed long, a plain column
    ts_from = datetime.datetime(2024, 3, 5, tzinfo=datetime.timezone.utc)
    ts_from_us = json_value(ts_from)
    filters = [
        ("category = 'b'", EqualTo("category", "b"), lambda r: r["category"] == "b"),
        ("category IS NULL", IsNull("category"), lambda r: r["category"] is None),
        ("id = 42", EqualTo("id", 42), lambda r: r["id"] == "42"),
        (
            "ts >= 2024-03-05 AND category = 'a'",
            And(GreaterThanOrEqual("ts", ts_from.isoformat()), EqualTo("category", "a")),
            lambda r: r["ts"] is not None and int(r["ts"]) >= int(ts_from_us) and r["category"] == "a",
        ),
        ("ts < 1970-01-01", LessThan("ts", EPOCH.isoformat()), lambda r: int(r["ts"]) < 0),
        ("amount < 0", LessThan("amount", decimal.Decimal("0.00")), lambda r: decimal.Decimal(r["amount"]) < 0),
    ]
    for label, expr, keep in filters:
        expected = [r for r in want if keep(r)]
        got = arrow_rows(table.scan(row_filter=expr).to_arrow())
        check(f"floe → pyiceberg: row_filter {label} ({len(expected)} rows)", got == expected and len(expected) > 0,
              f"got {short(got)}, want {short(expected)}")


# b. pyiceberg writes, floe reads

PY_SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=True),
    NestedField(2, "category", StringType(), required=False),
    NestedField(3, "ts", TimestamptzType(), required=False),
    NestedField(4, "amount", DecimalType(12, 2), required=False),
    NestedField(5, "day", DateType(), required=False),
    NestedField(6, "price", DoubleType(), required=False),
    NestedField(7, "flag", BooleanType(), required=False),
    NestedField(8, "name", StringType(), required=False),
    NestedField(9, "local_ts", TimestampType(), required=False),
    NestedField(10, "n", IntegerType(), required=False),
)

ARROW_SCHEMA = pa.schema(
    [
        pa.field("id", pa.int64(), nullable=False),
        pa.field("category", pa.string()),
        pa.field("ts", pa.timestamp("us", tz="UTC")),
        pa.field("amount", pa.decimal128(12, 2)),
        pa.field("day", pa.date32()),
        pa.field("price", pa.float64()),
        pa.field("flag", pa.bool_()),
        pa.field("name", pa.string()),
        pa.field("local_ts", pa.timestamp("us")),
        pa.field("n", pa.int32()),
    ]
)


def py_rows(lo, hi):
    rows = []
    for i in range(lo, hi):
        ts = EPOCH + datetime.timedelta(days=19_700 + i // 4, hours=i * 5, microseconds=i)
        rows.append(
            {
                "id": i,
                "category": None if i % 10 == 9 else "xyz"[i % 3],
                "ts": ts if i != 7 else datetime.datetime(1969, 7, 20, 20, 17, 40, tzinfo=datetime.timezone.utc),
                "amount": decimal.Decimal(i * 1375 - 20000).scaleb(-2),
                "day": datetime.date(1999, 12, 30) + datetime.timedelta(days=i),
                "price": None if i % 11 == 5 else i / 16,
                "flag": None if i % 13 == 0 else i % 2 == 1,
                "name": f"ü{i}",
                "local_ts": datetime.datetime(2001, 2, 3, 4, 5, 6) + datetime.timedelta(minutes=i * 61),
                "n": -i * 7,
            }
        )
    return rows


def pyiceberg_writes(tmp):
    warehouse = os.path.join(tmp, "warehouse")
    os.makedirs(warehouse)
    catalog = SqlCatalog(
        "interop",
        uri=f"sqlite:///{os.path.join(tmp, 'catalog.db')}",
        warehouse=f"file://{warehouse}",
    )
    catalog.create_namespace("ns")
    spec = PartitionSpec(
        PartitionField(source_id=2, field_id=1000, transform=IdentityTransform(), name="category"),
        PartitionField(source_id=3, field_id=1001, transform=DayTransform(), name="ts_day"),
        PartitionField(source_id=1, field_id=1002, transform=BucketTransform(4), name="id_bucket"),
    )
    table = catalog.create_table("ns.py_t", schema=PY_SCHEMA, partition_spec=spec)
    batches = [py_rows(0, 25), py_rows(25, 60)]
    for batch in batches:
        table.append(pa.Table.from_pylist(batch, schema=ARROW_SCHEMA))
    table = catalog.load_table("ns.py_t")
    want = by_id([{k: json_value(v) for k, v in r.items()} for b in batches for r in b])
    n_files = len(list(table.scan().plan_files()))

    read = floe("read", table.metadata_location)
    equal("pyiceberg → floe: snapshots", read["snapshots"], len(table.metadata.snapshots))
    equal("pyiceberg → floe: planned files", read["files"], n_files)
    equal("pyiceberg → floe: row count", len(read["rows"]), len(want))
    equal("pyiceberg → floe: row values", by_id(read["rows"]), want)
    filtered = floe("read", table.metadata_location, "category", "y")
    expected = [r for r in want if r["category"] == "y"]
    py_files = len(list(table.scan(row_filter=EqualTo("category", "y")).plan_files()))
    equal("pyiceberg → floe: planScan category = 'y' (rows)", by_id(filtered["rows"]), expected)
    equal("pyiceberg → floe: planScan category = 'y' (files, as pyiceberg plans)", filtered["files"], py_files)
    check("pyiceberg → floe: the filter pruned files", 0 < filtered["files"] < read["files"],
          f"{filtered['files']} of {read['files']}")

    # floe appends to pyiceberg's table (its manifests carried over unchanged); pyiceberg reads it
    parent = table.metadata.current_snapshot()
    appended = floe("append", table.metadata_location, "100", "110")
    after = StaticTable.from_metadata(appended["metadata"])
    snap = after.metadata.current_snapshot()
    equal(
        "floe appends to pyiceberg's table: snapshot",
        [
            len(after.metadata.snapshots),
            snap.parent_snapshot_id == parent.snapshot_id,
            snap.sequence_number,
            after.metadata.last_sequence_number,
            snap.summary.additional_properties.get("total-records"),
            [e.metadata_file for e in after.metadata.metadata_log][-1:],
        ],
        [
            len(table.metadata.snapshots) + 1,
            True,
            parent.sequence_number + 1,
            parent.sequence_number + 1,
            str(int(parent.summary.additional_properties["total-records"]) + 10),
            [table.metadata_location],
        ],
    )
    equal(
        "floe appends to pyiceberg's table: pyiceberg reads every row",
        arrow_rows(after.scan().to_arrow()),
        by_id(want + appended["rows"]),
    )
    equal(
        "floe appends to pyiceberg's table: pyiceberg's own rows at its snapshot",
        arrow_rows(after.scan(snapshot_id=parent.snapshot_id).to_arrow()),
        want,
    )


# c. evolved schemas and partition specs, both ways

EVOLVED_FIELDS = [
    (1, "id", "long", True),
    (2, "a", "long", False),
    (3, "f", "double", False),
    (4, "label", "string", False),
    (6, "category", "string", False),
    (7, "extra", "string", False),
]
EVOLVED_SPECS = {
    0: [(6, 1000, "identity", "category")],
    1: [(6, 1000, "identity", "category"), (1, 1001, "bucket[4]", "id_bucket")],
}


def evolved_filters(want):
    """Filters over the evolved table: an identity partition both specs share, the bucketed id of the
    new spec, the promoted int → long column (old files' bounds are ints) and float → double."""
    return [
        ("category = 'b'", EqualTo("category", "b"), lambda r: r["category"] == "b"),
        ("id = 45", EqualTo("id", 45), lambda r: r["id"] == "45"),
        ("a >= 60000000000 (int → long)", GreaterThanOrEqual("a", 60_000_000_000), lambda r: int(r["a"]) >= 60_000_000_000),
        ("f < 2.0 (float → double)", LessThan("f", 2.0), lambda r: r["f"] is not None and r["f"] < 2.0),
    ]


def floe_evolves(tmp):
    out = floe("evolve", tmp)
    want = by_id(out["rows"])
    table = StaticTable.from_metadata(out["metadata"])
    m = table.metadata
    fields = [(f.field_id, f.name, str(f.field_type), f.required) for f in table.schema().fields]
    equal("floe evolves → pyiceberg: schema (added, renamed, int → long, float → double, dropped)", fields, EVOLVED_FIELDS)
    equal("floe evolves → pyiceberg: schema ids", ([s.schema_id for s in m.schemas], m.current_schema_id), ([0, 1], 1))
    specs = {s.spec_id: [(f.source_id, f.field_id, str(f.transform), f.name) for f in s.fields] for s in m.partition_specs}
    equal("floe evolves → pyiceberg: partition specs", (specs, m.default_spec_id), (EVOLVED_SPECS, 1))
    tasks = list(table.scan().plan_files())
    equal("floe evolves → pyiceberg: files of both specs", sorted({t.file.spec_id for t in tasks}), [0, 1])
    arrow = table.scan().to_arrow()
    equal("floe evolves → pyiceberg: row count", arrow.num_rows, len(want))
    equal("floe evolves → pyiceberg: row values", arrow_rows(arrow), want)
    equal(
        "floe evolves → pyiceberg: first snapshot's rows in its own schema",
        arrow_rows(table.scan(snapshot_id=int(out["first"])).to_arrow()),
        by_id(out["firstRows"]),
    )
    for label, expr, keep in evolved_filters(want):
        expected = [r for r in want if keep(r)]
        got = arrow_rows(table.scan(row_filter=expr).to_arrow())
        check(f"floe evolves → pyiceberg: row_filter {label} ({len(expected)} rows)", got == expected and len(expected) > 0,
              f"got {short(got)}, want {short(expected)}")


EV_SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=True),
    NestedField(2, "a", IntegerType(), required=False),
    NestedField(3, "f", FloatType(), required=False),
    NestedField(4, "name", StringType(), required=False),
    NestedField(5, "gone", StringType(), required=False),
    NestedField(6, "category", StringType(), required=False),
)
EV_ARROW_V0 = pa.schema(
    [
        pa.field("id", pa.int64(), nullable=False),
        pa.field("a", pa.int32()),
        pa.field("f", pa.float32()),
        pa.field("name", pa.string()),
        pa.field("gone", pa.string()),
        pa.field("category", pa.string()),
    ]
)
EV_ARROW_V1 = pa.schema(
    [
        pa.field("id", pa.int64(), nullable=False),
        pa.field("a", pa.int64()),
        pa.field("f", pa.float64()),
        pa.field("label", pa.string()),
        pa.field("category", pa.string()),
        pa.field("extra", pa.string()),
    ]
)


def ev_category(i):
    return None if i % 7 == 6 else "abc"[i % 3]


def ev_rows_v0(lo, hi):
    # floats are quarters, exact in 32 bits, so the promoted doubles compare exactly
    return [
        {"id": i, "a": i * 1000 - 7, "f": i / 4, "name": f"n-{i}", "gone": f"g-{i}", "category": ev_category(i)}
        for i in range(lo, hi)
    ]


def ev_rows_v1(lo, hi):
    return [
        {"id": i, "a": i * 3_000_000_000, "f": i / 3, "label": f"l-{i}", "category": ev_category(i), "extra": f"x-{i}"}
        for i in range(lo, hi)
    ]


def pyiceberg_evolves(tmp):
    warehouse = os.path.join(tmp, "warehouse")
    os.makedirs(warehouse)
    catalog = SqlCatalog(
        "evolve",
        uri=f"sqlite:///{os.path.join(tmp, 'catalog.db')}",
        warehouse=f"file://{warehouse}",
    )
    catalog.create_namespace("ns")
    table = catalog.create_table(
        "ns.py_ev",
        schema=EV_SCHEMA,
        partition_spec=PartitionSpec(PartitionField(source_id=6, field_id=1000, transform=IdentityTransform(), name="category")),
    )
    table.append(pa.Table.from_pylist(ev_rows_v0(0, 20), schema=EV_ARROW_V0))
    with table.update_schema() as update:
        update.add_column("extra", StringType())
        update.rename_column("name", "label")
        update.update_column("a", LongType())
        update.update_column("f", DoubleType())
        update.delete_column("gone")
    table.append(pa.Table.from_pylist(ev_rows_v1(20, 40), schema=EV_ARROW_V1))
    with table.update_spec() as update:
        update.add_field("id", BucketTransform(4), "id_bucket")
    table.append(pa.Table.from_pylist(ev_rows_v1(40, 60), schema=EV_ARROW_V1))
    table = catalog.load_table("ns.py_ev")
    specs = {s.spec_id: [(f.source_id, f.field_id, str(f.transform), f.name) for f in s.fields] for s in table.metadata.partition_specs}
    check("pyiceberg evolved its table as intended", specs == EVOLVED_SPECS and
          [(f.field_id, f.name, str(f.field_type), f.required) for f in table.schema().fields] == EVOLVED_FIELDS,
          f"specs {specs}, schema {table.schema()}")

    old = [
        {"id": r["id"], "a": r["a"], "f": r["f"], "label": r["name"], "category": r["category"], "extra": None}
        for r in ev_rows_v0(0, 20)
    ]
    want = by_id([{k: json_value(v) for k, v in r.items()} for r in old + ev_rows_v1(20, 60)])
    read = floe("read", table.metadata_location)
    equal(
        "pyiceberg evolves → floe: schema",
        read["schema"],
        [[i, name, t] for i, name, t, _ in EVOLVED_FIELDS],
    )
    tasks = list(table.scan().plan_files())
    equal(
        "pyiceberg evolves → floe: planned files and their specs, as pyiceberg plans",
        (read["files"], sorted(read["specs"])),
        (len(tasks), sorted(t.file.spec_id for t in tasks)),
    )
    equal("pyiceberg evolves → floe: row values", by_id(read["rows"]), want)
    filtered = floe("read", table.metadata_location, "category", "b")
    py_files = len(list(table.scan(row_filter=EqualTo("category", "b")).plan_files()))
    equal(
        "pyiceberg evolves → floe: planScan category = 'b' over both specs (rows, files)",
        (by_id(filtered["rows"]), filtered["files"]),
        ([r for r in want if r["category"] == "b"], py_files),
    )


# d. row-level deletes, both ways


def floe_deletes(tmp):
    out = floe("delete", tmp)
    want = by_id(out["rows"])
    for mode, t in out["tables"].items():
        table = StaticTable.from_metadata(t["metadata"])
        tasks = list(table.scan().plan_files())
        deletes = [d for task in tasks for d in task.delete_files]
        if mode == "merge-on-read":
            check(f"floe deletes ({mode}) → pyiceberg: position delete files planned",
                  len(deletes) > 0 and all(d.content.value == 1 for d in deletes),
                  f"{[(d.file_path, d.content) for d in deletes]}")
        else:
            equal(f"floe deletes ({mode}) → pyiceberg: no delete files", len(deletes), 0)
        ops = [s.summary.operation.value for s in table.metadata.snapshots]
        # copy-on-write rewrites files (overwrite); merge-on-read adds position deletes (delete)
        after = "overwrite" if mode == "copy-on-write" else "delete"
        equal(f"floe deletes ({mode}) → pyiceberg: snapshot operations", ops, ["append", "append", after, after])
        arrow = table.scan().to_arrow()
        equal(f"floe deletes ({mode}) → pyiceberg: rows left ({len(want)} of 70)", arrow_rows(arrow), want)
        equal(
            f"floe deletes ({mode}) → pyiceberg: category = 'a', deletes applied",
            arrow_rows(table.scan(row_filter=EqualTo("category", "a")).to_arrow()),
            [r for r in want if r["category"] == "a"],
        )
        equal(
            f"floe deletes ({mode}) → pyiceberg: every row at the snapshot before the deletes",
            len(table.scan(snapshot_id=int(t["before"])).to_arrow()),
            70,
        )
        read = floe("read", t["metadata"])
        equal(f"floe deletes ({mode}) → floe reads its own table", (by_id(read["rows"]), read["deletes"] > 0),
              (want, mode == "merge-on-read"))
        # compaction of that table (every small file, deletes applied), read by pyiceberg and floe
        compacted = floe("compact", t["metadata"])
        after_c = StaticTable.from_metadata(compacted["metadata"])
        equal(
            f"floe compacts ({mode}) → pyiceberg: operation, files rewritten, delete files left",
            [str(after_c.current_snapshot().summary.operation.value), compacted["rewritten"] > 0,
             sum(len(task.delete_files) for task in after_c.scan().plan_files())],
            ["replace", True, 0],
        )
        equal(f"floe compacts ({mode}) → pyiceberg: rows", arrow_rows(after_c.scan().to_arrow()), want)
        equal(f"floe compacts ({mode}) → floe's rows", by_id(compacted["rows"]), want)


def pyiceberg_deletes(tmp):
    warehouse = os.path.join(tmp, "warehouse")
    os.makedirs(warehouse)
    catalog = SqlCatalog(
        "deletes",
        uri=f"sqlite:///{os.path.join(tmp, 'catalog.db')}",
        warehouse=f"file://{warehouse}",
    )
    catalog.create_namespace("ns")
    spec = PartitionSpec(PartitionField(source_id=2, field_id=1000, transform=IdentityTransform(), name="category"))
    table = catalog.create_table("ns.py_del", schema=PY_SCHEMA, partition_spec=spec)
    rows = py_rows(0, 60)
    table.append(pa.Table.from_pylist(rows[:25], schema=ARROW_SCHEMA))
    table.append(pa.Table.from_pylist(rows[25:], schema=ARROW_SCHEMA))
    # whole files (category y) and part of files (id < 5), then one row
    table.delete(Or(LessThan("id", 5), EqualTo("category", "y")))
    table.delete(EqualTo("id", 50))
    table = catalog.load_table("ns.py_del")
    kept = [r for r in rows if not (r["id"] < 5 or r["category"] == "y") and r["id"] != 50]
    want = by_id([{k: json_value(v) for k, v in r.items()} for r in kept])
    ops = [s.summary.operation.value for s in table.metadata.snapshots]
    check("pyiceberg deleted rows as intended", arrow_rows(table.scan().to_arrow()) == want and "append" in ops,
          f"operations {ops}")
    read = floe("read", table.metadata_location)
    equal("pyiceberg deletes → floe: snapshots", read["snapshots"], len(table.metadata.snapshots))
    equal("pyiceberg deletes → floe: planned files, as pyiceberg plans", read["files"],
          len(list(table.scan().plan_files())))
    equal(f"pyiceberg deletes → floe: rows left ({len(want)} of 60)", by_id(read["rows"]), want)
    filtered = floe("read", table.metadata_location, "category", "x")
    equal("pyiceberg deletes → floe: category = 'x'", by_id(filtered["rows"]),
          [r for r in want if r["category"] == "x"])


# e. floe's table maintenance (refs, rollback, cherry-pick, expire with files, orphans), read by pyiceberg


def floe_history(tmp):
    out = floe("history", tmp)
    table = StaticTable.from_metadata(out["metadata"])
    md = table.metadata
    name = "floe history → pyiceberg"
    equal(f"{name}: snapshots left after expiring 3 and 4", sorted(s.snapshot_id for s in md.snapshots), [1, 2, 5])
    equal(f"{name}: expired snapshots and their files", (out["removed"], out["deleted"]), (
        ["3", "4"],
        {"manifestLists": 2, "manifests": 1, "dataFiles": 0, "deleteFiles": 0,
         "statisticsFiles": 0, "partitionStatisticsFiles": 0},
    ))
    refs = {
        n: (r.snapshot_id, r.snapshot_ref_type.value, r.min_snapshots_to_keep, r.max_ref_age_ms)
        for n, r in md.refs.items()
    }
    equal(f"{name}: branches and tags with retention", refs, {
        "main": (5, "branch", None, None),
        "dev": (2, "branch", 2, None),
        "v1": (1, "tag", None, 10 * 365 * 86_400_000),
    })
    s5 = md.snapshot_by_id(5)
    equal(
        f"{name}: the cherry-picked snapshot (parent, operation, source-snapshot-id, total-records)",
        (s5.parent_snapshot_id, s5.summary.operation.value, s5.summary.get("source-snapshot-id"),
         s5.summary.get("total-records")),
        (4, "append", "3", "25"),
    )
    want = {
        "main": [str(i) for i in [*range(0, 10), *range(20, 35)]],
        "dev": [str(i) for i in range(0, 20)],
        "v1": [str(i) for i in range(0, 10)],
    }
    for ref, ids in want.items():
        got = table.scan(snapshot_id=md.refs[ref].snapshot_id).to_arrow()
        py_ids = sorted((str(v) for v in got.column("id").to_pylist()), key=int)
        equal(f"{name}: rows of {ref} (pyiceberg, floe)", (py_ids, out["ids"][ref]), (ids, ids))
    stray = os.path.join(tmp, "floe_history", "data", "category=x", "stray.parquet")
    equal(
        f"{name}: the orphan removed, nothing else",
        ([o.removeprefix("file://") for o in out["orphans"]], os.path.exists(stray)),
        ([stray], False),
    )


def main():
    with tempfile.TemporaryDirectory(prefix="floe-pyiceberg-") as tmp:
        a = os.path.join(tmp, "a")
        b = os.path.join(tmp, "b")
        os.makedirs(a)
        os.makedirs(b)
        guarded("floe → pyiceberg", lambda: floe_writes(a))
        guarded("pyiceberg → floe", lambda: pyiceberg_writes(b))
        c = os.path.join(tmp, "c")
        d = os.path.join(tmp, "d")
        os.makedirs(c)
        os.makedirs(d)
        guarded("floe evolves → pyiceberg", lambda: floe_evolves(c))
        guarded("pyiceberg evolves → floe", lambda: pyiceberg_evolves(d))
        e = os.path.join(tmp, "e")
        os.makedirs(e)
        guarded("floe history → pyiceberg", lambda: floe_history(e))
        f = os.path.join(tmp, "f")
        g = os.path.join(tmp, "g")
        os.makedirs(f)
        os.makedirs(g)
        guarded("floe deletes → pyiceberg", lambda: floe_deletes(f))
        guarded("pyiceberg deletes → floe", lambda: pyiceberg_deletes(g))
    print(f"pyiceberg: {passed} passed, {failed} failed", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
