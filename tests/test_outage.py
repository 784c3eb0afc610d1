"""A database outage is a 503, not a 500 (issue 20; raptorflow/outage.py).

Unit tests: which errors are an outage, the handler500 answer, the whole stack
with the failure inside WorkspaceMiddleware's transaction and in a view (DEBUG
off and on), the log said once per outage, /healthz.

The drill: a private PostgreSQL cluster (pgserver's binaries, a temporary
folder: never the shared embedded server or the machine's, which other runs
use), migrated as the owner, served by gunicorn (3 workers, persistent
connections) as the web role, under signed-in readers, writers of a campaign
with three quests in one admin request, and a /healthz poller. PostgreSQL is
stopped (``pg_ctl stop -m fast``) for two seconds and started again. No 500
anywhere; the outage's requests are 503 with Retry-After; service comes back
by itself; the gunicorn log says "database unavailable" once and "available
again" once, without a traceback; every campaign has all of its quests or
does not exist.
"""

from __future__ import annotations

import http.cookiejar
import json
import logging
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

import psycopg
import pytest
from django.db import IntegrityError, InterfaceError, OperationalError, ProgrammingError, connection
from django.db.backends.signals import connection_created
from django.test import Client, RequestFactory
from django.urls import get_resolver

from raptorflow import outage
from tools.embedded import REPO_ROOT
from tests.factories import PASSWORD, make_tenant


@pytest.fixture(autouse=True)
def outage_state(tmp_path, monkeypatch):
    """A marker of this test's own: no other test or process shares its outage."""
    state = outage.OutageState(tmp_path / "outage-marker")
    monkeypatch.setattr(outage, "state", state)
    yield state
    state.reset()


def refused() -> OperationalError:
    """What Django raises when PostgreSQL is not there: its OperationalError from psycopg's."""
    try:
        try:
            raise psycopg.OperationalError(
                'connection failed: connection to server on socket "/tmp/x/.s.PGSQL.5432" failed: No such file or directory'
            )
        except psycopg.OperationalError as exc:
            raise OperationalError(str(exc)) from exc
    except OperationalError as exc:
        return exc


def wrapped(psycopg_error: Exception, django_class=OperationalError) -> Exception:
    """``psycopg_error`` as Django raises it: its own class, with the driver's error as the cause."""
    try:
        try:
            raise psycopg_error
        except psycopg.Error as exc:
            raise django_class(str(exc)) from exc
    except django_class as exc:
        return exc


# ---------------------------------------------------------------- what an outage is


@pytest.mark.parametrize(
    ("error", "is_outage"),
    [
        (refused(), True),
        (wrapped(psycopg.errors.AdminShutdown("terminating connection due to administrator command")), True),
        (wrapped(psycopg.errors.CannotConnectNow("the database system is starting up")), True),
        (wrapped(psycopg.errors.CannotConnectNow("the database system is shutting down")), True),
        (wrapped(psycopg.errors.TooManyConnections("sorry, too many clients already")), True),
        (wrapped(psycopg.errors.ConnectionFailure("connection failure")), True),
        (InterfaceError("connection already closed"), True),
        (wrapped(psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly")), True),
        # Not the database being away: bugs or load, still a 500 with its traceback.
        (wrapped(psycopg.errors.QueryCanceled("canceling statement due to statement timeout")), False),
        (wrapped(psycopg.errors.LockNotAvailable("canceling statement due to lock timeout")), False),
        (wrapped(psycopg.errors.DeadlockDetected("deadlock detected")), False),
        (wrapped(psycopg.errors.UniqueViolation("duplicate key"), IntegrityError), False),
        (wrapped(psycopg.errors.InsufficientPrivilege("new row violates row-level security policy"), ProgrammingError), False),
        (ValueError("bad value"), False),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value),
)
def test_which_errors_are_an_outage(error, is_outage):
    assert (outage.outage_error(error) is not None) is is_outage


def test_an_error_raised_while_handling_an_outage_is_the_outage():
    # A rollback or reconnect failing after the first failure chains to it.
    try:
        try:
            raise refused()
        except OperationalError:
            raise ProgrammingError("Cannot open a new connection in an atomic block.")
    except ProgrammingError as exc:
        assert outage.outage_error(exc) is not None


def test_description_is_one_line_with_the_address_and_the_class():
    text = outage.describe(wrapped(psycopg.errors.CannotConnectNow("FATAL:  the database system\n is starting up")))
    assert text == "FATAL: the database system is starting up (CannotConnectNow, SQLSTATE 57P03)"
    assert "/tmp/x/.s.PGSQL.5432" in outage.describe(refused())


# ---------------------------------------------------------------- handler500


def test_handler500_is_the_outage_handler():
    assert get_resolver().resolve_error_handler(500) is outage.server_error


def test_handler500_answers_an_outage_with_503_and_retry_after(outage_state, caplog):
    request = RequestFactory().get("/campaigns/")
    with caplog.at_level(logging.INFO):
        try:
            raise refused()
        except OperationalError:
            response = outage.server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == str(outage.RETRY_AFTER)
    assert "no-store" in response["Cache-Control"]
    assert b"Temporarily unavailable" in response.content
    assert outage_state.is_down()
    said = [r for r in caplog.records if r.name == "raptorflow.outage"]
    assert len(said) == 1 and said[0].levelno == logging.ERROR
    assert "database unavailable" in said[0].getMessage() and ".s.PGSQL.5432" in said[0].getMessage()
    assert said[0].exc_info is None  # a line, not a traceback


def test_handler500_still_answers_any_other_error_with_500(outage_state):
    request = RequestFactory().get("/campaigns/")
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = outage.server_error(request)
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert not outage_state.is_down()


def test_the_marker_of_a_server_that_is_gone_is_swept_when_an_outage_begins(tmp_path):
    import itertools

    dead = next(g for g in itertools.count(4_000_000) if not _group_exists(g))
    state = outage.OutageState(tmp_path / f"{outage.OutageState.PREFIX}{os.getpgrp()}-abc")
    stale = tmp_path / f"{outage.OutageState.PREFIX}{dead}-abc"
    stale.write_text("t1\n")
    (tmp_path / f"{outage.OutageState.PREFIX}{dead}-abc.back").write_text("t1\n")
    assert state.begin()
    assert sorted(p.name for p in tmp_path.iterdir()) == [state.path.name]
    assert state.end() is not None and not state.is_down()


def _group_exists(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


# ---------------------------------------------------------------- the whole stack


@pytest.fixture
def marketer_client(db):
    tenant = make_tenant()
    client = Client(raise_request_exception=False)
    client.force_login(tenant.marketer)
    return client, tenant


def fail_in_workspace_middleware(monkeypatch, error):
    """The failure inside WorkspaceMiddleware's transaction.atomic(), where the request's first queries run."""

    def resolve_workspace(self, request, *args):
        raise error

    monkeypatch.setattr("raptorflow.middleware.WorkspaceMiddleware.resolve_workspace", resolve_workspace)


def request_records(caplog):
    return [r for r in caplog.records if r.name == "django.request" and r.levelno >= logging.ERROR]


@pytest.mark.parametrize("debug", [False, True], ids=["DEBUG off", "DEBUG on"])
def test_an_outage_inside_the_workspace_transaction_is_a_503_said_once(marketer_client, monkeypatch, settings, caplog, debug):
    settings.DEBUG = debug
    client, _ = marketer_client
    fail_in_workspace_middleware(monkeypatch, refused())
    with caplog.at_level(logging.INFO):
        responses = [client.get("/campaigns/"), client.get("/"), client.get("/admin/")]
        for response in responses:
            assert response.status_code == 503, response.content[:300]
            assert response["Retry-After"] == str(outage.RETRY_AFTER)
            assert b"Temporarily unavailable" in response.content
            assert b"Traceback" not in response.content
        said = [r for r in caplog.records if r.name == "raptorflow.outage"]
        assert [r.levelno for r in said] == [logging.ERROR], caplog.text
        assert not request_records(caplog), "django.request logged the outage per request"
        # The next new connection ends the outage: one line, with the count of 503s.
        connection_created.send(sender=type(connection), connection=connection)
        connection_created.send(sender=type(connection), connection=connection)
    back = [r.getMessage() for r in caplog.records if r.name == "raptorflow.outage" and r.levelno == logging.WARNING]
    assert len(back) == 1 and "database available again" in back[0] and "3 requests answered 503" in back[0], back


@pytest.mark.parametrize("debug", [False, True], ids=["DEBUG off", "DEBUG on"])
def test_any_other_error_is_still_a_500_with_its_traceback_logged(marketer_client, monkeypatch, settings, caplog, debug):
    settings.DEBUG = debug
    client, _ = marketer_client
    fail_in_workspace_middleware(monkeypatch, RuntimeError("a bug"))
    response = client.get("/campaigns/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    logged = request_records(caplog)
    assert logged and logged[0].exc_info is not None


def test_a_view_that_wrote_then_met_an_outage_keeps_none_of_its_writes(marketer_client, monkeypatch):
    from campaigns.models import Campaign

    client, tenant = marketer_client

    def success(*args, **kwargs):  # the campaign row is written; then the database goes away
        raise refused()

    data = dict(form_with(client.get("/campaigns/new/").content.decode(), "name"))
    data.update(name="Written then lost", objective="Lost in the outage", budget="10")
    monkeypatch.setattr("django.contrib.messages.success", success)
    response = client.post("/campaigns/new/", data)
    assert response.status_code == 503, response.content[:2000]
    with tenant.context(tenant.marketer):
        assert not Campaign.objects.filter(workspace=tenant.workspace, name="Written then lost").exists()


def test_a_policy_refusal_is_still_a_403(marketer_client, monkeypatch):
    refusal = wrapped(psycopg.errors.InsufficientPrivilege("new row violates row-level security policy"), ProgrammingError)

    def paginate(*args, **kwargs):
        raise refusal

    monkeypatch.setattr("campaigns.views.EstimatedCountPaginator", paginate)
    client, _ = marketer_client
    assert client.get("/campaigns/").status_code == 403


@pytest.fixture
def unreachable_healthz(monkeypatch):
    """/healthz's connection points at a closed port on 127.0.0.1 (a real connection failure)."""
    import socket

    from django.db import connections

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    wrapper = connections.create_connection("default")
    wrapper.settings_dict = {**wrapper.settings_dict, "HOST": "127.0.0.1", "PORT": str(port)}
    monkeypatch.setattr("raptorflow.health.connection", wrapper)
    yield port
    wrapper.close()


@pytest.mark.django_db
def test_healthz_reports_the_outage_and_logs_it_once(unreachable_healthz, caplog):
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            response = Client().get("/healthz")
            assert response.status_code == 503
            assert response.json() == {"status": "unavailable"}
    said = [r for r in caplog.records if "database unavailable" in r.getMessage()]
    assert len(said) == 1 and said[0].name == "raptorflow.health" and str(unreachable_healthz) in said[0].getMessage()
    assert said[0].exc_info is None
    assert not request_records(caplog), "django.request logged Service Unavailable per probe"


# ---------------------------------------------------------------- the drill

DRILL_DATABASE = "raptorflow_outage_drill"
DRILL_WEB_ROLE, DRILL_WEB_PASSWORD = "raptorflow_outage_web", "outage-web-password"
QUESTS_PER_CAMPAIGN = 3
WORKERS = 3
OUTAGE_SECONDS = 2.0
# Two people (each password hash costs a second): a staff member owning the workspace, with the
# model permissions the demo's staff have, and a marketer.
SEED = """
import json, os
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raptorflow.settings")
django.setup()
from django.contrib.auth.models import Permission
from raptorflow.models import WorkspaceMember
from tests.factories import add_member, make_user, make_workspace
staff = make_user(full_name="Drill Staff", is_staff=True)
staff.user_permissions.set(Permission.objects.filter(content_type__app_label="campaigns"))
workspace = make_workspace("Outage drill", owner=staff)
marketer = make_user(full_name="Drill Marketer")
add_member(workspace, marketer, WorkspaceMember.Role.MARKETER)
print(json.dumps({"staff": staff.email, "marketer": marketer.email}))
"""
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class FormFields(HTMLParser):
    """Every form of a page: its attributes and the fields a browser would submit, with their initial values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[dict, list]] = []
        self.fields: list | None = None
        self.select: list | None = None
        self.textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.fields = []
            self.forms.append((a, self.fields))
        if self.fields is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self.select = [name, None, None]
        elif tag == "option" and self.select is not None:
            if self.select[2] is None:
                self.select[2] = a.get("value", "")
            if "selected" in a:
                self.select[1] = a.get("value", "")
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.fields = None
        elif tag == "select" and self.select is not None:
            name, chosen, first = self.select
            self.fields.append((name, chosen if chosen is not None else (first or "")))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append(tuple(self.textarea))
            self.textarea = None


def form_with(page: str, field_name: str) -> list[tuple[str, str]]:
    """The fields of the page's first form that has a field ``field_name``."""
    parser = FormFields()
    parser.feed(page)
    return next(fields for _, fields in parser.forms if any(name == field_name for name, _ in fields))


def campaign_with_quests(page: str, name: str) -> list[tuple[str, str]]:
    """The admin's add-campaign form as rendered, named ``name``, with three quests in the quest inline."""
    form = form_with(page, "name")
    fields = [(k, v) for k, v in form if "__prefix__" not in k]
    template = [(k, v) for k, v in form if "__prefix__" in k]
    prefix = next(k.split("-__prefix__-")[0] for k, _ in template if k.endswith("-__prefix__-title"))
    data = dict(fields)
    data["name"] = name
    data.setdefault("budget", "100")
    data[f"{prefix}-TOTAL_FORMS"] = str(QUESTS_PER_CAMPAIGN)
    payload = list(data.items())
    for index in range(QUESTS_PER_CAMPAIGN):
        for key, value in template:
            if not key.startswith(f"{prefix}-"):
                continue  # the other inlines stay empty
            key = key.replace("__prefix__", str(index))
            if key.endswith("-title"):
                value = f"{name} quest {index + 1}"
            elif key.endswith("-position"):
                value = str(index + 1)
            payload.append((key, value))
    return payload


@dataclass
class Exchange:
    client: str
    method: str
    path: str
    sent: float
    done: float
    status: int
    retry_after: str | None
    body: str
    name: str | None = None  # the campaign a write tried to create


@dataclass
class Drill:
    base: str
    people: dict
    exchanges: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    sessions: dict = field(default_factory=dict)  # email -> lock of its sign-in
    openers: dict = field(default_factory=dict)  # email -> opener with its session cookie
    # Set while a writer's POST is on its way: the drill stops PostgreSQL then, to catch one mid-transaction.
    posting: threading.Event = field(default_factory=threading.Event)

    def opener(self):
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)

    def call(self, opener, client: str, path: str, data=None, name=None) -> Exchange:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        sent = time.monotonic()
        try:
            with opener.open(request, timeout=30) as response:
                status, headers, text = response.status, response.headers, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            status, headers, text = exc.code, exc.headers, exc.read().decode("utf-8", "replace")
        exchange = Exchange(client, "POST" if data is not None else "GET", path, sent, time.monotonic(), status,
                            headers.get("Retry-After"), text, name)
        with self.lock:
            self.exchanges.append(exchange)
        return exchange

    def sign_in(self, opener, client: str, email: str):
        page = self.call(opener, client, "/login/")
        token = CSRF_RE.search(page.body).group(1)
        answer = self.call(opener, client, "/login/", {"csrfmiddlewaretoken": token, "username": email, "password": PASSWORD})
        assert answer.status == 302, f"sign-in of {email}: {answer.status}"

    def run(self, client: str, work):
        try:
            work(client)
        except Exception as exc:  # a client that cannot go on fails the drill, with its reason
            with self.lock:
                self.errors.append(f"{client}: {exc!r}")

    def signed_in(self, client: str, email: str):
        """An opener with ``email``'s session: one sign-in per person, shared by that person's clients."""
        with self.lock:
            person_lock = self.sessions.setdefault(email, threading.Lock())
        with person_lock:
            if email not in self.openers:
                opener = self.opener()
                self.sign_in(opener, client, email)
                self.openers[email] = opener
            return self.openers[email]

    def reader(self, client: str):
        opener = self.signed_in(client, self.people["marketer"])
        while not self.stop.is_set():
            self.call(opener, client, "/campaigns/")

    def writer(self, client: str):
        opener = self.signed_in(client, self.people["staff"])
        step = 0
        while not self.stop.is_set():
            step += 1
            form = self.call(opener, client, "/admin/campaigns/campaign/add/")
            if form.status != 200:
                continue
            name = f"Drill {client} {step} {secrets.token_hex(3)}"
            payload = campaign_with_quests(form.body, name)
            self.posting.set()
            try:
                self.call(opener, client, "/admin/campaigns/campaign/add/", payload, name)
            finally:
                self.posting.clear()

    def prober(self, client: str):
        opener = self.opener()
        while not self.stop.is_set():
            self.call(opener, client, "/healthz")
            time.sleep(0.05)

    def start(self):
        self.threads = [
            threading.Thread(target=self.run, args=(name, work), daemon=True)
            for name, work in [("reader-1", self.reader), ("reader-2", self.reader),
                               ("writer-1", self.writer), ("writer-2", self.writer), ("healthz", self.prober)]
        ]
        for thread in self.threads:
            thread.start()

    def wait(self, condition, timeout: float, what: str):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.errors:
                break
            with self.lock:
                if condition(list(self.exchanges)):
                    return
            time.sleep(0.05)
        seen = Counter((e.client, e.method, e.path, e.status) for e in self.exchanges)
        raise AssertionError(f"{what} after {timeout}s; errors: {self.errors}; answers: {dict(seen)}")

    def finish(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def good(exchange: Exchange) -> bool:
    return exchange.status < 400 and exchange.path != "/login/"


def every_client_succeeded_since(moment: float):
    clients = {"reader-1", "reader-2", "writer-1", "writer-2", "healthz"}

    def condition(exchanges):
        succeeded = {e.client for e in exchanges if e.sent >= moment and good(e)}
        writes = {e.client for e in exchanges if e.sent >= moment and e.method == "POST" and e.status == 302}
        return succeeded >= clients and writes >= {"writer-1", "writer-2"}

    return condition


def test_restart_drill_answers_503_logs_once_and_keeps_nothing_half_written(tmp_path):
    from tools.scratch import Gunicorn, PrivatePostgres, migrated_database

    phases = {"started": time.monotonic()}
    cluster = PrivatePostgres()
    try:
        phases["cluster"] = time.monotonic()
        web_url = migrated_database(cluster.owner_url(), DRILL_DATABASE, DRILL_WEB_ROLE, DRILL_WEB_PASSWORD)
        phases["migrated"] = time.monotonic()
        env = dict(os.environ, DATABASE_URL=web_url, SECRET_KEY="outage-drill-seed")
        env.pop("TEST_DATABASE_NAME", None)
        seeded = subprocess.run([sys.executable, "-c", SEED], env=env, cwd=REPO_ROOT, capture_output=True, text=True)
        assert seeded.returncode == 0, seeded.stderr[-3000:]
        people = json.loads(seeded.stdout.strip().splitlines()[-1])
        phases["seeded"] = time.monotonic()
        log_path = tmp_path / "gunicorn.log"
        # The workers' outage marker (raptorflow.outage.OutageState) goes to this test's folder.
        markers = tmp_path / "tmp"
        markers.mkdir()
        server = Gunicorn(
            web_url, WORKERS, log_path=log_path, collectstatic=False,
            CONN_MAX_AGE="600", GUNICORN_ACCESS_LOG="/dev/null", TMPDIR=str(markers),
        )
        drill = Drill(server.base, people)
        phases["serving"] = time.monotonic()
        try:
            drill.start()
            drill.wait(every_client_succeeded_since(0), 60, "not every client worked before the outage")
            # Every worker has booted and holds its persistent connection. A worker still booting
            # when the database goes away fails its startup check and gunicorn halts altogether
            # (raptorflow/wsgi.py: see the report of issue 20).
            with psycopg.connect(cluster.owner_url(DRILL_DATABASE), autocommit=True) as conn:
                deadline = time.monotonic() + 30
                while conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND usename = %s",
                    [DRILL_DATABASE, DRILL_WEB_ROLE],
                ).fetchone()[0] < WORKERS:
                    assert time.monotonic() < deadline, "not every gunicorn worker connected"
                    time.sleep(0.1)
            drill.posting.wait(10)  # stop it under a write, when one comes
            stopping = time.monotonic()
            cluster.stop("fast")
            down = time.monotonic()
            time.sleep(OUTAGE_SECONDS)
            starting = time.monotonic()
            cluster.start()
            up = time.monotonic()
            drill.wait(every_client_succeeded_since(up), 30, "service did not come back by itself")
            recovered = time.monotonic()
            time.sleep(0.5)
        finally:
            drill.finish()
            server.stop()
        log = log_path.read_text()
        with psycopg.connect(cluster.owner_url(DRILL_DATABASE)) as conn:
            quests = dict(conn.execute(
                "SELECT c.name, count(q.id) FROM campaigns c LEFT JOIN campaign_quests q ON q.campaign_id = c.id"
                " WHERE c.name LIKE 'Drill %' GROUP BY c.name"
            ).fetchall())
    finally:
        cluster.close()

    exchanges = drill.exchanges
    statuses = Counter(e.status for e in exchanges)
    unavailable = [e for e in exchanges if e.status == 503]
    pages = [e for e in unavailable if e.path != "/healthz"]
    first_good_again = min((e.done for e in exchanges if e.sent >= stopping and good(e)), default=up)
    last_503 = max((e.done for e in unavailable), default=stopping)
    late = [e for e in unavailable if e.sent > up + 2.0]
    writes = [e for e in exchanges if e.name]
    committed = {e.name for e in writes if e.status == 302}
    answered_503 = {e.name for e in writes if e.status == 503}
    summary = (
        f"drill: {len(exchanges)} requests {dict(sorted(statuses.items()))}, {len(unavailable)} answered 503"
        f" ({len(pages)} pages, {len(unavailable) - len(pages)} /healthz), {statuses.get(500, 0)} answered 500;"
        f" PostgreSQL stopping {down - stopping:.2f}s + down {starting - down:.2f}s + starting {up - starting:.2f}s"
        f" = outage {up - stopping:.2f}s; first success again {first_good_again - starting:.2f}s after pg_ctl start"
        f" began, last 503 {last_503 - up:+.2f}s from it returning, every client served again"
        f" {recovered - up:.2f}s after; {len(committed)} campaigns written with {QUESTS_PER_CAMPAIGN} quests each,"
        f" {len(answered_503)} writes answered 503 ({len(answered_503 & set(quests))} of them committed whole);"
        f" setup: cluster {phases['cluster'] - phases['started']:.1f}s, migrate {phases['migrated'] - phases['cluster']:.1f}s,"
        f" seed {phases['seeded'] - phases['migrated']:.1f}s, gunicorn {phases['serving'] - phases['seeded']:.1f}s;"
        f" warm-up {stopping - phases['serving']:.1f}s; whole test {time.monotonic() - phases['started']:.1f}s"
    )
    print(summary)
    print("\n".join(line for line in log.splitlines() if "raptorflow." in line))
    context = f"{summary}\nerrors: {drill.errors}\ngunicorn log (tail):\n{log[-4000:]}"

    assert not drill.errors, context
    # Never a 500, nor any other 5xx than 503; the clients saw nothing else unexpected either.
    assert set(statuses) <= {200, 302, 503}, context
    # The drill did meet the outage, and every page answered during it is the short 503 page.
    assert pages, context
    for e in pages:
        assert e.retry_after == str(outage.RETRY_AFTER), (e.path, e.retry_after)
        assert "Temporarily unavailable" in e.body and "Traceback" not in e.body, e.body[:500]
    health = [e for e in unavailable if e.path == "/healthz"]
    assert health and all(json.loads(e.body) == {"status": "unavailable"} for e in health), context
    assert not late, f"503s more than 2s after PostgreSQL was up: {[(e.client, e.path, e.sent - up) for e in late]}"
    # The log: why, once; back, once; no traceback per request.
    assert log.count("database unavailable") == 1, context
    assert log.count("database available again") == 1, context
    assert "Traceback" not in log and "Internal Server Error" not in log and "ERROR django.request" not in log, context
    # The workers shared one marker: the outage is over (its marker renamed away), its end noted.
    assert [p.name.endswith(".back") for p in markers.glob("raptorflow-outage-*")] == [True], list(markers.iterdir())
    # Nothing half-written: every campaign has all its quests or does not exist, and every 302 is there.
    assert committed and committed <= set(quests), context
    assert all(count == QUESTS_PER_CAMPAIGN for count in quests.values()), {k: v for k, v in quests.items() if v != QUESTS_PER_CAMPAIGN}

