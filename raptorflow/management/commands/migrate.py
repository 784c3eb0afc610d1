"""Django's migrate, plus a total time and, on failure, which migration and statement failed.

Each migration runs in one transaction (PostgreSQL DDL is transactional): a
failing statement rolls its whole migration back, and this command says
which one it was instead of leaving the DBA to read a traceback.
"""

import time
from contextlib import contextmanager

from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DatabaseError
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Reports the total time and, on failure, the failing migration and statement."

    def handle(self, *args, **options):
        self.current_migration = None
        self.last_statement = None
        started = time.monotonic()
        try:
            with self._remember_statements():
                result = super().handle(*args, **options)
        except DatabaseError as exc:
            cause = exc.__cause__ or exc
            statement = (self.last_statement or "").strip()
            raise CommandError(
                f"Migration {self.current_migration or '(unknown)'} failed and was rolled back: {cause}\n"
                f"Failing statement:\n{statement[:2000]}"
            ) from exc
        if options["verbosity"] >= 2:
            self.stdout.write(f"Total migration time: {time.monotonic() - started:.3f}s")
        return result

    def migration_progress_callback(self, action, migration=None, fake=False):
        if action in ("apply_start", "unapply_start"):
            self.current_migration = migration
        super().migration_progress_callback(action, migration, fake)

    @contextmanager
    def _remember_statements(self):
        original = BaseDatabaseSchemaEditor.execute
        command = self

        def execute(editor, sql, params=()):
            command.last_statement = str(sql)
            return original(editor, sql, params)

        BaseDatabaseSchemaEditor.execute = execute
        try:
            yield
        finally:
            BaseDatabaseSchemaEditor.execute = original
