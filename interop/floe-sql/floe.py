"""Runs floe SQL the way a user does: the `floe sql` program (bin/floe.js), one process per script.

    floe_sql("SELECT id FROM ns.t ORDER BY id")          -> [["1"], …] (values as floe's JSON gives them)
    floe_sql("CREATE …; INSERT …")                        -> [] (messages go to stderr)

The catalog is the running server's: FLOE_SQL_STORE is its metadata store (`pglite:<dir>`, which the
server holds, so `floe sql` sends the statements to the server at FLOE_SQL_URI; or `postgres://…`,
which `floe sql` opens itself, with the S3 settings of FLOE_S3_ENDPOINT / FLOE_S3_ACCESS_KEY /
FLOE_S3_SECRET_KEY and the warehouse FLOE_WAREHOUSE for new tables).
"""

import json
import os
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# not the repository: a floe.yaml or .floe there is no part of the run
CWD = tempfile.mkdtemp(prefix="floe-sql-interop-")


class FloeSqlError(Exception):
    pass


def _env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOE_")}
    env["FLOE_STORE"] = os.environ["FLOE_SQL_STORE"]
    env["FLOE_URI"] = os.environ["FLOE_SQL_URI"]
    if os.environ.get("FLOE_WAREHOUSE"):
        env["FLOE_WAREHOUSE"] = os.environ["FLOE_WAREHOUSE"]
    if os.environ.get("FLOE_S3_ENDPOINT"):
        env.update(
            FLOE_S3_ENDPOINT=os.environ["FLOE_S3_ENDPOINT"],
            FLOE_S3_ACCESS_KEY_ID=os.environ["FLOE_S3_ACCESS_KEY"],
            FLOE_S3_SECRET_ACCESS_KEY=os.environ["FLOE_S3_SECRET_KEY"],
            FLOE_S3_PATH_STYLE_ACCESS="true",
            FLOE_S3_REGION="us-east-1",
        )
    return env


def floe_sql(script, ref=None):
    """Runs `floe sql --format json -e script`; returns the rows of its queries as lists of values."""
    args = ["node", os.path.join(ROOT, "bin", "floe.js"), "sql", "--format", "json", "-e", script]
    if ref:
        args += ["--ref", ref]
    r = subprocess.run(args, capture_output=True, text=True, env=_env(), cwd=CWD, timeout=600)
    if r.returncode != 0:
        raise FloeSqlError(f"floe sql failed ({r.returncode}): {r.stderr.strip()[:800]}")
    return [list(json.loads(line).values()) for line in r.stdout.splitlines() if line.strip()]
