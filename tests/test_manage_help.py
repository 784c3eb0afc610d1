"""``manage.py --help`` on a fresh clone lists the project's commands; nothing else runs without a real SECRET_KEY."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run(*argv, **extra):
    """A process with no SECRET_KEY, DATABASE_URL or DEBUG, as on a machine nothing was configured on."""
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL", "DEBUG", "DJANGO_SETTINGS_MODULE")}
    env.update(extra)
    return subprocess.run([sys.executable, *argv], env=env, cwd=REPO, capture_output=True, text=True, timeout=120)


def test_manage_py_help_without_secret_key_lists_the_projects_commands():
    result = run("manage.py", "--help")
    assert result.returncode == 0, result.stderr
    assert "[raptorflow]" in result.stdout
    for command in ("verify_schema", "seed_demo", "provision_roles", "replay_gamification_events", "ingest_signals"):
        assert f"    {command}\n" in result.stdout
    assert "settings are not properly configured" not in result.stdout + result.stderr


@pytest.mark.parametrize("argv", [["help", "verify_schema"], ["verify_schema", "--help"], ["seed_demo", "-h"]])
def test_a_project_commands_help_needs_no_secret_key(argv):
    result = run("manage.py", *argv)
    assert result.returncode == 0, result.stderr
    assert f"usage: manage.py {argv[0] if argv[0] != 'help' else argv[1]}" in result.stdout


@pytest.mark.parametrize(
    "argv", [["manage.py", "check"], ["manage.py", "seed_demo"], ["-c", "import raptorflow.wsgi"]], ids=["check", "seed_demo", "wsgi"]
)
def test_anything_but_help_still_refuses_to_start_without_secret_key(argv):
    result = run(*argv, DATABASE_URL="postgres://nobody@localhost/none", DJANGO_SETTINGS_MODULE="raptorflow.settings")
    assert result.returncode != 0
    assert "ImproperlyConfigured: Set the SECRET_KEY environment variable" in result.stderr
