"""Django's migrate, made safe to run on a live database.

- **Timeouts on the migration connection**: ``lock_timeout``
  (``MIGRATION_LOCK_TIMEOUT``) so a DDL statement never queues for long in
  front of the application's queries, and ``statement_timeout``
  (``MIGRATION_STATEMENT_TIMEOUT``) so no statement holds its locks for long.
- **Retry with backoff**: a migration that hits the lock timeout (SQLSTATE
  55P03) or loses a deadlock is rolled back and retried, up to
  ``MIGRATION_LOCK_RETRIES`` times, waiting ``lock timeout x 2^n`` (at most
  30 s) in between, so the blocker can finish while we hold no lock.
- **Who blocks**: while a statement runs longer than half the lock timeout, a
  watcher thread asks, on a connection of its own, ``pg_blocking_pids()`` of
  the migration's backend and ``pg_stat_activity`` of those pids. The failed
  transaction cannot be asked (it is aborted) and after the timeout nobody
  waits any more, so the answer must be taken while the statement still waits.
  The watcher polls (every quarter of the lock timeout); the migration's own
  thread never wakes it, so a statement that does not wait costs nothing.
- **Failures named**: the migration, the statement and the blockers, and the
  total time with ``-v 2``.

Statements are observed through ``connection.execute_wrapper``; each
migration still runs in its own transaction (Django's executor, unchanged).
Non-atomic migrations (``CREATE INDEX CONCURRENTLY``) commit statement by
statement: a failed concurrent build leaves an INVALID index, which is dropped
(``DROP INDEX CONCURRENTLY``) before a retry or when giving up; a non-atomic
migration is only retried when none of its statements had committed yet.
"""

from __future__ import annotations

import contextlib
import gc
import re
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DatabaseError, connections

LOCK_NOT_AVAILABLE = "55P03"
DEADLOCK_DETECTED = "40P01"
QUERY_CANCELED = "57014"
MAX_BACKOFF_SECONDS = 30.0

# The index a failed concurrent build leaves behind INVALID.
CONCURRENT_INDEX = re.compile(
    r'^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+(?:IF\s+NOT\s+EXISTS\s+)?((?:"(?:[^"]|"")+"|[\w$]+)(?:\.(?:"(?:[^"]|"")+"|[\w$]+))?)',
    re.IGNORECASE,
)
# Statements that change nothing; anything else in a non-atomic migration commits on its own.
READ_ONLY = re.compile(r"^\s*(SELECT|SHOW|SET|WITH\s+\w+\s+AS\s*\(\s*SELECT)\b", re.IGNORECASE)

BLOCKERS_SQL = """
SELECT a.pid, coalesce(a.state, '?'), coalesce(a.usename::text, '?'),
       extract(epoch FROM now() - coalesce(a.xact_start, a.query_start, a.backend_start))::float,
       coalesce(a.query, '')
FROM unnest(pg_blocking_pids(%s)) AS b(pid)
JOIN pg_stat_activity AS a ON a.pid = b.pid
ORDER BY a.xact_start NULLS LAST
"""


@dataclass(frozen=True)
class Blocker:
    pid: int
    state: str
    user: str
    age: float
    query: str

    def __str__(self):
        query = " ".join(self.query.split())
        if len(query) > 300:
            query = query[:300] + "..."
        return f"pid {self.pid} (user {self.user}, {self.state}, transaction age {self.age:.1f}s): {query or '(no query text)'}"


class BlockerWatch:
    """Samples, on a connection of its own, who blocks the migration's running statement.

    The migration's thread only records the statement it starts (a sequence
    number, its backend pid, the time) and clears it when the statement ends:
    two attribute writes, no lock and no thread woken per statement. Waking a
    thread around every statement of a full migrate (about 900) cost more
    wall time than the statements on a busy machine, where each wake-up
    waits its turn for a core and for the GIL. The watcher instead looks
    every ``every / 2`` seconds; a statement still running then is sampled
    once it has run ``every`` seconds, and every ``every`` seconds after that
    until it ends; the last non-empty answer is kept.
    """

    def __init__(self, connect, every: float):
        self._connect = connect
        self._every = every
        self._tick = every / 2
        self._running = None  # (seq, pid, started): the statement running now, or None
        self._seq = 0
        self._found = (0, [])  # (seq, blockers): the last non-empty answer and its statement
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="migrate-blocker-watch", daemon=True)
        self._thread.start()

    def started(self, pid: int) -> None:
        self._seq += 1
        self._running = (self._seq, pid, time.monotonic())

    def finished(self) -> list[Blocker]:
        """End of the statement; returns who blocked it (empty: nobody was seen)."""
        seq = self._running[0] if self._running else None
        self._running = None
        found_seq, blockers = self._found
        return list(blockers) if found_seq == seq else []

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self):
        conn = None
        try:
            while not self._stop.wait(self._tick):
                running = self._running
                if running is None:
                    continue
                seq, pid, started = running
                due = started + self._every
                # Sample at `every`, then every `every`, while that same statement runs.
                while not self._stop.wait(max(due - time.monotonic(), 0)):
                    running = self._running
                    if running is None or running[0] != seq:
                        break
                    try:
                        conn = conn or self._connect()
                        rows = conn.execute(BLOCKERS_SQL, [pid]).fetchall()
                    except Exception:  # the watcher only informs; it must never break the migration
                        if conn is not None:
                            conn.close()
                        conn = None
                        rows = []
                    if rows:
                        self._found = (seq, [Blocker(*row) for row in rows])
                    due += self._every
        finally:
            if conn is not None:
                conn.close()


@dataclass
class Failure:
    """What went wrong in one attempt."""

    migration: str
    atomic: bool
    error: BaseException
    statement: str
    blockers: list[Blocker] = field(default_factory=list)
    committed: list[str] = field(default_factory=list)
    invalid_index: str | None = None
    invalid_index_dropped: bool = False
    invalid_index_error: str = ""

    @property
    def sqlstate(self):
        return getattr(self.error, "sqlstate", None)

    @property
    def lock_conflict(self) -> bool:
        return self.sqlstate in (LOCK_NOT_AVAILABLE, DEADLOCK_DETECTED)

    def blockers_text(self) -> str:
        if self.blockers:
            return "\n".join(f"  {b}" for b in self.blockers)
        if self.sqlstate == DEADLOCK_DETECTED:
            return "  (a deadlock: see PostgreSQL's error above for the other process)"
        return "  (not identified: the blocker was gone before the watcher looked)"


class Command(DjangoMigrate):
    help = DjangoMigrate.help + (
        " Waits safely: lock and statement timeouts, retries with backoff on lock timeouts,"
        " names who blocks; reports the total time and, on failure, the migration and statement."
    )

    def run_from_argv(self, argv):
        # From the command line (manage.py) the process ends with the command.
        self.process_ends_with_command = True
        return super().run_from_argv(argv)

    def handle(self, *args, **options):
        with _cyclic_gc_paused(resume=not getattr(self, "process_ends_with_command", False)):
            return self._migrate(*args, **options)

    def _migrate(self, *args, **options):
        connection = connections[options["database"]]
        self.verbosity = options["verbosity"]
        self.lock_timeout = float(settings.MIGRATION_LOCK_TIMEOUT)
        self.statement_timeout = float(settings.MIGRATION_STATEMENT_TIMEOUT)
        retries = int(settings.MIGRATION_LOCK_RETRIES) if self.lock_timeout > 0 else 0
        self.watch = None
        if self.lock_timeout > 0:
            params = {k: v for k, v in connection.get_connection_params().items() if k != "cursor_factory"}
            self.watch = BlockerWatch(lambda: _watch_connection(params), every=max(self.lock_timeout / 2, 0.05))
        started = time.monotonic()
        conflicts: dict[str, int] = {}
        previous = None
        try:
            while True:
                self._begin_attempt()
                try:
                    previous = previous or self._timeouts(connection)
                    self._set_timeouts(connection, f"{int(self.lock_timeout * 1000)}ms", f"{int(self.statement_timeout * 1000)}ms")
                    with connection.execute_wrapper(self._observe):
                        result = super().handle(*args, **options)
                    break
                except DatabaseError as exc:
                    failure = self._failure(exc)
                    if not failure.atomic:
                        self._drop_invalid_index(connection, failure, retries)
                    conflicts[failure.migration] = conflicts.get(failure.migration, 0) + 1
                    attempt = conflicts[failure.migration]
                    retryable = failure.lock_conflict and (failure.atomic or not failure.committed) and (
                        failure.invalid_index is None or failure.invalid_index_dropped
                    )
                    if retryable and attempt <= retries:
                        delay = self._backoff(attempt)
                        self._report_wait(failure, attempt, retries, delay)
                        time.sleep(delay)
                        continue
                    raise CommandError(self._give_up_message(failure, attempt, retryable)) from exc
        finally:
            if self.watch is not None:
                self.watch.stop()
            if previous:
                self._restore_timeouts(connection, previous)
        if options["verbosity"] >= 2:
            self.stdout.write(f"Total migration time: {time.monotonic() - started:.3f}s")
        return result

    # ------------------------------------------------------------ per attempt

    def _begin_attempt(self):
        self.current_migration = None
        self.current_atomic = True
        self.committed = []
        self.failed_statement = None
        self.failed_blockers = []
        self.line_open = False

    def migration_progress_callback(self, action, migration=None, fake=False):
        if action in ("apply_start", "unapply_start"):
            self.current_migration = migration
            self.current_atomic = migration.atomic
            self.committed = []
            self.line_open = self.verbosity >= 1
        elif action in ("apply_success", "unapply_success"):
            self.line_open = False
        super().migration_progress_callback(action, migration, fake)

    def _observe(self, execute, sql, params, many, context):
        """execute_wrapper: remember the failing statement and who blocked it."""
        if self.watch is not None:
            self.watch.started(context["connection"].connection.info.backend_pid)
        try:
            result = execute(sql, params, many, context)
        except Exception:
            self.failed_blockers = self.watch.finished() if self.watch is not None else []
            self.failed_statement = _statement_text(sql, params, many)
            raise
        if self.watch is not None:
            self.watch.finished()
        if not self.current_atomic and self.current_migration is not None and not READ_ONLY.match(str(sql)):
            self.committed.append(str(sql))
        return result

    def _failure(self, exc) -> Failure:
        migration = self.current_migration
        return Failure(
            migration=str(migration) if migration is not None else "(none: Django's own bookkeeping)",
            atomic=migration is None or self.current_atomic,
            error=exc.__cause__ or exc,
            statement=(self.failed_statement or "").strip(),
            blockers=self.failed_blockers,
            committed=list(self.committed),
        )

    # ------------------------------------------------------------ non-atomic clean-up

    def _drop_invalid_index(self, connection, failure: Failure, retries: int) -> None:
        """A failed CREATE INDEX CONCURRENTLY leaves its index INVALID: drop it (retrying like a migration), or say so.

        The drop waits for the same transactions the build waited for, so it
        may hit the lock timeout too; a retry of the build before the drop
        succeeded would fail on the existing name (or, with IF NOT EXISTS,
        silently keep the invalid index).
        """
        match = CONCURRENT_INDEX.match(failure.statement)
        if not match:
            return
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT i.indexrelid::regclass::text FROM pg_index i"
                    " WHERE i.indexrelid = to_regclass(%s) AND NOT i.indisvalid",
                    [match.group(1)],
                )
                row = cursor.fetchone()
        except DatabaseError:
            return
        if row is None:
            return
        failure.invalid_index = row[0]
        for attempt in range(1, retries + 2):
            self.failed_blockers = []
            try:
                with connection.execute_wrapper(self._observe), connection.cursor() as cursor:
                    cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {failure.invalid_index}")
                failure.invalid_index_dropped = True
                return
            except DatabaseError as exc:
                cause = exc.__cause__ or exc
                failure.invalid_index_error = str(cause).strip()
                if getattr(cause, "sqlstate", None) != LOCK_NOT_AVAILABLE or attempt > retries:
                    return
                delay = self._backoff(attempt)
                blockers = "\n".join(f"  {b}" for b in self.failed_blockers) or "  (not identified)"
                self._say(
                    f"Dropping the INVALID index {failure.invalid_index} that {failure.migration} left behind waited"
                    f" {self.lock_timeout:g}s for a lock (attempt {attempt} of {retries + 1}). Blocked by:\n{blockers}\n"
                    f"  Retrying in {delay:g}s."
                )
                time.sleep(delay)

    def _backoff(self, attempt: int) -> float:
        return min(self.lock_timeout * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)

    # ------------------------------------------------------------ messages

    def _report_wait(self, failure: Failure, attempt: int, retries: int, delay: float) -> None:
        what = "lost a deadlock" if failure.sqlstate == DEADLOCK_DETECTED else f"waited {self.lock_timeout:g}s for a lock"
        lines = [
            f"{failure.migration} {what} (attempt {attempt} of {retries + 1}) and was rolled back. Blocked by:",
            failure.blockers_text(),
            f"  Blocked statement: {_one_line(failure.statement)}",
        ]
        if failure.invalid_index_dropped:
            lines.append(f"  Dropped the INVALID index {failure.invalid_index} the interrupted build left behind.")
        lines.append(f"  Retrying in {delay:g}s.")
        self._say("\n".join(lines))

    def _say(self, text: str) -> None:
        if self.verbosity < 1:
            return
        self.stdout.write(("\n" if self.line_open else "") + self.style.WARNING(text))
        self.stdout.flush()
        self.line_open = False

    def _give_up_message(self, failure: Failure, attempt: int, retryable: bool) -> str:
        cause = str(failure.error).strip()
        if failure.lock_conflict and retryable:
            waited = (
                f"waited {self.lock_timeout:g}s (MIGRATION_LOCK_TIMEOUT) for a lock"
                if failure.sqlstate == LOCK_NOT_AVAILABLE else "lost a deadlock"
            )
            plural = "s" if attempt != 1 else ""
            head = f"Migration {failure.migration} gave up after {attempt} attempt{plural}: each {waited} and was rolled back."
        elif failure.atomic:
            head = f"Migration {failure.migration} failed and was rolled back: {cause}"
        else:
            head = f"Migration {failure.migration} failed (non-atomic: its statements run before this one stay applied): {cause}"
        parts = [head]
        if failure.sqlstate == QUERY_CANCELED and self.statement_timeout > 0:
            parts.append(
                f"MIGRATION_STATEMENT_TIMEOUT is {self.statement_timeout:g}s: raise it (0: none) for a long statement"
                " that blocks nobody, such as CREATE INDEX CONCURRENTLY."
            )
        if failure.atomic and failure.lock_conflict:
            parts.append("Nothing of it is applied: its transaction was rolled back.")
        elif not failure.atomic and failure.committed:
            parts.append(
                "It is non-atomic, and these statements of it had committed before the failure"
                + (" (so it was not retried)" if failure.lock_conflict else "")
                + ":\n" + "\n".join(f"  {_one_line(s)}" for s in failure.committed)
            )
        elif not failure.atomic:
            parts.append("It is non-atomic; none of its statements had committed.")
        if failure.invalid_index_dropped:
            parts.append(f"The INVALID index {failure.invalid_index} the interrupted build left behind was dropped.")
        elif failure.invalid_index:
            parts.append(
                f"The interrupted build left the INVALID index {failure.invalid_index} and dropping it failed"
                f" ({failure.invalid_index_error}). Drop it before migrating again:"
                f" DROP INDEX CONCURRENTLY IF EXISTS {failure.invalid_index};"
            )
        if failure.lock_conflict:
            parts.append(f"Blocked statement:\n{failure.statement[:2000]}")
            parts.append("Blocked by:\n" + failure.blockers_text())
            pids = ", ".join(str(b.pid) for b in failure.blockers)
            parts.append(
                "Let the blocking session finish, or end it"
                + (f" (SELECT pg_terminate_backend(pid) for pid {pids}, if that is safe)" if pids else "")
                + ", then run migrate again. MIGRATION_LOCK_TIMEOUT and MIGRATION_LOCK_RETRIES set how long it tries."
            )
            if not retryable:
                parts.append(f"PostgreSQL: {cause}")
        else:
            parts.append(f"Failing statement:\n{failure.statement[:2000]}")
        return "\n".join(parts)

    # ------------------------------------------------------------ timeouts

    @staticmethod
    def _timeouts(connection):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('lock_timeout'), current_setting('statement_timeout')")
            return cursor.fetchone()

    @staticmethod
    def _set_timeouts(connection, lock, statement):
        # Session-level (not SET LOCAL): each migration is its own transaction.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, false), set_config('statement_timeout', %s, false)", [lock, statement]
            )

    def _restore_timeouts(self, connection, previous):
        # call_command('migrate') in a longer-lived process (the test set-up) keeps its connection.
        try:
            if connection.connection is not None and not connection.in_atomic_block:
                self._set_timeouts(connection, *previous)
        except DatabaseError:
            pass


@contextlib.contextmanager
def _cyclic_gc_paused(resume: bool = True):
    """Python's cyclic garbage collector off while migrate runs (reference counting still frees memory).

    Django's executor renders a model class again for nearly every operation
    (each ``CreateModel`` re-renders every model related to the new one) and
    drops the old class: a model class, its ``_meta`` and fields form cycles,
    so each render allocates thousands of tracked objects and leaves cyclic
    garbage behind. The collector traced them again and again: its own time
    was about a tenth of a full migrate's CPU time, and migrate's CPU time fell
    by about a sixth without it (docs/benchmarks.md, section 5 notes). Paused,
    the cyclic garbage of a full migrate stays until the end: about 30 MB more
    at the peak for today's history, growing with it. The collector is back
    on, as it was, when the command returns (``call_command``, the tests): its
    first pass then frees that garbage. Run from the command line, the process
    ends with the command (``resume=False``): that pass would be its last work
    (about 0.03 s), so the collector stays off, and ``manage.py`` freezes what
    is left so that Python's exit does not trace it either.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled and resume:
            gc.enable()


def _watch_connection(params):
    import psycopg

    conn = psycopg.connect(**params, autocommit=True)
    # The watcher itself must never wait long.
    conn.execute("SET statement_timeout = '5s'")
    conn.execute("SET application_name = 'raptorflow migrate: blocker watch'")
    return conn


def _statement_text(sql, params, many) -> str:
    text = str(sql)
    if params and not many:
        text += f"\n-- parameters: {params!r}"[:500]
    return text


def _one_line(statement: str) -> str:
    text = " ".join(statement.split())
    return text if len(text) <= 300 else text[:300] + "..."
