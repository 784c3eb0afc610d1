"""Create the app group role, make the owner a member of it, and optionally a login role in it. Idempotent.

The owner (the role running this, and ``migrate``) becomes a member of the
app group role so it may ``SET ROLE`` to it: ``verify_schema --probe`` proves
isolation as that role. On PostgreSQL 16 a CREATEROLE role holds ADMIN OPTION
on the roles it creates but is not a member of them; the membership is granted
``WITH INHERIT FALSE, SET TRUE``: the owner may switch to the app role but
does not inherit its privileges. PostgreSQL 15 has no per-grant INHERIT (the
member's own INHERIT attribute decides); there the owner inherits the app
role's privileges, which are all grants on objects the owner owns anyway.
A superuser owner needs no membership.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg import errors, sql


class Command(BaseCommand):
    help = (
        "Create the NOLOGIN group role the web process gets its privileges through "
        "(RAPTORFLOW_APP_ROLE), make the owner (the role running this) a member that may SET ROLE to it, "
        "and, with --login, a login role in it that is neither superuser, nor BYPASSRLS, nor a table owner. "
        "Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--login", metavar="NAME", help="also create (or update) this login role in the group")
        parser.add_argument("--password", help="password of the login role (default: $RAPTORFLOW_WEB_PASSWORD, else none)")

    def handle(self, *args, login=None, password=None, **options):
        import os

        group = settings.RAPTORFLOW_APP_ROLE
        password = password if password is not None else os.environ.get("RAPTORFLOW_WEB_PASSWORD")
        database = connection.settings_dict["NAME"]
        if login and login == group:
            raise CommandError("The login role must differ from the group role.")
        statements = []
        if not self._role_exists(group):
            statements.append(sql.SQL("CREATE ROLE {} NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT").format(sql.Identifier(group)))
        statements += [
            sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(sql.Identifier(database), sql.Identifier(group)),
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(sql.Identifier(group)),
        ]
        self._execute(statements)
        owner, owner_note = self._make_owner_a_member(group)
        if login:
            verb = "ALTER" if self._role_exists(login) else "CREATE"
            attributes = sql.SQL("LOGIN INHERIT NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")
            statements = [sql.SQL("{} ROLE {} WITH {}").format(sql.SQL(verb), sql.Identifier(login), attributes)]
            if password:
                statements.append(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(login), sql.Literal(password)))
            statements.append(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(login)))
            self._execute(statements)
        if options["verbosity"] == 0:
            return
        self.stdout.write(self.style.SUCCESS(f"Group role {group!r} ready on database {database!r}."))
        self.stdout.write(self.style.SUCCESS(f"Owner role {owner!r} {owner_note}."))
        if login:
            self.stdout.write(self.style.SUCCESS(f"Login role {login!r} ready, member of {group!r}."))

    def _make_owner_a_member(self, group):
        """GRANT the group to the current (owner) role unless it may SET ROLE to it already; returns (owner, note)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_user, rolsuper, current_setting('server_version_num')::int FROM pg_roles WHERE rolname = current_user"
            )
            owner, superuser, version = cursor.fetchone()
            if superuser:
                return owner, f"is a superuser: it may SET ROLE {group} without membership"
            # 16+: membership can exist without SET (a CREATEROLE role's own grant on the roles it creates).
            cursor.execute("SELECT pg_has_role(current_user, %s, %s)", [group, "SET" if version >= 160000 else "MEMBER"])
            if cursor.fetchone()[0]:
                return owner, f"may SET ROLE {group} (already a member)"
        if version >= 160000:
            grant = sql.SQL("GRANT {} TO {} WITH INHERIT FALSE, SET TRUE")
            note = f"is a member of {group!r}: may SET ROLE to it, does not inherit its privileges"
        else:
            grant = sql.SQL("GRANT {} TO {}")
            note = f"is a member of {group!r}: may SET ROLE to it"
        statement = grant.format(sql.Identifier(group), sql.Identifier(owner))
        self._execute([statement], hint=(
            f"The owner {owner!r} must be a member of {group!r} for verify_schema --probe. On PostgreSQL 16"
            f" granting it needs ADMIN OPTION on {group!r}, which the role that created it holds: run provision_roles"
            f" as the role that created {group!r}, or have a superuser run: {statement.as_string(None)};"
        ))
        return owner, note

    @staticmethod
    def _execute(statements, hint="Run provision_roles as a role with CREATEROLE (or a superuser)."):
        try:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement.as_string(cursor.connection))
        except Exception as exc:  # a readable reason instead of a traceback
            cause = exc.__cause__ or exc
            if isinstance(cause, errors.InsufficientPrivilege):
                raise CommandError(f"{str(cause).strip()}\n{hint}") from exc
            raise CommandError(str(cause)) from exc

    @staticmethod
    def _role_exists(name):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
            return cursor.fetchone() is not None
