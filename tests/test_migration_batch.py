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


def _has_batch(operations) -> bool:
    return any(
        isinstance(op, Batch) or (isinstance(op, migrations.SeparateDatabaseAndState) and _has_batch(op.state_operations))
        for op in operations
    )


def _batched_migrations(executor):
    found = []
    for key, migration in executor.loader.disk_migrations.items():
        if key[0] in PROJECT_APPS and _has_batch(migration.operations):
            found.append(migration)
    return sorted(found, key=lambda m: (m.app_label, m.name))


def _flat(operations):
    flat = []
    for operation in operations:
        if isinstance(operation, Batch):
            flat.extend(operation.operations)
        elif isinstance(operation, migrations.SeparateDatabaseAndState):
            flat.append(migrations.SeparateDatabaseAndState(operation.database_operations, _flat(operation.state_operations)))
        else:
            flat.append(operation)
    return flat


def _unwrapped(migration):
    flat = copy.copy(migration)
    flat.operations = _flat(migration.operations)
    return flat


@pytest.fixture(scope="module")
def executor(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return MigrationExecutor(connection)


def test_every_model_operation_of_the_project_is_batched(executor):
    """Each model operation of our migrations is in a ``Batch`` (but ``RenameModel``, which a batch refuses)."""
    loose = []
    for migration in executor.loader.disk_migrations.values():
        if migration.app_label not in PROJECT_APPS:
            continue
        for operation in migration.operations:
            state_operations = (
                operation.state_operations if isinstance(operation, migrations.SeparateDatabaseAndState) else [operation]
            )
            for op in state_operations:
                is_model_operation = getattr(op, "model_name_lower", None) or getattr(op, "name_lower", None)
                if is_model_operation and not isinstance(op, (Batch, migrations.RenameModel)):
                    loose.append(f"{migration.app_label}.{migration.name}: {op.describe()}")
    assert loose == []
    names = {f"{m.app_label}.{m.name}" for m in _batched_migrations(executor)}
    assert {f"{app}.0001_tables" for app in PROJECT_APPS} <= names


def test_a_batch_prints_the_sql_of_its_operations_forwards_and_backwards(executor, django_db_blocker):
    with_sql = set()
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
                if any(not line.startswith("--") for statement in flat_sql for line in statement.splitlines()):
                    with_sql.add(migration.name)
    # Not compared empty-handed: the tables migrations print their CREATE TABLEs.
    assert "0001_tables" in with_sql


def _assert_keys_point_at_current_classes(apps, where: str) -> None:
    """Every key of every model class points at the class the registry holds now."""
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.fields + model._meta.many_to_many:
            if field.is_relation and field.related_model is not None:
                target = field.related_model._meta
                assert field.related_model is apps.get_model(target.app_label, target.model_name), (
                    f"{where}: {model._meta.label}.{field.name}"
                )


def test_a_batch_leaves_the_model_state_its_operations_leave(executor):
    for migration in _batched_migrations(executor):
        before = executor.loader.project_state((migration.app_label, migration.name), at_end=False)
        before.apps  # noqa: B018 (rendered, as migrate's state is: the batch renders again only what changes)
        batched = migration.mutate_state(before.clone(), preserve=True)
        flat = _unwrapped(migration).mutate_state(before.clone(), preserve=True)
        assert batched.models.keys() == flat.models.keys()
        # As makemigrations compares states: no change from one to the other.
        assert MigrationAutodetector(flat, batched)._detect_changes() == {}, f"{migration.app_label}.{migration.name}"
        # Rendered consistently (a stale class would mean a model the batch touched was not rendered again with
        # its relatives).
        _assert_keys_point_at_current_classes(batched.apps, f"{migration.app_label}.{migration.name}")
        # And every class is its model state now (fields, constraints, indexes, comments, options): the models the
        # batch touched were rendered again.
        classes = ProjectState.from_apps(batched.apps)
        assert MigrationAutodetector(batched, classes)._detect_changes() == {}, f"{migration.app_label}.{migration.name}"


def _whole_history_sql(executor, flatten: bool, backwards: bool) -> list[str]:
    """The SQL of every migration from an empty database, or back to it, with one state carried as migrate does.

    Forwards, each migration applies to the state the previous one left;
    backwards, as Django's executor unapplies: the states before each
    migration computed first, from a rendered empty state.
    """
    graph = executor.loader.graph
    plan = [migration for migration, _ in executor.migration_plan(graph.leaf_nodes(), clean_start=True)]
    if flatten:
        plan = [_unwrapped(migration) for migration in plan]
    state = ProjectState(real_apps=executor.loader.unmigrated_apps)
    state.apps  # noqa: B018 (rendered, as the executor renders it before the first migration)
    before = []
    for migration in plan:
        before.append(state)
        state = migration.mutate_state(state, preserve=True)
    statements = []
    steps = reversed(list(zip(plan, before))) if backwards else zip(plan, before)
    state = before[0]
    for migration, state_before in steps:
        with connection.schema_editor(collect_sql=True, atomic=migration.atomic) as schema_editor:
            if backwards:
                migration.unapply(state_before, schema_editor, collect_sql=True)
            else:
                state = migration.apply(state, schema_editor, collect_sql=True)
        statements.extend(line for line in schema_editor.collected_sql if not line.startswith("--"))
    return statements


@pytest.mark.parametrize("backwards", [False, True], ids=["forwards", "backwards"])
def test_the_whole_history_prints_the_same_sql_with_the_batches_and_without(executor, django_db_blocker, backwards):
    """One state carried through every migration, as ``migrate`` carries it.

    A batch leaves some classes rendered with the reverse relations they had
    (``Batch``'s docstring): SQL that a later operation derives from them must
    not change. Compared over the whole history, in both directions.
    """
    with django_db_blocker.unblock():
        batched = _whole_history_sql(executor, flatten=False, backwards=backwards)
        flat = _whole_history_sql(executor, flatten=True, backwards=backwards)
    assert len(batched) > 300
    assert batched == flat


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


def _hub_state():
    """A rendered state shaped like ours: a hub every model points at, a chain A <- B, and C beside them."""
    state = ProjectState()
    state.apps  # noqa: B018 (rendered, as migrate's state is)
    key = models.ForeignKey
    Batch(
        migrations.CreateModel("Hub", [("id", models.AutoField(primary_key=True))]),
        migrations.CreateModel("A", [("id", models.AutoField(primary_key=True)), ("hub", key("probe.hub", models.CASCADE)),
                                     ("name", models.CharField(max_length=10))]),
        migrations.CreateModel("B", [("id", models.AutoField(primary_key=True)), ("hub", key("probe.hub", models.CASCADE)),
                                     ("a", key("probe.a", models.CASCADE))]),
        migrations.CreateModel("C", [("id", models.AutoField(primary_key=True)), ("hub", key("probe.hub", models.CASCADE)),
                                     ("code", models.CharField(max_length=10, unique=True))]),
        migrations.CreateModel("D", [("id", models.AutoField(primary_key=True)),
                                     ("c", key("probe.c", models.CASCADE, to_field="code"))]),
    ).state_forwards("probe", state)
    return state


def _rendered_by(state, batch) -> set[str]:
    before = {model._meta.model_name: model for model in state.apps.get_models()}
    batch.state_forwards("probe", state)
    after = {model._meta.model_name: model for model in state.apps.get_models()}
    _assert_keys_point_at_current_classes(state.apps, batch.describe())
    return {name for name, model in after.items() if before.get(name) is not model}


def test_a_batch_that_keeps_every_relation_renders_the_touched_model_and_what_points_at_it():
    """Not the hub and everything related to it, as Django does for one constraint."""
    constraint = models.UniqueConstraint(fields=["hub", "name"], name="a_hub_name_uniq")
    assert _rendered_by(_hub_state(), Batch(migrations.AddConstraint("a", constraint))) == {"a", "b"}
    text = models.TextField(default="", blank=True)
    assert _rendered_by(_hub_state(), Batch(migrations.AddField("c", "note", text))) == {"c", "d"}
    # A key's own options (here the column's comment), same target: only its model, nothing points at B.
    commented = models.ForeignKey("probe.hub", models.CASCADE, db_comment="The hub.")
    assert _rendered_by(_hub_state(), Batch(migrations.AlterField("b", "hub", commented))) == {"b"}
    # The hub's own option: the hub and every model pointing at it, directly or not; and the state is delayed
    # (the hub's targets, none here, would keep their classes).
    state = _hub_state()
    state.is_delayed = False
    assert _rendered_by(state, Batch(migrations.AlterModelTableComment("hub", "The hub."))) == {"hub", "a", "b", "c", "d"}
    assert state.is_delayed


def test_a_batch_that_changes_a_relation_renders_as_django_does():
    """A key to another model, or a field a key points at (``to_field``): Django's full re-render of the relatives."""
    retargeted = models.ForeignKey("probe.c", models.CASCADE)
    assert _rendered_by(_hub_state(), Batch(migrations.AlterField("b", "a", retargeted))) >= {"b", "a", "c", "hub"}
    longer = models.CharField(max_length=20, unique=True)
    assert _rendered_by(_hub_state(), Batch(migrations.AlterField("c", "code", longer))) >= {"c", "d", "hub", "a"}


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
