"""pyiceberg against floe's Iceberg REST Catalog API (`/iceberg`), run by scripts/test-interop.sh
with the venv of scripts/python-deps.sh against a running `floe serve`:

    ~/.cache/floe/venv/bin/python interop/pyiceberg-rest/check.py http://127.0.0.1:19120

The catalog is configured exactly as docs/iceberg-rest.md says — only the URI with the ref in it;
storage settings (S3 endpoint, keys) come from floe's /v1/config. Prints one line per check
("ok - …" or "FAILED - …") and ends with "pyiceberg-rest: N passed, N failed"; exits 1 on failure.
"""

import datetime
import sys
import traceback
import uuid

import pyarrow as pa
import requests
from pyiceberg.catalog import load_catalog
from pyiceberg.exceptions import NamespaceNotEmptyError, NoSuchTableError
from pyiceberg.expressions import And, EqualTo, GreaterThanOrEqual
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import BucketTransform, DayTransform
from pyiceberg.types import DoubleType, LongType, NestedField, StringType, TimestamptzType

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:19120"
RUN = uuid.uuid4().hex[:8]
NS = f"rest_{RUN}"
passed = 0
failed = 0


def check(name):
    def run(fn):
        global passed, failed
        try:
            fn()
            passed += 1
            print(f"ok - {name}", flush=True)
        except Exception as e:  # noqa: BLE001 - every failure is reported, the run goes on
            failed += 1
            print(f"FAILED - {name}: {type(e).__name__}: {e}", flush=True)
            traceback.print_exc(file=sys.stderr)
        return fn

    return run


def catalog(ref):
    return load_catalog(f"floe_{ref}", type="rest", uri=f"{BASE}/iceberg/{ref}")


def rows(ids, category, day=0, note=None):
    ts = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(days=day)
    cols = {
        "id": pa.array(ids, pa.int64()),
        "category": pa.array([category] * len(ids), pa.string()),
        "ts": pa.array([ts] * len(ids), pa.timestamp("us", tz="UTC")),
        "amount": pa.array([float(i) / 2 for i in ids], pa.float64()),
    }
    if note is not None:
        cols["note"] = pa.array([note] * len(ids), pa.string())
    return pa.table(cols)


def count(table, row_filter=None):
    scan = table.scan(row_filter=row_filter) if row_filter is not None else table.scan()
    return scan.to_arrow().num_rows


def expect(actual, wanted, what):
    if actual != wanted:
        raise AssertionError(f"{what}: expected {wanted!r}, got {actual!r}")


main = catalog("main")
IDENT = f"{NS}.events"
SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=False),
    NestedField(2, "category", StringType(), required=False),
    NestedField(3, "ts", TimestamptzType(), required=False),
    NestedField(4, "amount", DoubleType(), required=False),
)


@check("create a namespace and see it listed, with its properties")
def _():
    main.create_namespace(NS, {"owner": "interop"})
    if (NS,) not in main.list_namespaces():
        raise AssertionError(f"{NS} not in {main.list_namespaces()}")
    expect(main.load_namespace_properties(NS).get("owner"), "interop", "namespace property")


@check("create a table partitioned by day(ts); Nessie API sees it as ICEBERG_TABLE")
def _():
    spec = PartitionSpec(PartitionField(source_id=3, field_id=1000, transform=DayTransform(), name="ts_day"))
    t = main.create_table(IDENT, schema=SCHEMA, partition_spec=spec)
    content = requests.get(f"{BASE}/api/v2/trees/main/contents/{IDENT}", timeout=30).json()["content"]
    expect(content["type"], "ICEBERG_TABLE", "content type")
    expect(content["metadataLocation"], t.metadata_location, "metadata location")
    expect((NS, "events") in main.list_tables(NS), True, "table listed")


@check("append pyarrow batches and scan them back")
def _():
    t = main.load_table(IDENT)
    t.append(rows(list(range(0, 50)), "a", day=0))
    t.append(rows(list(range(50, 100)), "b", day=1))
    expect(count(main.load_table(IDENT)), 100, "rows after two appends")
    expect(len(main.load_table(IDENT).snapshots()), 2, "snapshots")


@check("scan with a row filter")
def _():
    t = main.load_table(IDENT)
    expect(count(t, And(GreaterThanOrEqual("id", 60), EqualTo("category", "b"))), 40, "filtered rows")
    expect(count(t, "id < 10"), 10, "string filter")


@check("schema evolution: add a column; old rows read it as null")
def _():
    t = main.load_table(IDENT)
    with t.update_schema() as u:
        u.add_column("note", StringType())
    t = main.load_table(IDENT)
    t.append(rows(list(range(100, 110)), "c", day=2, note="new"))
    result = main.load_table(IDENT).scan().to_arrow()
    expect(result.num_rows, 110, "rows")
    notes = result.column("note").to_pylist()
    expect(notes.count("new"), 10, "new notes")
    expect(notes.count(None), 100, "null notes of old rows")


@check("partition evolution: add bucket(4, id); appends use the new spec")
def _():
    t = main.load_table(IDENT)
    with t.update_spec() as u:
        u.add_field("id", BucketTransform(4), "id_bucket")
    t = main.load_table(IDENT)
    expect(len(t.specs()), 2, "partition specs")
    t.append(rows(list(range(110, 120)), "d", day=3, note="bucketed"))
    t = main.load_table(IDENT)
    expect(count(t), 120, "rows across specs")
    expect(count(t, EqualTo("category", "d")), 10, "rows of the new spec")


@check("delete rows by filter")
def _():
    t = main.load_table(IDENT)
    t.delete("id < 20")
    t = main.load_table(IDENT)
    expect(count(t), 100, "rows after delete")
    expect(count(t, "id < 20"), 0, "deleted rows")


@check("a stale writer gets 409 CommitFailedException; pyiceberg retries its append; no rows lost")
def _():
    first = main.load_table(IDENT)
    stale = catalog("main").load_table(IDENT)
    stale_snapshot = stale.metadata.current_snapshot_id
    first.append(rows([1000, 1001], "e", day=4, note="first"))
    # the request a stale writer makes: its requirement no longer holds
    res = requests.post(
        f"{BASE}/iceberg/v1/main/namespaces/{NS}/tables/events",
        json={
            "requirements": [{"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": stale_snapshot}],
            "updates": [{"action": "set-properties", "updates": {"stale": "true"}}],
        },
        timeout=30,
    )
    expect(res.status_code, 409, "status of a stale commit")
    expect(res.json()["error"]["type"], "CommitFailedException", "error type")
    # pyiceberg refreshes and re-applies an append on CommitFailedException
    stale.append(rows([2000], "e", day=4, note="stale"))
    expect(count(main.load_table(IDENT), EqualTo("category", "e")), 3, "rows of both writers")
    expect("stale" in main.load_table(IDENT).properties, False, "the refused commit changed nothing")


@check("a branch created over the Nessie API is usable over REST at once; main does not change")
def _():
    head = requests.get(f"{BASE}/api/v2/trees/main", timeout=30).json()["reference"]
    branch = f"etl_{RUN}"
    res = requests.post(
        f"{BASE}/api/v2/trees",
        params={"name": branch, "type": "BRANCH"},
        json={"type": "BRANCH", "name": "main", "hash": head["hash"]},
        timeout=30,
    )
    res.raise_for_status()
    etl = catalog(branch)
    t = etl.load_table(IDENT)
    before = count(t)
    t.append(rows(list(range(3000, 3005)), "f", day=5, note="branch"))
    expect(count(etl.load_table(IDENT)), before + 5, "rows on the branch")
    expect(count(main.load_table(IDENT)), before, "rows on main")
    log = requests.get(f"{BASE}/api/v2/trees/{branch}/history", timeout=30).json()["logEntries"]
    expect(log[0]["commitMeta"]["message"], f"Iceberg commit to {IDENT}", "commit message on the branch")


@check("overwrite replaces the table's rows")
def _():
    t = main.load_table(IDENT)
    t.overwrite(rows(list(range(0, 7)), "z", day=9, note="overwritten"))
    t = main.load_table(IDENT)
    expect(count(t), 7, "rows after overwrite")
    expect(set(t.scan().to_arrow().column("category").to_pylist()), {"z"}, "categories")


@check("drop: a non-empty namespace refuses, tables drop, then the namespace")
def _():
    try:
        main.drop_namespace(NS)
        raise AssertionError("a non-empty namespace was dropped")
    except NamespaceNotEmptyError:
        pass
    main.drop_table(IDENT)
    try:
        main.load_table(IDENT)
        raise AssertionError("the dropped table still loads")
    except NoSuchTableError:
        pass
    main.drop_namespace(NS)
    expect((NS,) in main.list_namespaces(), False, "namespace listed after drop")


print(f"pyiceberg-rest: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
