"""Calling the SQL functions the migrations define, from Django code.

Every domain app's wrappers go through :func:`call_returning` or
:func:`call_scalar`, so a function's ``RAISE EXCEPTION`` reaches Python as a
:class:`SQLFunctionError` carrying the function's own message (for a form
error, a CommandError or an admin message), never as a raw database error.
"""

from __future__ import annotations

from django.db import DatabaseError, connection, transaction


class SQLFunctionError(Exception):
    """A SQL function refused its input; ``str(error)`` is its message."""

    def __init__(self, message: str, *, sqlstate: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.sqlstate = sqlstate
        self.hint = hint


def _translate(exc: DatabaseError) -> SQLFunctionError:
    cause = exc.__cause__ or exc
    diag = getattr(cause, "diag", None)
    message = getattr(diag, "message_primary", None) or str(cause)
    return SQLFunctionError(message, sqlstate=getattr(cause, "sqlstate", None), hint=getattr(diag, "message_hint", None))


def call_returning(model, function: str, *args):
    """``SELECT * FROM function(args)`` as an instance of ``model`` (or None for no row)."""
    placeholders = ", ".join(["%s"] * len(args))
    try:
        with transaction.atomic():
            rows = list(model.objects.raw(f"SELECT * FROM {function}({placeholders})", list(args)))
    except DatabaseError as exc:
        raise _translate(exc) from exc
    return rows[0] if rows and rows[0].pk is not None else None


def call_scalar(function: str, *args):
    """``SELECT function(args)``: its single value."""
    placeholders = ", ".join(["%s"] * len(args))
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}({placeholders})", list(args))
            return cursor.fetchone()[0]
    except DatabaseError as exc:
        raise _translate(exc) from exc
