"""PASS/FAIL bookkeeping shared by the engine checks (interop/spark, interop/trino, interop/duckdb): one
line per check, "PASS - name" or "FAIL - name: detail", and a closing "SUITE: N passed, N failed" that
scripts/test-engines.sh counts. Plain Python, no packages.
"""

import sys
import traceback


class Checks:
    """Counts checks; prints "PASS - name" or "FAIL - name: detail" and a closing summary line."""

    def __init__(self, suite):
        self.suite = suite
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"PASS - {name}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL - {name}" + (f": {detail}" if detail else ""), flush=True)

    def equal(self, name, got, want):
        self.check(name, got == want, f"got {short(got)}, want {short(want)}")

    def run(self, name, fn):
        """Runs one step; an exception is a failed check named after the step."""
        try:
            fn()
        except Exception as e:  # noqa: BLE001 — every failure is reported, the run goes on
            self.check(name, False, f"{type(e).__name__}: {first_line(e)}")
            traceback.print_exc(file=sys.stderr)

    def finish(self):
        print(f"{self.suite}: {self.passed} passed, {self.failed} failed", flush=True)
        sys.exit(1 if self.failed else 0)


def short(v):
    s = repr(v)
    return s if len(s) < 600 else s[:600] + "…"


def first_line(e):
    """The message of an exception; for a Java one, its first line naming the Java exception."""
    text = [line for line in str(e).strip().splitlines() if line.strip()]
    java = [line.lstrip(": ") for line in text if line.startswith(": ")]
    return (java or text or [""])[0][:500]
