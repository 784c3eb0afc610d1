"""The load test itself, small: locust against gunicorn with persistent connections, direct and through pgbouncer."""

import os
import subprocess
import sys

import pytest

from conftest import owner_url


def run_loadtest(*args):
    return subprocess.run(
        [sys.executable, "-m", "tools.loadtest", *args],
        env=dict(os.environ, DATABASE_URL=owner_url(), SECRET_KEY="x"), capture_output=True, text=True, timeout=900,
    )


def run_line(stdout: str, label: str) -> list[str]:
    return next(line for line in stdout.splitlines() if line.startswith(label)).split()


@pytest.mark.parametrize("via", ["direct", "pgbouncer"])
def test_load_test_finds_no_leak_and_no_5xx(owner_conn, via):
    args = ["--workers", "2", "--clients", "6", "--processes", "2", "--duration", "4"]
    result = run_loadtest(*args, *(["--pgbouncer"] if via == "pgbouncer" else []))
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
    assert "RESULT: PASS (zero leaks, zero 5xx)" in result.stdout
    # Three runs against one server, each with answered requests (no 5xx, no leak, no error), and their ratios.
    for label in ("anonymous /ping", "signed-in /ping", "app mix"):
        row = run_line(result.stdout, label)
        requests, fivexx, leaks, errors = int(row[2]), int(row[7]), int(row[8]), int(row[9])
        assert requests > 0 and (fivexx, leaks, errors) == (0, 0, 0), row
    assert "app mix / anonymous /ping:" in result.stdout
    assert "signed-in /ping / anonymous /ping:" in result.stdout
    # Where the time goes: the access log's server time and the SQL timer reached the report.
    signed_in_ping = run_line(result.stdout.split("\nsigned-in /ping\n", 1)[1], "GET /ping")
    assert float(signed_in_ping[5]) > 0 and float(signed_in_ping[9]) > 0, signed_in_ping  # server p50, queries
    assert "GET /admin/" in result.stdout and "GET /campaigns/" in result.stdout


def test_load_test_fails_on_a_planted_leak(owner_conn):
    """Each user's own workspace counted as foreign: the check inside locust's task must fail the run."""
    result = run_loadtest("--workers", "1", "--clients", "2", "--processes", "1", "--duration", "3", "--runs", "app", "--plant-leak")
    assert result.returncode == 1, result.stdout[-5000:] + result.stderr[-3000:]
    assert "RESULT: FAIL" in result.stdout
    assert "\nLEAK " in result.stdout and "FAILED app mix" in result.stdout
    assert int(run_line(result.stdout, "app mix")[8]) > 0  # the leaks column
