"""The statements every signed-in request runs, prepared once per database connection (issue 19).

PostgreSQL plans a statement each time it receives it as text. For the
request's own statements (the session, the user, the memberships under their
row-level security policies) planning cost more than running them
(docs/performance-requests.md), so they are prepared with SQL ``PREPARE`` the
first time a connection runs them and run with ``EXECUTE`` afterwards: plain
SQL, so it goes through Django's cursors (client-side binding) and several
statements still travel in one message, one round trip.

A prepared statement belongs to the server session. The names prepared are
remembered per psycopg connection, so a new connection starts from none.
When a message fails, which of its statements got prepared is unknown; the
next message on that connection starts with ``DEALLOCATE ALL`` and prepares
again (nothing else on these connections prepares statements: Django's cursors
bind client-side). A table changed under a prepared statement is re-planned by
PostgreSQL; one whose columns changed fails once ("cached plan must not change
result type") and is prepared again on the next message.

Behind pgbouncer in transaction mode (``DATABASE_POOLER``, which sets the
connection option ``prepare_threshold`` to None) a client's next transaction
may run on another server connection: there the statements are sent as text,
as before.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

# SQLSTATEs that say the connection's prepared statements are not what was remembered.
STALE_SQLSTATES = frozenset({
    "26000",  # invalid_sql_statement_name: prepared statement does not exist
    "42P05",  # duplicate_prepared_statement
    "0A000",  # feature_not_supported: cached plan must not change result type
})

_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # psycopg connection -> names, or None: unknown


@dataclass(frozen=True)
class Statement:
    """A statement with ``%(name)s`` placeholders and the SQL types of its parameters, in order."""

    name: str
    sql: str
    params: tuple[tuple[str, str], ...]

    def prepare_sql(self) -> str:
        text = self.sql
        for number, (param, _) in enumerate(self.params, 1):
            text = text.replace(f"%({param})s", f"${number}")
        return f"PREPARE {self.name}({', '.join(sql_type for _, sql_type in self.params)}) AS {text}"

    def execute_sql(self) -> str:
        return f"EXECUTE {self.name}({', '.join(f'%({param})s' for param, _ in self.params)})"


def enabled(connection) -> bool:
    options = connection.settings_dict.get("OPTIONS") or {}
    return not ("prepare_threshold" in options and options["prepare_threshold"] is None)


def is_stale(exception: BaseException) -> bool:
    """The error says a prepared statement is missing, duplicated or out of date."""
    cause = exception
    while cause is not None:
        if getattr(cause, "sqlstate", None) in STALE_SQLSTATES:
            return True
        cause = cause.__cause__
    return False


def execute(cursor, statements: list[Statement], params: dict, *, begin: bool = False) -> None:
    """Run the statements in one message on a Django cursor, leaving it at the first one's rows.

    ``cursor.nextset()`` moves to the next statement's rows. ``begin``: the
    message starts the transaction (``BEGIN`` first).
    """
    connection = cursor.db
    parts = ["BEGIN"] if begin else []
    if not enabled(connection):
        skip = len(parts)
        cursor.execute(";\n".join(parts + [statement.sql for statement in statements]), params)
    else:
        raw = connection.connection
        known = _prepared.get(raw, set())
        if known is None:
            parts.append("DEALLOCATE ALL")
        known = known or set()
        parts += [statement.prepare_sql() for statement in statements if statement.name not in known]
        skip = len(parts)
        parts += [statement.execute_sql() for statement in statements]
        _prepared[raw] = None  # unknown until the message succeeds
        cursor.execute(";\n".join(parts), params)
        _prepared[raw] = known | {statement.name for statement in statements}
    for _ in range(skip):
        cursor.nextset()
