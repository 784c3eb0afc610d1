"""Create the app group role and, optionally, a login role in it. Idempotent."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg import errors, sql


class Command(BaseCommand):
    help = (
        "Create the NOLOGIN group role the web process gets its privileges through "
        "(RAPTORFLOW_APP_ROLE) and, with --login, a login role in it that is neither "
        "superuser, nor BYPASSRLS, nor a table owner. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--login", metavar="NAME", help="also create (or update) this login role in the group")
        parser.add_argument("--password", help="password of the login role (default: $RAPTORFLOW_WEB_PASSWORD, else none)")

    def handle(self, *args, login=None, password=None, **options):
        import os

        group = settings.RAPTORFLOW_APP_ROLE
        password = password if password is not None else os.environ.get("RAPTORFLOW_WEB_PASSWORD")
        database = connection.settings_dict["NAME"]
        statements = []
        if not self._role_exists(group):
            statements.append(sql.SQL("CREATE ROLE {} NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT").format(sql.Identifier(group)))
        statements += [
            sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(sql.Identifier(database), sql.Identifier(group)),
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(sql.Identifier(group)),
        ]
        if login:
            if login == group:
                raise CommandError("The login role must differ from the group role.")
            verb = "ALTER" if self._role_exists(login) else "CREATE"
            attributes = sql.SQL("LOGIN INHERIT NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")
            statements.append(sql.SQL("{} ROLE {} WITH {}").format(sql.SQL(verb), sql.Identifier(login), attributes))
            if password:
                statements.append(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(login), sql.Literal(password)))
            statements.append(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(login)))
        try:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement.as_string(cursor.connection))
        except Exception as exc:  # a readable reason instead of a traceback
            cause = exc.__cause__ or exc
            if isinstance(cause, errors.InsufficientPrivilege):
                raise CommandError(f"{cause}. Run provision_roles as a role with CREATEROLE (or a superuser).") from exc
            raise CommandError(str(cause)) from exc
        if options["verbosity"] == 0:
            return
        self.stdout.write(self.style.SUCCESS(f"Group role {group!r} ready on database {database!r}."))
        if login:
            self.stdout.write(self.style.SUCCESS(f"Login role {login!r} ready, member of {group!r}."))

    @staticmethod
    def _role_exists(name):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
            return cursor.fetchone() is not None
