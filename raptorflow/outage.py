"""A database outage is a 503, not a 500 (issue 20).

While PostgreSQL is unreachable or restarting, a request that meets the
failure gets a short 503 page with ``Retry-After``, the log says why once per
outage (not a traceback per request) and once that the database is back, and
the request's transaction is rolled back like any failed request's
(``raptorflow.middleware.WorkspaceMiddleware`` rolls back on any 5xx).

How Django is hooked (django/core/handlers/exception.py and base.py):

- Every middleware layer and the view are wrapped in
  ``convert_exception_to_response``: an exception raised anywhere (a view, the
  session and user loads inside WorkspaceMiddleware, its ``atomic()`` commit,
  a session save in SessionMiddleware) becomes a response at that layer, so no
  outer ``try``/``except`` ever sees it. ``response_for_exception`` first sends
  ``got_request_exception`` inside the ``except`` block (``sys.exc_info()`` is
  the exception); ``notice_request_exception`` marks the request there.
- With DEBUG off it then calls the URLconf's ``handler500``
  (``server_error`` below, still inside the ``except``): a 503 for an outage,
  Django's own 500 page otherwise. The 503 is returned at the failing layer,
  so every outer middleware sees a 5xx (WorkspaceMiddleware rolls back,
  SessionMiddleware saves no session).
- With DEBUG on Django renders its technical 500 page instead;
  ``OutageMiddleware`` (first in MIDDLEWARE) replaces it with the same 503.
- ``response_for_exception`` and ``BaseHandler.get_response`` log every 5xx on
  ``django.request`` at ERROR, the first with the traceback.
  ``HideOutageRecords`` (a filter on that logger, settings.LOGGING) drops the
  records of outage requests; ``raptorflow.outage`` says it once instead.

"Once per outage" holds across the worker processes of one server: the first
process to notice creates a marker file (``O_EXCL``) and logs; the others see
it and stay quiet. The first new database connection afterwards (Django's
``connection_created``: CONN_HEALTH_CHECKS drops a dead persistent connection
and reconnects on the next request) claims the marker by renaming it and logs
that the database is back, with how long it was away and how many requests
were answered 503. The marker lives in the temporary directory (``TMPDIR``),
named by the process group (a gunicorn master and its workers share one) and
the database; the files of groups that no longer exist are removed when an
outage begins. Where that directory cannot be written, each process says it
once.

What counts as an outage: ``InterfaceError`` (a closed connection) and
``OperationalError`` without SQLSTATE (connection refused, server closed the
connection) or with a connection SQLSTATE: class 08, 57P01 admin shutdown,
57P02 crash shutdown, 57P03 cannot connect now (starting up, shutting down),
53300 too many connections. Other OperationalErrors (statement or lock
timeouts, deadlocks, serialization failures) stay 500s with a traceback: they
are bugs or load to look at, not the database being away.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
from django import db
from django.core.signals import got_request_exception
from django.db.backends.signals import connection_created
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger("raptorflow.outage")

# Seconds a client is told to wait: a restart takes about one; a failover a few.
RETRY_AFTER = 5
# Connection-level SQLSTATEs besides class 08 (connection exception).
OUTAGE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})
# Set on a request that met an outage: the exception.
REQUEST_ATTRIBUTE = "raptorflow_outage"
# Set by OutageMiddleware when a request starts (time.time()).
STARTED_ATTRIBUTE = "raptorflow_started"
# Set on the 503 response built here.
RESPONSE_ATTRIBUTE = "raptorflow_outage"

FALLBACK_PAGE = (
    "<!doctype html><title>Temporarily unavailable</title><h1>Temporarily unavailable</h1>"
    "<p>RaptorFlow cannot reach its database right now. If you were saving something, it was saved"
    " completely or not at all. Try again in a few seconds.</p>"
)


# ---------------------------------------------------------------- classification


def _sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of ``exc`` or of the psycopg error Django wrapped in it."""
    while exc is not None:
        state = getattr(exc, "sqlstate", None)
        if state:
            return state
        exc = exc.__cause__
    return None


def _is_connection_failure(exc: BaseException) -> bool:
    if isinstance(exc, (db.InterfaceError, psycopg.InterfaceError)):
        return True
    if isinstance(exc, (db.OperationalError, psycopg.OperationalError)):
        state = _sqlstate(exc)
        return state is None or state.startswith("08") or state in OUTAGE_SQLSTATES
    return False


def outage_error(exc: BaseException | None) -> BaseException | None:
    """The connection failure behind ``exc`` (itself, its cause or the error it was raised during), or None.

    The context counts too: a rollback or reconnect that fails while Django
    handles the first failure raises a second error chained to it.
    """
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if _is_connection_failure(exc):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def describe(exc: BaseException) -> str:
    """One line: the driver's message (host, port or socket included) and its class."""
    # The psycopg error Django wrapped says it best.
    inner = exc
    while inner.__cause__ is not None and isinstance(inner.__cause__, psycopg.Error):
        inner = inner.__cause__
    text = " ".join(str(inner).split()) or "(no message)"
    state = _sqlstate(exc)
    kind = type(inner).__name__ + (f", SQLSTATE {state}" if state else "")
    return f"{text[:400]} ({kind})"


# ---------------------------------------------------------------- once per outage


class OutageState:
    """Whether the database is known to be away, shared by the processes of one server.

    ``begin()`` is true for the first failure of an outage (it creates the
    marker file), ``answered()`` counts a 503 (a byte appended to it),
    ``end()`` returns (seconds away, 503 answers) to the one caller that ends
    the outage (it renames the marker away) and notes when, in
    ``<marker>.back``: a request that started before that moment and fails
    afterwards (it tried to connect while the server was still starting)
    belongs to the outage that just ended, not to a new one.
    """

    _STAMP = re.compile(r"t(\d+)\n")

    def __init__(self, path: Path | None = None):
        self._path = path
        self._lock = threading.Lock()
        # Fallback when the marker file cannot be written: this process only.
        self._local_since: float | None = None
        self._local_count = 0

    PREFIX = "raptorflow-outage-"

    @property
    def path(self) -> Path:
        if self._path is None:
            from django.conf import settings

            database = settings.DATABASES["default"]
            identity = "|".join(str(database.get(key) or "") for key in ("HOST", "PORT", "NAME"))
            digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
            self._path = Path(tempfile.gettempdir()) / f"{self.PREFIX}{os.getpgrp()}-{digest}"
        return self._path

    def sweep(self) -> None:
        """Remove the files of process groups that no longer exist (a server stopped during an outage)."""
        for stale in self.path.parent.glob(f"{self.PREFIX}*"):
            group = stale.name[len(self.PREFIX):].split("-", 1)[0]
            if not group.isdigit() or int(group) == os.getpgrp():
                continue
            try:
                os.killpg(int(group), 0)
            except ProcessLookupError:
                stale.unlink(missing_ok=True)
            except OSError:
                pass  # another user's group: alive

    @property
    def back_path(self) -> Path:
        return self.path.with_name(self.path.name + ".back")

    @staticmethod
    def _stamp() -> bytes:
        return f"t{int(time.time() * 1000)}\n".encode()

    def _read_stamp(self, text: str) -> float | None:
        found = self._STAMP.search(text)
        return int(found.group(1)) / 1000 if found else None

    def begin(self, started: float | None = None) -> bool:
        if started is not None and started <= self.last_end():
            return False
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        except FileExistsError:
            return False
        except OSError:
            with self._lock:
                if self._local_since is not None:
                    return False
                self._local_since, self._local_count = time.time(), 0
                return True
        try:
            os.write(fd, self._stamp())
        finally:
            os.close(fd)
        try:
            self.sweep()
        except OSError:
            pass
        return True

    def answered(self) -> None:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        except OSError:
            with self._lock:
                if self._local_since is not None:
                    self._local_count += 1
            return
        try:
            os.write(fd, b".")
        finally:
            os.close(fd)

    def end(self) -> tuple[float, int] | None:
        with self._lock:
            if self._local_since is not None:
                since, count = self._local_since, self._local_count
                self._local_since = None
                return time.time() - since, count
        claimed = self.path.with_name(f"{self.path.name}.{os.getpid()}.{threading.get_ident()}")
        try:
            os.rename(self.path, claimed)  # atomic: exactly one caller ends the outage
        except OSError:
            return None
        try:
            text = claimed.read_text()
            claimed.write_bytes(self._stamp())
            os.replace(claimed, self.back_path)
        except OSError:
            claimed.unlink(missing_ok=True)
            text = ""
        since = self._read_stamp(text) or time.time()
        return max(0.0, time.time() - since), text.count(".")

    def last_end(self) -> float:
        try:
            return self._read_stamp(self.back_path.read_text()) or 0.0
        except OSError:
            return 0.0

    def is_down(self) -> bool:
        return self._local_since is not None or self.path.exists()

    def reset(self) -> None:
        with self._lock:
            self._local_since = None
        self.path.unlink(missing_ok=True)
        self.back_path.unlink(missing_ok=True)


state = OutageState()


def notice(exc: BaseException, request=None, *, say=None) -> None:
    """Note that ``exc`` (an outage error) happened; the first of an outage goes to the log.

    ``say(text)`` writes that line (default: ``raptorflow.outage`` at ERROR).
    A request is marked so that its 503 is counted and its records are dropped.
    """
    started = None
    if request is not None:
        if getattr(request, REQUEST_ATTRIBUTE, None) is not None:
            return
        setattr(request, REQUEST_ATTRIBUTE, exc)
        started = getattr(request, STARTED_ATTRIBUTE, None)
    if state.begin(started):
        text = (
            f"database unavailable: {describe(exc)}; answering 503 with Retry-After: {RETRY_AFTER}"
            " until it is back (said once per outage)"
        )
        (say or logger.error)(text)


def database_is_back() -> None:
    ended = state.end()
    if ended is not None:
        seconds, answered = ended
        logger.warning(
            "database available again after %.1f s; %d request%s answered 503 meanwhile",
            seconds, answered, "" if answered == 1 else "s",
        )


def notice_request_exception(sender, request=None, **kwargs):
    """``got_request_exception``: sent inside Django's ``except`` block, in DEBUG and not."""
    exc = outage_error(sys.exc_info()[1])
    if exc is not None:
        notice(exc, request)


def connection_back(sender, connection, **kwargs):
    """``connection_created``: a new connection works, so an outage in progress is over."""
    database_is_back()


got_request_exception.connect(notice_request_exception, dispatch_uid="raptorflow.outage.request_exception")
connection_created.connect(connection_back, dispatch_uid="raptorflow.outage.connection_created")


# ---------------------------------------------------------------- responses


def unavailable_response() -> HttpResponse:
    """The 503 page: rendered without a request, so no context processor queries the database."""
    try:
        body = render_to_string("503.html", {"retry_after": RETRY_AFTER})
    except Exception:  # never fail while answering a failure
        body = FALLBACK_PAGE
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    add_never_cache_headers(response)
    setattr(response, RESPONSE_ATTRIBUTE, True)
    return response


def server_error(request, *args, **kwargs):
    """``handler500``: a 503 for a database outage, Django's 500 page for anything else.

    Django calls it inside the ``except`` block of the failure (DEBUG off), so
    ``sys.exc_info()`` holds the exception.
    """
    exc = getattr(request, REQUEST_ATTRIBUTE, None) or outage_error(sys.exc_info()[1])
    if exc is not None:
        notice(exc, request)
        return unavailable_response()
    from django.views.defaults import server_error as django_server_error

    return django_server_error(request)


class OutageMiddleware:
    """First in MIDDLEWARE: a request that met an outage leaves with the 503 page, counted.

    With DEBUG off ``server_error`` already built it; with DEBUG on this
    replaces Django's technical 500 page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        setattr(request, STARTED_ATTRIBUTE, time.time())
        response = self.get_response(request)
        if getattr(request, REQUEST_ATTRIBUTE, None) is None or response.status_code < 500:
            return response
        # Django's 500 pages (the technical one with DEBUG on) become the 503 page; a view's
        # own 503 (/healthz's JSON) stays.
        if response.status_code == 500 and not getattr(response, RESPONSE_ATTRIBUTE, False):
            response = unavailable_response()
        state.answered()
        return response


class HideOutageRecords(logging.Filter):
    """On ``django.request``: drop the per-request error records (and tracebacks) of an outage.

    ``raptorflow.outage`` says it once per outage instead; the access log still
    has every 503.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None and getattr(request, REQUEST_ATTRIBUTE, None) is not None:
            return False
        if record.exc_info and record.exc_info[1] is not None and outage_error(record.exc_info[1]) is not None:
            return False
        return True
