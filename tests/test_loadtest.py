"""The load test itself, small: gunicorn with persistent connections, direct and through pgbouncer."""

import os
import subprocess
import sys

import pytest

from conftest import owner_url


@pytest.mark.parametrize("via", ["direct", "pgbouncer"])
def test_load_test_finds_no_leak_and_no_5xx(owner_conn, via):
    args = ["--workers", "2", "--clients", "6", "--requests", "120"] + (["--pgbouncer"] if via == "pgbouncer" else [])
    result = subprocess.run(
        [sys.executable, "-m", "tools.loadtest", *args],
        env=dict(os.environ, DATABASE_URL=owner_url(), SECRET_KEY="x"), capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "RESULT: PASS (zero leaks, zero 5xx)" in result.stdout
    # The app run made real requests, every one answered (no 0/5xx), all checked for leaks.
    app_line = next(line for line in result.stdout.splitlines() if line.startswith("app pages"))
    assert int(app_line.split()[4]) >= 100
