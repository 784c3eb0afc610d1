"""The load test itself, small: locust against gunicorn with persistent connections, direct and through pgbouncer."""

import json
import os
import subprocess
import sys

import pytest

from conftest import owner_url


def run_loadtest(tmp_path, *args):
    """The load test's output and its figures (--json)."""
    figures = tmp_path / "loadtest.json"
    result = subprocess.run(
        [sys.executable, "-m", "tools.loadtest", "--json", str(figures), *args],
        env=dict(os.environ, DATABASE_URL=owner_url(), SECRET_KEY="x"), capture_output=True, text=True, timeout=900,
    )
    return result, json.loads(figures.read_text()) if figures.exists() else None


@pytest.mark.parametrize("via", ["direct", "pgbouncer"])
def test_load_test_finds_no_leak_and_no_5xx(owner_conn, tmp_path, via):
    args = ["--workers", "2", "--clients", "6", "--processes", "2", "--duration", "4"]
    result, figures = run_loadtest(tmp_path, *args, *(["--pgbouncer"] if via == "pgbouncer" else []))
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
    assert "RESULT: PASS (zero leaks, zero 5xx)" in result.stdout
    # Three runs against one server, each with answered requests (no 5xx, no leak, no error), and their ratios.
    runs = figures["runs"]
    assert set(runs) == {"anonymous", "signed-in", "app"}
    for run in runs.values():
        assert run["requests"] > 0 and run["rps"] > 0 and (run["5xx"], run["leaks"], run["errors"]) == (0, 0, 0), run
        assert run["cpu"]["gunicorn"] > 0 and run["server_cpu_ms"] > 0
    assert "  app mix         " in result.stdout and "in requests per second (target 0.08" in result.stdout
    # Where the time goes: the access log's server time and the SQL timer reached every page's row.
    (anonymous,) = runs["anonymous"]["pages"]
    (signed_in,) = runs["signed-in"]["pages"]
    assert anonymous["server_n"] > 0 and anonymous["queries"] == 0
    assert signed_in["server_p50"] > 0 and signed_in["queries"] > 0 and signed_in["sql_mean"] > 0 and signed_in["cpu_mean"] > 0
    app_pages = {row["page"] for row in runs["app"]["pages"]}
    assert {"GET /admin/", "GET /"} <= app_pages
    assert all(row["server_n"] and row["queries"] for row in runs["app"]["pages"])
    # Issue 19: the staff's mix holds the campaign quests list and the intelligence pages (leak-checked like every body).
    staff_line = next(line for line in result.stdout.splitlines() if line.startswith("The staff's pages in the app mix"))
    for page in ("/admin/campaigns/campaignquest/", "/admin/intelligence/intelligencesignal/",
                 "/admin/intelligence/marketinsight/"):
        assert f" {page}" in staff_line, staff_line


def test_load_test_fails_on_a_planted_leak(owner_conn, tmp_path):
    """Each user's own workspace counted as foreign: the check inside locust's task must fail the run."""
    args = ["--workers", "1", "--clients", "2", "--processes", "1", "--duration", "3", "--runs", "app", "--plant-leak"]
    result, figures = run_loadtest(tmp_path, *args)
    assert result.returncode == 1, result.stdout[-5000:] + result.stderr[-3000:]
    assert "RESULT: FAIL" in result.stdout
    assert "\nLEAK " in result.stdout and "FAILED app mix" in result.stdout
    assert figures["runs"]["app"]["leaks"] > 0
