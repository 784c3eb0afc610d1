"""Migration operations for the tenancy DDL every domain app repeats.

Modelled on ``django.contrib.postgres.operations.CreateExtension``: each
operation has forwards and backwards SQL, is idempotent (``IF [NOT] EXISTS``,
``DROP POLICY IF EXISTS`` before ``CREATE POLICY``), shows up in
``sqlmigrate`` and leaves the model state alone.

Policies are django-rls ``CustomPolicy`` objects rendered by django-rls's
schema editor (``django_rls.backends.postgresql``).
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.db.migrations import RunSQL
from django.db.migrations.operations.base import Operation
from django_rls.policies import BasePolicy, CustomPolicy

from raptorflow.tenancy import CURRENT_USER_SQL, CURRENT_WORKSPACE_SQL, WORKSPACE_SETTING

# A column DEFAULT cannot hold a subquery; this form is read once per row
# inserted, which is fine for a default.
WORKSPACE_DEFAULT_SQL = f"NULLIF(current_setting('{WORKSPACE_SETTING}', true), '')::uuid"
TENANT_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"


def app_role() -> str:
    return settings.RAPTORFLOW_APP_ROLE


def sql_file(migration_file: str, name: str) -> str:
    """The text of ``sql/<name>`` next to a migration; call it with the migration's ``__file__``.

    Functions and triggers live in such files so they can be read, linted and
    reviewed as SQL. A released file is never edited: a new file, read by a new
    migration, replaces the function.
    """
    return (Path(migration_file).resolve().parent / "sql" / name).read_text(encoding="utf-8")


def updated_at_trigger(table: str) -> RunSQL:
    """``<table>_set_updated_at``: the database keeps ``updated_at`` of ``table``.

    A BEFORE UPDATE trigger calling ``set_updated_at()`` (campaigns 0003, its
    body replaced by campaigns 0010): any UPDATE that changes the row, from
    Django, psql or a SQL function, stamps ``updated_at``; one that changes
    nothing leaves it alone. Every table with the column has one (a test
    checks it); Python never sets the column after the INSERT. The SQL is
    campaigns 0003's, which built the first two triggers with it.
    """
    return RunSQL(
        sql=f"""
DROP TRIGGER IF EXISTS {table}_set_updated_at ON {table};
CREATE TRIGGER {table}_set_updated_at
    BEFORE UPDATE ON {table}
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION set_updated_at();
""",
        reverse_sql=f"DROP TRIGGER IF EXISTS {table}_set_updated_at ON {table};",
    )


def workspace_policy(table: str, column: str = "workspace_id") -> CustomPolicy:
    """The standard policy: every command sees and writes only the current workspace's rows."""
    return CustomPolicy(f"{table}_workspace_isolation", expression=f"{column} = {CURRENT_WORKSPACE_SQL}")


def own_rows_policy(table: str, column: str = "user_id", operation: str = BasePolicy.ALL) -> CustomPolicy:
    """Rows that belong to the current user (``app.current_user_id``)."""
    suffix = "own_rows" if operation == BasePolicy.ALL else f"own_rows_{operation.lower()}"
    return CustomPolicy(f"{table}_{suffix}", expression=f"{column} = {CURRENT_USER_SQL}", operation=operation)


class _TableOperation(Operation):
    reduces_to_sql = True
    reversible = True

    def state_forwards(self, app_label, state):
        pass

    def _model(self, app_label, state):
        return state.apps.get_model(app_label, self.model_name)

    def _table(self, app_label, state):
        return self._model(app_label, state)._meta.db_table


class TenantRLS(_TableOperation):
    """Put a tenant table under row-level security.

    ENABLE and FORCE row-level security (FORCE binds the table owner too), create
    the policies (by default :func:`workspace_policy`, one ``FOR ALL`` policy
    whose USING and WITH CHECK both compare ``workspace_id`` with
    ``app.current_workspace_id``: fail closed when it is unset), default
    ``workspace_id`` to the current workspace for rows written by SQL functions,
    and grant the app group role SELECT, INSERT, UPDATE, DELETE.
    """

    def __init__(self, model_name: str, policies: list[BasePolicy] | None = None, workspace_column: str | None = "workspace_id"):
        self.model_name = model_name
        self.policies = policies
        self.workspace_column = workspace_column

    def deconstruct(self):
        kwargs = {}
        if self.policies is not None:
            kwargs["policies"] = self.policies
        if self.workspace_column != "workspace_id":
            kwargs["workspace_column"] = self.workspace_column
        return (self.__class__.__qualname__, [self.model_name], kwargs)

    def _policies(self, table):
        return self.policies if self.policies is not None else [workspace_policy(table, self.workspace_column)]

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = self._model(app_label, to_state)
        table = schema_editor.quote_name(model._meta.db_table)
        schema_editor.enable_rls(model)
        schema_editor.force_rls(model)
        for policy in self._policies(model._meta.db_table):
            schema_editor.drop_policy(model, policy.name)
            schema_editor.create_policy(model, policy)
        if self.workspace_column:
            schema_editor.execute(
                f"ALTER TABLE {table} ALTER COLUMN {schema_editor.quote_name(self.workspace_column)} "
                f"SET DEFAULT {WORKSPACE_DEFAULT_SQL}"
            )
        schema_editor.execute(f"GRANT {TENANT_PRIVILEGES} ON {table} TO {schema_editor.quote_name(app_role())}")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = self._model(app_label, from_state)
        table = schema_editor.quote_name(model._meta.db_table)
        schema_editor.execute(f"REVOKE {TENANT_PRIVILEGES} ON {table} FROM {schema_editor.quote_name(app_role())}")
        if self.workspace_column:
            schema_editor.execute(
                f"ALTER TABLE {table} ALTER COLUMN {schema_editor.quote_name(self.workspace_column)} DROP DEFAULT"
            )
        for policy in self._policies(model._meta.db_table):
            schema_editor.drop_policy(model, policy.name)
        schema_editor.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        schema_editor.disable_rls(model)

    def describe(self):
        return f"Enable and force row-level security with workspace policies on {self.model_name}"

    @property
    def migration_name_fragment(self):
        return f"rls_{self.model_name.lower()}"


class GrantToAppRole(_TableOperation):
    """Grant the app group role privileges on a table that is not a tenant table."""

    def __init__(self, table: str, privileges: str = "SELECT"):
        self.table = table
        self.privileges = privileges

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.table], {"privileges": self.privileges})

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        schema_editor.execute(
            f"GRANT {self.privileges} ON {schema_editor.quote_name(self.table)} TO {schema_editor.quote_name(app_role())}"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        schema_editor.execute(
            f"REVOKE {self.privileges} ON {schema_editor.quote_name(self.table)} FROM {schema_editor.quote_name(app_role())}"
        )

    def describe(self):
        return f"Grant {self.privileges} on {self.table} to the app role"

    @property
    def migration_name_fragment(self):
        return f"grant_{self.table}"


class EnsureAppRole(Operation):
    """Create the NOLOGIN group role if it is missing (``provision_roles`` normally has).

    Roles are cluster-wide and may be shared by other databases, so the
    reverse leaves the role in place.
    """

    reduces_to_sql = True
    reversible = True

    def state_forwards(self, app_label, state):
        pass

    def deconstruct(self):
        return (self.__class__.__qualname__, [], {})

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        role = app_role().replace("'", "''")
        schema_editor.execute(
            f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT', '{role}');
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE EXCEPTION 'the app group role "{role}" does not exist and this role may not create it'
                USING HINT = 'Run "python manage.py provision_roles" as a role with CREATEROLE, then migrate again.';
        END;
    END IF;
END
$$""",
            None,  # no parameters: keep psycopg from reading format()'s %I as a placeholder
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass

    def describe(self):
        return "Create the app group role if it does not exist"

    @property
    def migration_name_fragment(self):
        return "ensure_app_role"


class SameWorkspaceForeignKey(_TableOperation):
    """A composite foreign key ``(workspace_id, column) -> ref_table(workspace_id, ref_column)``.

    Foreign-key checks ignore RLS (docs/tenancy.md, pitfall 8): a plain key would let a
    row point at another workspace's row by its uuid. The referenced table
    needs ``UNIQUE (workspace_id, id)``. ``on_delete`` is the SQL rule;
    ``SET NULL`` nulls only ``column`` (PostgreSQL 15+), never ``workspace_id``.

    In the migration that creates ``table`` (the default): ``DROP CONSTRAINT IF
    EXISTS`` then ``ADD CONSTRAINT``, checked at once (the table is empty).

    On a table that already holds rows, ``not_valid=True``: ``ADD CONSTRAINT
    ... NOT VALID`` takes a brief SHARE ROW EXCLUSIVE lock on both tables and
    checks only new writes; no scan, no ``DROP`` first. Re-applied, it leaves a
    constraint of that name as it is (validated or not). Then, in a later
    migration, ``ValidateTableConstraint(table, name)`` checks the existing rows
    under SHARE UPDATE EXCLUSIVE, which lets reads and writes go on. Both in one
    migration would hold the first lock during the scan: squawk's
    ``constraint-missing-not-valid`` fails the lint test for that.

    ``ref_column`` is ``id`` for a reference to a row; the membership key
    (:meth:`member_key`) references ``workspace_members (workspace_id,
    user_id)``, whose unique rule it needs: the user is a member of the row's
    workspace. Every same-workspace key, the membership one included, is this
    operation (a test refuses hand-written ``REFERENCES`` and ``ON DELETE``
    SQL in new migrations).
    """

    RULES = {"CASCADE", "RESTRICT", "NO ACTION", "SET NULL"}
    MEMBERS = "workspace_members"

    def __init__(
        self,
        table: str,
        column: str,
        ref_table: str,
        on_delete: str = "NO ACTION",
        name: str | None = None,
        not_valid: bool = False,
        ref_column: str = "id",
    ):
        if on_delete not in self.RULES:
            raise ValueError(f"on_delete must be one of {sorted(self.RULES)}")
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", ref_column):
            raise ValueError(f"ref_column must be a plain lower-case column name, got {ref_column!r}")
        self.table = table
        self.column = column
        self.ref_table = ref_table
        self.on_delete = on_delete
        self.name = name or self.default_name(table, column)
        self.not_valid = not_valid
        self.ref_column = ref_column

    @staticmethod
    def default_name(table: str, column: str) -> str:
        return f"{table}_{column}_same_ws_fk"

    @classmethod
    def member_key(cls, table: str, *, column: str = "user_id", on_delete: str = "CASCADE", not_valid: bool = False):
        """``<table>_member_fk``: ``(workspace_id, column) -> workspace_members (workspace_id, user_id)``.

        Only members of the row's workspace may be its user; by default a
        member who leaves takes the row along (ON DELETE CASCADE).
        """
        return cls(
            table, column, cls.MEMBERS, on_delete=on_delete, name=f"{table}_member_fk", not_valid=not_valid, ref_column="user_id"
        )

    def deconstruct(self):
        kwargs = {"on_delete": self.on_delete, "name": self.name}
        if self.not_valid:
            kwargs["not_valid"] = True
        if self.ref_column != "id":
            kwargs["ref_column"] = self.ref_column
        return (self.__class__.__qualname__, [self.table, self.column, self.ref_table], kwargs)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        q = schema_editor.quote_name
        rule = f"SET NULL ({q(self.column)})" if self.on_delete == "SET NULL" else self.on_delete
        add = (
            f"ALTER TABLE {q(self.table)} ADD CONSTRAINT {q(self.name)} "
            f"FOREIGN KEY (workspace_id, {q(self.column)}) REFERENCES {q(self.ref_table)} (workspace_id, {self.ref_column}) "
            f"ON DELETE {rule}"
        )
        if not self.not_valid:
            schema_editor.execute(f"ALTER TABLE {q(self.table)} DROP CONSTRAINT IF EXISTS {q(self.name)}")
            schema_editor.execute(add)
            return
        # sqlmigrate (collect_sql) shows the statement; a re-run against a database keeps what is there.
        if not schema_editor.collect_sql and _constraint_exists(schema_editor, self.table, self.name):
            return
        schema_editor.execute(f"{add} NOT VALID")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        q = schema_editor.quote_name
        schema_editor.execute(f"ALTER TABLE {q(self.table)} DROP CONSTRAINT IF EXISTS {q(self.name)}")

    def describe(self):
        not_valid = " (NOT VALID: validate in a later migration)" if self.not_valid else ""
        ref = self.ref_table if self.ref_column == "id" else f"{self.ref_table}.{self.ref_column}"
        return f"Keep {self.table}.{self.column} inside its workspace ({ref}){not_valid}"

    @property
    def migration_name_fragment(self):
        return f"same_ws_fk_{self.table}_{self.column}"


def _constraint_exists(schema_editor, table: str, name: str) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass(%s) AND conname = %s",
            [schema_editor.quote_name(table), name],
        )
        return cursor.fetchone() is not None


class ValidateTableConstraint(_TableOperation):
    """``ALTER TABLE table VALIDATE CONSTRAINT name``: check the existing rows of a key added ``NOT VALID``.

    The second step of an online foreign key or CHECK, in its own migration
    after the one that added the constraint ``NOT VALID``
    (``SameWorkspaceForeignKey(..., not_valid=True)``, whose name defaults to
    ``SameWorkspaceForeignKey.default_name(table, column)``, or a ``RunSQL``).
    SHARE UPDATE EXCLUSIVE: reads and writes go on during the scan; a row that
    breaks the constraint fails the migration and leaves the constraint
    NOT VALID (fix the rows, migrate again). Idempotent (validating a valid
    constraint does nothing); the reverse does nothing either: the constraint
    stays until the migration that added it is reversed.
    ``django.contrib.postgres.operations.ValidateConstraint`` does the same for
    a constraint of a model's state.
    """

    def __init__(self, table: str, name: str):
        self.table = table
        self.name = name

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.table, self.name], {})

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        q = schema_editor.quote_name
        schema_editor.execute(f"ALTER TABLE {q(self.table)} VALIDATE CONSTRAINT {q(self.name)}")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass

    def describe(self):
        return f"Validate {self.name} on {self.table}"

    @property
    def migration_name_fragment(self):
        return f"validate_{self.name}"


class DatabaseOnDelete(_TableOperation):
    """Give a foreign key Django created an ON DELETE rule in the database itself.

    Django emulates CASCADE and SET NULL with its own queries, which RLS limits
    to the rows the caller sees: deleting a user or a workspace would miss the
    rows of other workspaces (or other users' personal rows) and fail at
    commit. A referential action runs as the table owner without forced RLS
    and reaches every row. The reverse restores Django's plain constraint.

    Django recreates the constraint (without the rule) whenever a later
    AlterField touches the foreign key: apply this operation again after it.
    """

    RULES = {"CASCADE", "SET NULL"}

    def __init__(self, table: str, column: str, ref_table: str, constraint: str, rule: str):
        if rule not in self.RULES:
            raise ValueError(f"rule must be one of {sorted(self.RULES)}")
        self.table, self.column, self.ref_table, self.constraint, self.rule = table, column, ref_table, constraint, rule

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.table, self.column, self.ref_table, self.constraint, self.rule], {})

    def _recreate(self, schema_editor, rule: str | None):
        q = schema_editor.quote_name
        on_delete = f"ON DELETE {rule} " if rule else ""
        schema_editor.execute(f"ALTER TABLE {q(self.table)} DROP CONSTRAINT IF EXISTS {q(self.constraint)}")
        schema_editor.execute(
            f"ALTER TABLE {q(self.table)} ADD CONSTRAINT {q(self.constraint)} FOREIGN KEY ({q(self.column)}) "
            f"REFERENCES {q(self.ref_table)} (\"id\") {on_delete}DEFERRABLE INITIALLY DEFERRED"
        )

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._recreate(schema_editor, self.rule)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._recreate(schema_editor, None)

    def describe(self):
        return f"ON DELETE {self.rule} in the database for {self.table}.{self.column}"

    @property
    def migration_name_fragment(self):
        return f"on_delete_{self.table}_{self.column}"


class CommandPolicy(CustomPolicy):
    """A policy for one command, with its own WITH CHECK when it differs from USING.

    PostgreSQL accepts only WITH CHECK on INSERT and only USING on SELECT and
    DELETE; this renders just the clauses the command takes. ``permissive=False``
    makes it RESTRICTIVE: ANDed with the permissive workspace policy, so it can
    only narrow what that policy allows.
    """

    def __init__(self, name: str, expression: str, *, operation: str, check: str | None = None, **kwargs):
        self.check = check
        super().__init__(name, expression, operation=operation, **kwargs)

    def validate(self) -> None:
        super().validate()
        if self.check:
            self._validate_expression(self.check)

    def get_using_expression(self):
        return None if self.operation == BasePolicy.INSERT else self.expression

    def get_check_expression(self):
        if self.operation in (BasePolicy.SELECT, BasePolicy.DELETE):
            return None
        return self.check or self.expression


class AddPolicies(_TableOperation):
    """Add policies to a table already under row-level security (``TenantRLS``); the reverse drops them."""

    def __init__(self, model_name: str, policies: list[BasePolicy]):
        self.model_name = model_name
        self.policies = policies

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.model_name, self.policies], {})

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = self._model(app_label, to_state)
        for policy in self.policies:
            schema_editor.drop_policy(model, policy.name)
            schema_editor.create_policy(model, policy)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = self._model(app_label, from_state)
        for policy in self.policies:
            schema_editor.drop_policy(model, policy.name)

    def describe(self):
        return f"Add policies {', '.join(p.name for p in self.policies)} on {self.model_name}"

    @property
    def migration_name_fragment(self):
        return f"policies_{self.model_name.lower()}"


class RunDeferredSQL(Operation):
    """Run now the SQL Django deferred to the end of the migration (constraints, indexes, foreign keys).

    ``CreateModel`` adds a model's constraints, indexes and foreign keys only
    when the migration's schema editor closes. Put this right after the models
    of a ``tables`` migration, so the operations that follow can reference
    those constraints (``SameWorkspaceForeignKey`` needs the referenced
    table's ``UNIQUE (workspace_id, id)``) and replace Django's foreign keys
    (``DatabaseOnDelete``) instead of Django adding them again afterwards.
    Nothing to undo: reversing the ``CreateModel`` operations drops the tables.
    """

    reduces_to_sql = True
    reversible = True

    def state_forwards(self, app_label, state):
        pass

    def deconstruct(self):
        return (self.__class__.__qualname__, [], {})

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        while schema_editor.deferred_sql:
            # As Django runs them on closing: no parameters (the SQL holds its values).
            schema_editor.execute(schema_editor.deferred_sql.pop(0), None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass

    def describe(self):
        return "Run the constraints, indexes and foreign keys Django deferred so far"

    @property
    def migration_name_fragment(self):
        return "run_deferred_sql"


def _keeps_relations(app_label, state, operation) -> bool:
    """Whether ``operation`` leaves every relation between models as it is (judged on the state before it).

    Options (constraints, indexes, comments, ordering, managers) never touch a
    relation. A field operation does not when neither the old nor the new field
    is a key to another model than before, and no key of another model points at
    the field (``to_field``): Django's own test for re-rendering lazily.
    """
    from django.db.migrations import operations
    from django.db.migrations.utils import field_is_referenced

    options = (
        operations.AddConstraint, operations.RemoveConstraint, operations.AlterConstraint, operations.AddIndex,
        operations.RemoveIndex, operations.RenameIndex, operations.AlterModelOptions,
        operations.AlterModelTableComment, operations.AlterModelManagers, operations.AlterUniqueTogether,
    )
    if isinstance(operation, options):
        return True
    if not isinstance(operation, (operations.AddField, operations.AlterField, operations.RemoveField)):
        return False
    key = (app_label, operation.model_name_lower)
    old = state.models[key].fields.get(operation.name_lower) if key in state.models else None
    new = getattr(operation, "field", None)
    if any(field is not None and field_is_referenced(state, key, (operation.name_lower, field)) for field in (old, new)):
        return False
    if old is None or new is None:  # added or removed: fine unless it is a key
        field = old or new
        return field is not None and not field.is_relation
    if not (old.is_relation or new.is_relation):
        return True
    # A key stays a key to the same model.
    return old.is_relation and new.is_relation and not old.many_to_many and not new.many_to_many and (
        _target(old, key) == _target(new, key)
    )


def _target(field, model_key) -> tuple[tuple[str, str], str | None]:
    from django.db.migrations.utils import resolve_relation

    return resolve_relation(field.remote_field.model, *model_key), getattr(field.remote_field, "field_name", None)


def _models_pointing_at(apps, keys) -> set[tuple[str, str]] | None:
    """``keys`` and every model whose keys point at one of them, directly or through another such model.

    Read from the classes rendered now. ``None`` when one of them is a model
    Django creates itself (a many-to-many's through table): the caller then
    renders with Django's own rules.
    """
    found, todo = set(), list(keys)
    while todo:
        key = todo.pop()
        if key in found:
            continue
        found.add(key)
        try:
            model = apps.get_model(*key)
        except LookupError:
            continue
        if model._meta.auto_created:
            return None
        for relation in model._meta.get_fields(include_hidden=True):
            if relation.auto_created and not relation.concrete and relation.related_model is not None:
                todo.append((relation.related_model._meta.app_label, relation.related_model._meta.model_name))
    return found


class Batch(Operation):
    """Several model operations of one migration with one model-state render instead of one each.

    Django's executor keeps every model of the project rendered as a class and,
    after each ``CreateModel``, ``AlterField`` or option change, renders again
    the changed model and every model related to it. Nearly every table
    references ``workspaces`` and ``users``, so each such operation rebuilds
    nearly every model: most of ``migrate``'s time on an empty database.
    ``Batch(op1, op2, ...)`` applies the operations' state changes together and
    renders once only the models whose classes must change:

    - a batch of ``CreateModel``s renders only the new models, whose relations
      resolve into the classes already rendered (nothing points at a new model
      yet);
    - a batch that leaves every relation as it was (constraints, indexes,
      comments and other options; fields that are not keys and that no key
      points at; keys whose target stays the same) renders the models it
      touches and the models whose keys point at them, directly or through
      others, so that no relation is left pointing at a class the state no
      longer holds. A model that points at nothing touched keeps its class:
      Django re-renders everything related to ``workspaces`` here, nearly
      every model, to change one constraint;
    - any other batch renders the touched models with all their relatives
      (Django's own ``reload_model(delay=False)``).

    In the first two cases a model the batch did not render again keeps a
    class whose reverse relations (the keys pointing at it) are as they were
    when it was rendered: the state is "delayed", as after Django's own
    ``AddIndex`` or ``AddConstraint`` (``reload_model(delay=True)``), and is
    marked so; Django renders everything again before a ``RunPython`` and
    before ``post_migrate``, so data migrations see exact relations. Only SQL
    that follows a key backwards from its target (changing the type of a
    primary key others point at, or renaming such a table) could miss a new
    key; ``tests/test_migration_batch.py`` runs the SQL of the whole history,
    forwards and backwards, with the batches and without them, and requires
    the same statements.

    Then it runs each operation's SQL in the order given, exactly the SQL the
    operations produce on their own (the same tests compare ``sqlmigrate``
    with and without the batch, and the model state after it, and check that
    every key of every model points at a current class).

    Every operation sees the state before the batch and after it, so each must
    touch its own model, or its own field of a model (``AlterField``s of
    different fields of one model are fine; a ``CreateModel`` and an
    ``AddField`` of the same model are not), and none may delete or rename a
    model or a field: the constructor refuses the rest.
    Reversing runs the operations' reverse SQL in the opposite order.
    """

    reduces_to_sql = True

    def __init__(self, *operations):
        from django.db.migrations.operations import DeleteModel, RenameField, RenameModel
        from django.db.migrations.operations.fields import FieldOperation

        models, fields = set(), set()
        for operation in operations:
            model = getattr(operation, "model_name_lower", None) or getattr(operation, "name_lower", None)
            refused = (Batch, DeleteModel, RenameModel, RenameField)
            if model is None or isinstance(operation, refused) or not operation.reduces_to_sql:
                raise ValueError(f"Batch takes model operations only, not {operation.describe()!r}")
            field = operation.name_lower if isinstance(operation, FieldOperation) else None
            if model in models or (field is None and model in {m for m, _ in fields}) or (model, field) in fields:
                raise ValueError(f"Batch: {operation.describe()!r} touches what another operation of the batch does")
            if field is None:
                models.add(model)
            else:
                fields.add((model, field))
        self.operations = list(operations)
        self.reversible = all(operation.reversible for operation in operations)

    def deconstruct(self):
        return (self.__class__.__qualname__, self.operations, {})

    def state_forwards(self, app_label, state):
        from django.db.migrations.operations import CreateModel

        creates_only = all(isinstance(operation, CreateModel) for operation in self.operations)
        # Judged on the state before the batch, and only where it decides something: a rendered state, not new models.
        keeps_relations = "apps" in state.__dict__ and not creates_only and all(
            _keeps_relations(app_label, state, operation) for operation in self.operations
        )
        rendered = state.__dict__.pop("apps", None)
        try:
            for operation in self.operations:
                operation.state_forwards(app_label, state)  # no render: ``state.apps`` is not there
        finally:
            if rendered is not None:
                state.__dict__["apps"] = rendered
        keys = sorted({(app_label, getattr(op, "model_name_lower", None) or op.name_lower) for op in self.operations})
        if rendered is None:
            return  # nothing rendered yet: whoever reads state.apps renders everything
        if creates_only:
            # New models only: no model points at them yet. Rendered into the registry as it is, their
            # relations resolve into the classes already there; nothing else is rendered again (the
            # state is delayed, see above).
            state.apps.render_multiple([state.models[key] for key in keys])
            state.is_delayed = True
            return
        pointing = _models_pointing_at(state.apps, keys) if keeps_relations else None
        if pointing is None:
            state.reload_models(keys, delay=False)
            return
        # The touched models and every model whose keys reach them get new classes; the models they point
        # at keep theirs.
        with state.apps.bulk_update():
            for key in pointing:
                state.apps.unregister_model(*key)
        # As Django's own reload: the migrated apps' model states, and the models of apps without migrations.
        unmigrated = [model for model in state.apps.real_models if (model.app_label, model.name_lower) in pointing]
        state.apps.render_multiple(unmigrated + [state.models[key] for key in sorted(pointing) if key in state.models])
        state.is_delayed = True

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        for operation in self.operations:
            self._run(schema_editor, operation, operation.database_forwards, app_label, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        for operation in reversed(self.operations):
            self._run(schema_editor, operation, operation.database_backwards, app_label, from_state, to_state)

    @staticmethod
    def _run(schema_editor, operation, method, app_label, from_state, to_state):
        if not schema_editor.collect_sql:
            method(app_label, schema_editor, from_state, to_state)
            return
        # sqlmigrate: each operation under its own heading, "(no-op)" when it has no SQL, as Django prints them.
        schema_editor.collected_sql.extend(["--", f"-- {operation.describe()}", "--"])
        before = len(schema_editor.collected_sql)
        method(app_label, schema_editor, from_state, to_state)
        if len(schema_editor.collected_sql) == before:
            schema_editor.collected_sql.append("-- (no-op)")

    def references_model(self, name, app_label):
        return any(operation.references_model(name, app_label) for operation in self.operations)

    def describe(self):
        count = len(self.operations)
        return f"Batch of {count} operation{'s' if count != 1 else ''} with one model-state render:"

    @property
    def migration_name_fragment(self):
        return "batch"


class RefuseCaseDuplicates(Operation):
    """Stop a migration before it builds a unique index on ``(workspace_id, lower(column))`` that would fail.

    Put it right before the ``CREATE UNIQUE INDEX CONCURRENTLY``: when some
    values of one workspace differ only by case, it stops the migration
    before the build and names them all (workspace, values), so nothing is
    left behind. It only reads, so ``migrate`` may still retry the migration.
    It sees every row only when the migrating role is not bound by RLS (a
    superuser, such as the embedded server's ``postgres``). Under FORCE ROW
    LEVEL SECURITY a plain owner sees no row here; the build then refuses
    by itself, PostgreSQL naming the first duplicate key, and ``migrate``
    drops the INVALID index the failed build leaves.

    An operation of its own rather than a ``RunPython``: a ``RunPython`` is
    handed every model, which makes Django render the whole project's model
    state again; this check needs only the connection. ``sqlmigrate`` shows it
    as a comment (it is Python, and reads only).
    """

    reduces_to_sql = False
    reversible = True

    def __init__(self, table: str, column: str = "name"):
        self.table, self.column = table, column

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.table, self.column], {})

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        from django.core.management.base import CommandError

        q, table, column = schema_editor.quote_name, self.table, self.column
        if schema_editor.collect_sql:  # sqlmigrate (inside SeparateDatabaseAndState): say what would run, run nothing
            schema_editor.collected_sql.append(f"-- (Python) refuse_case_duplicates({table!r}, {column!r}): reads only")
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT coalesce(w.slug, t.workspace_id::text), array_agg(t.{q(column)} ORDER BY t.{q(column)})"
                f" FROM {q(table)} AS t LEFT JOIN workspaces AS w ON w.id = t.workspace_id"
                f" GROUP BY t.workspace_id, w.slug, lower(t.{q(column)}) HAVING count(*) > 1"
                " ORDER BY 1, 2 LIMIT 100"
            )
            clashes = cursor.fetchall()
        if clashes:
            listed = "\n".join(f"  workspace {workspace}: " + ", ".join(repr(v) for v in values) for workspace, values in clashes)
            raise CommandError(
                f"{table}.{column} must be unique per workspace ignoring case, and these values differ only by case"
                f" (first 100 groups):\n{listed}\nRename or merge them, then run migrate again."
                " Nothing of this migration was applied."
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass

    def describe(self):
        return f"Refuse {self.table}.{self.column} values of one workspace that differ only by case (reads only)"


def refuse_case_duplicates(table: str, column: str = "name") -> RefuseCaseDuplicates:
    """The check :class:`RefuseCaseDuplicates` (the name the released migrations call)."""
    return RefuseCaseDuplicates(table, column)
