"""Production serving: health check, deploy checks, JSON logs."""

import json
import logging
import os
import subprocess
import sys

import pytest
from django.test import Client

from conftest import owner_url


@pytest.mark.django_db
def test_healthz_reports_ok_when_the_database_answers_and_nothing_is_pending():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_reports_pending_migrations_with_503(monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [(_FakeMigration(), False)])
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "migrations pending"}  # names go to the log only


class _FakeMigration:
    app_label, name = "campaigns", "0099_future"


def test_check_deploy_is_clean_with_production_settings(owner_conn):
    env = dict(
        os.environ,
        DATABASE_URL=owner_url(),
        DEBUG="false",
        SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        ALLOWED_HOSTS="raptorflow.example",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(owner_conn):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DATABASE_URL=owner_url(), DEBUG="false")
    result = subprocess.run([sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_json_log_records_carry_extra_fields():
    from raptorflow.logging import JSONFormatter

    record = logging.makeLogRecord({"name": "raptorflow", "levelname": "INFO", "msg": "hello %s", "args": ("world",), "workspace": "w1"})
    payload = json.loads(JSONFormatter().format(record))
    assert payload["message"] == "hello world"
    assert payload["workspace"] == "w1"
    assert payload["level"] == "INFO"
