"""``Batch`` (raptorflow/migration_ops.py): one model-state render, the same SQL and state as its operations alone.

``migrate`` on an empty database spends most of its time in Django rendering
model states again after each model operation; the tables migrations and a
few later ones wrap their model operations in a ``Batch`` so they render once.
These tests hold the promise that makes the wrapping safe to apply to
released migrations: for every migration that uses it, ``sqlmigrate`` forwards
and backwards prints exactly what the same operations print unwrapped, and the
model state after it is the same.
"""

from __future__ import annotations

import copy

import pytest
from django.db import connection, migrations, models
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import ProjectState, StateApps

from raptorflow.migration_ops import Batch, RefuseCaseDuplicates, refuse_case_duplicates

PROJECT_APPS = ("raptorflow", "campaigns", "gamification", "agents", "intelligence", "alerts")


def _batched_migrations(executor):
    found = []
    for key, migration in executor.loader.disk_migrations.items():
        if key[0] in PROJECT_APPS and any(isinstance(op, Batch) for op in migration.operations):
            found.append(migration)
    return sorted(found, key=lambda m: (m.app_label, m.name))


def _unwrapped(migration):
    flat = copy.copy(migration)
    flat.operations = []
    for operation in migration.operations:
        flat.operations.extend(operation.operations if isinstance(operation, Batch) else [operation])
    return flat


@pytest.fixture(scope="module")
def executor(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return MigrationExecutor(connection)


def test_the_tables_migrations_and_the_later_model_changes_are_batched(executor):
    names = {f"{m.app_label}.{m.name}" for m in _batched_migrations(executor)}
    tables = {f"{app}.0001_tables" for app in PROJECT_APPS}
    assert tables <= names
    assert {"campaigns.0007_archived_campaigns_read_only", "gamification.0007_table_comments_without_plan_numbers"} <= names


def test_a_batch_prints_the_sql_of_its_operations_forwards_and_backwards(executor, django_db_blocker):
    with django_db_blocker.unblock():
        for migration in _batched_migrations(executor):
            flat = _unwrapped(migration)
            for backwards in (False, True):
                batched_sql = executor.loader.collect_sql([(migration, backwards)])
                flat_sql = executor.loader.collect_sql([(flat, backwards)])
                where = f"{migration.app_label}.{migration.name} backwards={backwards}"
                # The same statements and headings; the batch adds its own heading before its operations'.
                headings = [i for i, line in enumerate(batched_sql) if line.startswith("-- Batch of ")]
                assert len(headings) == sum(isinstance(op, Batch) for op in migration.operations), where
                for i in reversed(headings):
                    assert batched_sql[i - 1] == batched_sql[i + 1] == "--", where
                    del batched_sql[i - 1:i + 2]
                assert batched_sql == flat_sql, where
                assert any(not line.startswith("--") for line in flat_sql), where


def test_a_batch_leaves_the_model_state_its_operations_leave(executor):
    for migration in _batched_migrations(executor):
        before = executor.loader.project_state((migration.app_label, migration.name), at_end=False)
        batched = migration.mutate_state(before.clone(), preserve=True)
        flat = _unwrapped(migration).mutate_state(before.clone(), preserve=True)
        assert batched.models.keys() == flat.models.keys()
        # As makemigrations compares states: no change from one to the other.
        assert MigrationAutodetector(flat, batched)._detect_changes() == {}, f"{migration.app_label}.{migration.name}"
        # Rendered consistently: every relation of every model class points at the class the state holds now
        # (a stale class would mean a model the batch touched was not rendered again with its relatives).
        for model in batched.apps.get_models():
            for field in model._meta.get_fields():
                if field.is_relation and field.related_model is not None:
                    target = field.related_model._meta
                    assert field.related_model is batched.apps.get_model(target.app_label, target.model_name), (
                        f"{model._meta.label}.{field.name}"
                    )


def test_a_batch_renders_the_models_it_touches_once(monkeypatch):
    renders = []
    original = StateApps.render_multiple

    def counted(self, model_states):
        renders.append(len(model_states))
        return original(self, model_states)

    monkeypatch.setattr(StateApps, "render_multiple", counted)
    state = ProjectState()
    state.apps  # noqa: B018 (rendered, as migrate's state is)
    fk = models.ForeignKey("probe.parent", on_delete=models.CASCADE)
    batch = Batch(
        migrations.CreateModel("Parent", [("id", models.AutoField(primary_key=True))]),
        migrations.CreateModel("Child", [("id", models.AutoField(primary_key=True)), ("parent", fk)]),
        migrations.CreateModel("Other", [("id", models.AutoField(primary_key=True))]),
    )
    renders.clear()
    batch.state_forwards("probe", state)
    assert renders == [3]
    assert state.apps.get_model("probe", "child")._meta.get_field("parent").related_model is state.apps.get_model("probe", "parent")


def test_a_batch_refuses_operations_that_would_see_each_others_state():
    field = models.IntegerField(default=0)
    with pytest.raises(ValueError, match="touches what another operation"):
        Batch(migrations.CreateModel("A", [("id", models.AutoField(primary_key=True))]), migrations.AddField("a", "x", field))
    with pytest.raises(ValueError, match="touches what another operation"):
        Batch(migrations.AlterField("a", "x", field), migrations.AlterField("a", "x", field))
    with pytest.raises(ValueError, match="model operations only"):
        Batch(migrations.RunSQL("SELECT 1", "SELECT 1"))
    with pytest.raises(ValueError, match="model operations only"):
        Batch(migrations.RenameModel("A", "B"))
    # Different fields of one model are fine.
    Batch(migrations.AlterField("a", "x", field), migrations.AlterField("a", "y", field))


def test_refuse_case_duplicates_is_an_operation_of_its_own_not_a_run_python():
    operation = refuse_case_duplicates("positioning", "name")
    assert isinstance(operation, RefuseCaseDuplicates) and not isinstance(operation, migrations.RunPython)
    assert operation.deconstruct() == ("RefuseCaseDuplicates", ["positioning", "name"], {})
    assert "differ only by case" in operation.describe()
