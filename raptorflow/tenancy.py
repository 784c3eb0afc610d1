"""Workspace context for row-level security.

The policies read two PostgreSQL settings, ``app.current_workspace_id`` and
``app.current_user_id``. They are always set transaction-locally
(``set_config(name, value, true)``), so a pooled or persistent connection never
carries one request's or job's workspace into the next.

Web requests get the context from :class:`raptorflow.middleware.WorkspaceMiddleware`.
Everything else (management commands, the shell, jobs) uses
:func:`workspace_context`::

    from raptorflow.tenancy import workspace_context

    with workspace_context(workspace.id, user_id=user.id):
        Campaign.objects.create(name="Launch")
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import Iterator

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, transaction

WORKSPACE_SETTING = "app.current_workspace_id"
USER_SETTING = "app.current_user_id"

# SQL fragments the policies use. The scalar subquery makes PostgreSQL read the
# setting once per statement (an InitPlan), not once per row; NULLIF turns the
# '' a finished transaction-local setting leaves behind into NULL (docs/tenancy.md, pitfalls 4 and 12).
CURRENT_WORKSPACE_SQL = f"(SELECT NULLIF(current_setting('{WORKSPACE_SETTING}', true), '')::uuid)"
CURRENT_USER_SQL = f"(SELECT NULLIF(current_setting('{USER_SETTING}', true), '')::uuid)"


def _as_text(value) -> str:
    return "" if value is None else str(uuid.UUID(str(value)))


def set_context(workspace_id=None, user_id=None, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Set both settings for the current transaction only. Needs an open transaction."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError(
            "The workspace context is transaction-local: call set_context() inside transaction.atomic()."
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, true), set_config(%s, %s, true)",
            [WORKSPACE_SETTING, _as_text(workspace_id), USER_SETTING, _as_text(user_id)],
        )


def _read(setting: str, using: str) -> uuid.UUID | None:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT NULLIF(current_setting(%s, true), '')", [setting])
        value = cursor.fetchone()[0]
    return uuid.UUID(value) if value else None


def current_workspace_id(using: str = DEFAULT_DB_ALIAS) -> uuid.UUID | None:
    """The workspace the connection's current transaction works in, or None."""
    return _read(WORKSPACE_SETTING, using)


def current_user_id(using: str = DEFAULT_DB_ALIAS) -> uuid.UUID | None:
    return _read(USER_SETTING, using)


@contextmanager
def workspace_context(workspace_id, user_id=None, *, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Run the block in one transaction with the workspace (and user) set.

    Nested use restores the outer context on exit, so a block inside a longer
    transaction (a test, a command looping over workspaces) cannot leak its
    workspace into what follows. On an exception the block's savepoint is
    rolled back, which restores the settings too.
    """
    with transaction.atomic(using=using):
        previous = (current_workspace_id(using), current_user_id(using))
        set_context(workspace_id, user_id, using=using)
        yield
        set_context(*previous, using=using)


# ---------------------------------------------------------------- startup guard

ROLE_BYPASS_SQL = """
SELECT r.rolname, r.rolsuper, r.rolbypassrls,
       EXISTS (
           SELECT 1 FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = current_schema()
             AND c.relkind IN ('r', 'p')
             AND c.relrowsecurity
             AND pg_has_role(current_user, c.relowner, 'USAGE')
       ) AS owns_rls_tables
FROM pg_roles r WHERE r.rolname = current_user
"""


def rls_bypass_reasons(connection=None) -> list[str]:
    """Why the connection's role would not be bound by RLS (empty when it is).

    ``connection``: a Django connection (default: the default alias) or any
    DB-API connection, such as a psycopg one.
    """
    connection = connection or connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(ROLE_BYPASS_SQL)
        rolname, rolsuper, rolbypassrls, owns = cursor.fetchone()
    reasons = []
    if rolsuper:
        reasons.append(f"role {rolname!r} is a superuser")
    if rolbypassrls:
        reasons.append(f"role {rolname!r} has BYPASSRLS")
    if owns:
        reasons.append(f"role {rolname!r} owns (or inherits ownership of) tables under row-level security")
    return reasons


def ensure_rls_enforced(connection=None) -> None:
    """Refuse to serve under a role that row-level security does not bind."""
    reasons = rls_bypass_reasons(connection)
    if reasons and not settings.RAPTORFLOW_ALLOW_RLS_BYPASS:
        raise ImproperlyConfigured(
            "Refusing to start: the web process's database role bypasses row-level security ("
            + "; ".join(reasons)
            + "). Connect as a login role in the "
            f"{settings.RAPTORFLOW_APP_ROLE!r} group (python manage.py provision_roles --login NAME), "
            "or set RAPTORFLOW_ALLOW_RLS_BYPASS=true for local development only."
        )
