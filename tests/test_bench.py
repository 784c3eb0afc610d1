"""The benchmark (python -m tools.bench) at a tiny size: it completes, writes only its --output, and its totals checks are exact.

It builds a database of its own (``rf_benchtest_<random>``, dropped afterwards), so it
runs outside the test database's transaction.
"""

import re
import subprocess
import sys
import time
import uuid

import pytest

from tools.embedded import REPO_ROOT


def docs_state():
    """What the bench would touch without --output: docs/benchmarks.md (its mtime, or absent)."""
    path = REPO_ROOT / "docs" / "benchmarks.md"
    return path.stat().st_mtime_ns if path.exists() else None


@pytest.fixture
def tiny_bench(tmp_path):
    output = tmp_path / "bench.md"
    before = docs_state()
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "tools.bench", "--workspaces", "5", "--rows", "2000", "--repeat", "3",
         "--write-seconds", "0.5", "--clients", "1,8", "--output", str(output),
         # A database of its own: parallel test runs and a bench run must not drop each other's.
         "--name", f"rf_benchtest_{uuid.uuid4().hex[:8]}"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=420,
    )
    return proc, output, before, time.perf_counter() - started


def test_bench_tiny_run_completes_writes_only_its_output_and_checks_totals(tiny_bench):
    proc, output, before, elapsed = tiny_bench
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    # It scaled down (the full preset takes many minutes). Not a speed figure: on a shared 2-core machine under
    # other test runs the tiny run takes 40 s to over 2 minutes (three full migrates, pages, writes).
    assert elapsed < 300, f"tiny bench took {elapsed:.0f} s"
    report = output.read_text()
    for heading in ("RLS overhead", "Pages through Django's test client", "record_agent_execution under concurrency",
                    "Schema commands", "EXPLAIN (ANALYZE, BUFFERS)"):
        assert heading in report
    assert "**exact**, errors: 0" in report
    # Issue 16: migrate against psql applying the schema-only dump, both ratios and where migrate's time goes.
    assert "### 5. Full `migrate` against `psql` applying the schema-only dump" in report
    assert re.search(r"\| `migrate` wall time \| \*\*\d+\.\dx\*\* \((met|MISSED)\) \| \*\*\d+\.\dx\*\* \((met|MISSED)\) \|", report)
    assert "| model state rendering" in report and "| SQL round trips" in report
    # Issue 15: quest completion with the gamification trigger against the same UPDATE without it, exact totals.
    assert "### 6. Quest completion with the gamification trigger" in report
    assert re.search(r"With / without at one client: \*\*\d+\.\d\dx\*\* at p50 .*: (met|MISSED)", report)
    assert "| 8 | one hot member |" in report
    assert report.count("**exact**, errors: 0") == 2
    # Every admin page answered 200 (the command fails otherwise) and was counted at two page sizes.
    assert report.count("| admin: system alerts |") == 2
    # Issue 19, flat pages: every page in the large and the small workspace side by side, the ratio of p50 and
    # whether the query counts are the same, at both page sizes.
    assert "the large workspace against the small one" in report
    assert ("| page | page size | SQL queries large | SQL queries small | same count | large p50 ms | large p95 ms "
            "| small p50 ms | small p95 ms | large / small (p50) | target |") in report
    for page in ("admin: system alerts", "admin: agent registry (totals)", "admin: intelligence signals",
                 "admin: campaigns", "admin: campaign quests", "marketer: campaign list"):
        for size in (20, 100):
            assert re.search(rf"\| {re.escape(page)} \| {size} \| \d+ \| \d+ \| (yes|NO) \| [\d.]+ \| [\d.]+ \| "
                             rf"[\d.]+ \| [\d.]+ \| \*\*\d+\.\d\dx\*\* \| (met|MISSED) \|", report), (page, size)
    assert re.search(r"Flat pages: \d+ of 15 rows within 1\.5x with the same query count", report)
    assert "- admin: campaign quests (small):" in report
    assert docs_state() == before, "the bench wrote docs/benchmarks.md despite --output"


def test_bench_refuses_a_non_superuser_owner(monkeypatch):
    from tools.bench import load

    class FakeConn:
        def execute(self, *args):
            class Row:
                def fetchone(self):
                    return (False, "app_owner")
            return Row()

    with pytest.raises(SystemExit, match="not a superuser"):
        load.require_superuser(FakeConn())
