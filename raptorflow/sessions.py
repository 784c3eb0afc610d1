"""Django's database sessions, read with one prepared statement (settings.SESSION_ENGINE).

Every signed-in request reads its session first; building that query through
the ORM cost more than PostgreSQL took to answer it (issue 19,
docs/performance-requests.md). Same table, same rows, same expiry rule
(``expire_date`` after now) and the same answer to a missing or expired
session as ``django.contrib.sessions.backends.db``; writes are Django's.
No cache: signing out or expiring a session takes effect on the next request.

The read is also the request's connection health check (CONN_HEALTH_CHECKS).
Django checks a reused persistent connection with a ``SELECT 1`` of its own
before the request's first statement, one more round trip per request. When
the session read is that first statement, it runs in place of the check, with
the check's recovery: if it fails on a reused connection outside a
transaction, the connection is closed and the read runs once more on a new
one (during an outage that reconnection fails, and the request gets the 503
page as before: raptorflow/outage.py).
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import Error, connections, router
from django.utils import timezone

from raptorflow import prepared

READ = prepared.Statement(
    "raptorflow_session_read",
    "SELECT session_key, session_data, expire_date FROM django_session"
    " WHERE session_key = %(key)s AND expire_date > %(now)s",
    (("key", "text"), ("now", "timestamptz")),
)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        model = self.model
        if model._meta.db_table != "django_session":  # a custom session model: Django's own query
            return super()._get_session_from_db()
        using = router.db_for_read(model)
        connection = connections[using]
        params = {"key": self.session_key, "now": timezone.now()}
        # The health check Django is about to run before this statement, this statement does.
        checks = (
            connection.connection is not None
            and connection.health_check_enabled
            and not connection.health_check_done
            and not connection.in_atomic_block
        )
        if checks:
            connection.health_check_done = True
        try:
            row = self._read(connection, params)
        except Error as exc:
            if connection.in_atomic_block:
                raise  # the transaction is aborted: nothing to retry in
            if prepared.is_stale(exc):
                pass  # prepared again, after DEALLOCATE ALL
            elif checks:
                connection.close()  # failed as the health check: a new connection, as Django's check would
            else:
                raise
            row = self._read(connection, params)
        if row is None:
            self._session_key = None
            return None
        return model.from_db(using, ["session_key", "session_data", "expire_date"], row)

    @staticmethod
    def _read(connection, params):
        with connection.cursor() as cursor:
            prepared.execute(cursor, [READ], params)
            return cursor.fetchone()
