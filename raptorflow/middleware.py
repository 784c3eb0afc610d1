"""The request's workspace, validated and set for row-level security.

The middleware opens the request's transaction itself and sets
``app.current_user_id`` and ``app.current_workspace_id`` inside it with
``set_config(..., true)``: transaction-local, so nothing survives into the next
request on a persistent or pooled connection (docs/tenancy.md, pitfalls 2 and 3).

A signed-in request costs three round trips (docs/performance-requests.md):
the session read, which is also the connection's health check
(raptorflow/sessions.py); one message that begins the transaction, loads the
user, sets the user setting, loads the user's memberships and sets the
workspace setting to the workspace the request may work in
(``request_transaction``, ``enter_request``); COMMIT.
The statements are prepared once per connection (raptorflow/prepared.py), so
PostgreSQL does not plan them again on every request. Nothing is cached across
requests: the membership check runs on every request, so the first request
after a membership is removed is refused. Anything the one round trip cannot
decide exactly as Django and the checks below would (another authentication
backend, a session hash that needs the fallback secrets, a user who may not
sign in, a membership changed between two of its statements) is rolled back
and taken the long way: Django's own user load, then the checks one by one.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager

import psycopg
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, load_backend
from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import DatabaseError, Error, connections, transaction
from django.http import HttpResponseForbidden
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.template.response import SimpleTemplateResponse
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject, empty

from raptorflow import prepared
from raptorflow.models import User, Workspace, WorkspaceMember
from raptorflow.tenancy import USER_SETTING, WORKSPACE_SETTING, set_context

SESSION_KEY = "raptorflow_workspace_id"
# API clients may name the workspace per request; it is validated like the session's.
WORKSPACE_HEADER = "X-Workspace-Id"


class ForbiddenPage(SimpleTemplateResponse):
    """The 403 page of a view that had no request at hand; WorkspaceMiddleware adds the header's context."""

    def __init__(self, message: str):
        super().__init__("403.html", {"message": message}, status=403)


def page_context(request) -> dict:
    """What the page header (templates/base.html) shows, from what the middleware loaded: no query.

    For pages rendered without a RequestContext, whose context processors could
    query: no query may run in an aborted transaction.
    """
    if request is None:
        return {}
    workspace = getattr(request, "workspace", None)
    choices = [(m.workspace_id, m.workspace.name) for m in getattr(request, "memberships", [])]
    if workspace is not None and workspace.id not in {id for id, _ in choices}:
        choices.append((workspace.id, workspace.name))  # a platform superuser's workspace
    return {
        "request": request,
        "user": request.user,
        "current_workspace": workspace,
        "current_membership": getattr(request, "membership", None),
        "workspace_choices": choices,
        "csrf_token": get_token(request),
    }


def forbidden(message: str, request=None) -> HttpResponseForbidden | ForbiddenPage:
    """The 403 page with the page header, rendered from ``page_context`` (no query).

    Without ``request`` the page is rendered once the response passes
    WorkspaceMiddleware.process_template_response, which has the request.
    """
    if request is None:
        return ForbiddenPage(message)
    return HttpResponseForbidden(render_to_string("403.html", {**page_context(request), "message": message}))


def is_permission_error(exception: BaseException) -> bool:
    """A database refusal (SQLSTATE 42501): an RLS WITH CHECK failure or a missing grant."""
    cause = exception
    while cause is not None:
        if getattr(cause, "sqlstate", None) == "42501":
            return True
        cause = cause.__cause__
    return False


# ---------------------------------------------------------------- the request's context in one round trip

# resolve_workspace could not decide in one round trip: roll back, take the long way.
LONG_WAY = object()


def _columns(model, alias: str) -> tuple[list[str], str]:
    """The model's attribute names and its columns selected as ``alias__column``."""
    fields = model._meta.concrete_fields
    if any(field.get_db_converters(connections["default"]) for field in fields):
        raise TypeError(f"{model.__name__} has a field whose value needs converting: load it through the ORM")
    return [field.attname for field in fields], ", ".join(f'{alias}."{field.column}" AS "{alias}__{field.column}"' for field in fields)


_USER_ATTNAMES, _USER_COLUMNS = _columns(User, "u")
_MEMBER_ATTNAMES, _MEMBER_COLUMNS = _columns(WorkspaceMember, "m")
_WORKSPACE_ATTNAMES, _WORKSPACE_COLUMNS = _columns(Workspace, "w")
# 1. The user row, and the user setting (users are global: sign-in reads them before any context).
_ENTER_USER = prepared.Statement(
    "raptorflow_enter_user",
    f"SELECT {_USER_COLUMNS}, set_config('{USER_SETTING}', u.id::text, true) FROM users u WHERE u.id = %(user)s",
    (("user", "uuid"),),
)
# 2. The user's memberships of active workspaces (under RLS: the member policy's own rows), and the
#    workspace setting: with none asked for, the first membership's workspace; the one asked for if
#    the user is a member of it or a platform superuser (an active workspace either way); else none.
#    The memberships read the same rows whether the workspace setting is made before or after them
#    (the user's own rows; workspaces they are members of), so one statement can do both.
_ENTER_WORKSPACE = f"""WITH memberships AS (
    SELECT {_MEMBER_COLUMNS}, {_WORKSPACE_COLUMNS}
    FROM workspace_members m JOIN workspaces w ON w.id = m.workspace_id
    WHERE m.user_id = %(user)s AND w.is_active
), chosen AS (
    SELECT set_config('{WORKSPACE_SETTING}', COALESCE(({{choice}})::text, ''), true) AS workspace_id
)
SELECT chosen.workspace_id, memberships.* FROM chosen LEFT JOIN memberships ON true
ORDER BY memberships."w__name", memberships."w__id"
"""
_ENTER_FIRST = prepared.Statement(
    "raptorflow_enter_first_workspace",
    _ENTER_WORKSPACE.format(choice='SELECT "w__id" FROM memberships ORDER BY "w__name", "w__id" LIMIT 1'),
    (("user", "uuid"),),
)
_ENTER_ASKED = prepared.Statement(
    "raptorflow_enter_asked_workspace",
    _ENTER_WORKSPACE.format(
        choice='COALESCE((SELECT "w__id" FROM memberships WHERE "w__id" = %(asked)s),'
        " (SELECT w.id FROM workspaces w WHERE w.id = %(asked)s AND w.is_active"
        " AND EXISTS (SELECT 1 FROM users u WHERE u.id = %(user)s AND u.is_superuser)))"
    ),
    (("user", "uuid"), ("asked", "uuid")),
)
_ENTER_NO_WORKSPACE = prepared.Statement(
    "raptorflow_enter_no_workspace", _ENTER_WORKSPACE.format(choice="NULL"), (("user", "uuid"),)
)


def enter_request(user_id, asked: uuid.UUID | None, *, first_membership: bool):
    """The user, their memberships and the workspace setting: one round trip, two statements.

    Needs the request's transaction: sets both settings transaction-locally.
    Returns ``(user or None, memberships, the workspace id set or None)``.
    The statements of one message run in order, so the memberships are read
    under the user setting the first statement made.
    """
    connection = connections["default"]
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("enter_request() needs the request's transaction.")
    raw = connection.connection
    # Inside request_transaction the server transaction starts with this message.
    begin = raw.autocommit and raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    if first_membership:
        choose = _ENTER_FIRST
    elif asked is not None:
        choose = _ENTER_ASKED
    else:
        choose = _ENTER_NO_WORKSPACE
    with connection.cursor() as cursor:
        prepared.execute(cursor, [_ENTER_USER, choose], {"user": user_id, "asked": asked}, begin=begin)
        user_row = cursor.fetchone()
        cursor.nextset()
        rows = cursor.fetchall()
    user = User.from_db("default", _USER_ATTNAMES, user_row[: len(_USER_ATTNAMES)]) if user_row else None
    chosen = rows[0][0]
    memberships = []
    split = 1 + len(_MEMBER_ATTNAMES)
    for row in rows:
        if row[1] is None:
            continue  # the LEFT JOIN's row of a user without memberships
        membership = WorkspaceMember.from_db("default", _MEMBER_ATTNAMES, row[1:split])
        _WORKSPACE_FIELD.set_cached_value(membership, Workspace.from_db("default", _WORKSPACE_ATTNAMES, row[split:]))
        memberships.append(membership)
    return user, memberships, uuid.UUID(chosen) if chosen else None


_WORKSPACE_FIELD = WorkspaceMember._meta.get_field("workspace")
_USER_FIELD = WorkspaceMember._meta.get_field("user")


def session_user(request):
    """``(user id, backend)`` when the session names a user that Django's ModelBackend loads, else None.

    Those users take the one-round-trip path; anyone else (anonymous, another
    backend, a user already loaded) Django's own ``request.user``.
    """
    lazy_user = getattr(request, "user", None)
    if type(lazy_user) is not SimpleLazyObject or lazy_user._wrapped is not empty:
        return None
    session = request.session
    if USER_SESSION_KEY not in session or BACKEND_SESSION_KEY not in session:
        return None
    backend_path = session[BACKEND_SESSION_KEY]
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    backend = load_backend(backend_path)
    if type(backend).get_user is not ModelBackend.get_user:
        return None
    try:
        return User._meta.pk.to_python(session[USER_SESSION_KEY]), backend
    except ValidationError:
        return None


@contextmanager
def request_transaction():
    """The request's outermost transaction, whose BEGIN goes out with its first statement.

    ``transaction.atomic()`` makes psycopg send BEGIN in a round trip of its
    own before the first statement. Here psycopg stays in autocommit, which
    sends no BEGIN, while Django counts the connection as out of autocommit:
    the atomic block inside is then Django's outermost block with autocommit
    off (no savepoint, no commit at its end: Django's own code path for
    manual transactions), on_commit callbacks wait for the commit,
    ``set_rollback`` works, and nested blocks make savepoints as usual.
    ``enter_request``'s message starts with BEGIN; this commits, or rolls
    back when the block failed or asked for a rollback, as ``atomic()``
    would, then puts the connection back in autocommit (running the on_commit
    callbacks).
    """
    connection = connections["default"]
    connection.ensure_connection()
    connection.autocommit = False  # Django's bookkeeping: psycopg's own autocommit stays on
    commit = False
    try:
        with transaction.atomic(savepoint=False):
            yield
        commit = not connection.needs_rollback
    finally:
        try:
            if commit:
                try:
                    connection.commit()
                except DatabaseError:
                    _rollback(connection)
                    raise
            else:
                _rollback(connection)
        finally:
            if connection.connection is None:
                connection.autocommit = connection.settings_dict["AUTOCOMMIT"]
            else:
                connection.set_autocommit(True)


def _rollback(connection) -> None:
    try:
        connection.rollback()
    except Error:
        connection.close()  # something went wrong with the connection: drop it, as atomic() does


class WorkspaceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.workspace = None
        request.membership = None
        request.memberships = []
        # Ending the outermost transaction clears the settings; inside an outer one (a
        # test's) they are cleared explicitly, so the next request starts from none.
        outermost = not connections["default"].in_atomic_block
        signed_in = session_user(request)
        if signed_in is not None:
            with request_transaction() if outermost else transaction.atomic():
                refusal = self.resolve_workspace(request, signed_in)
                if refusal is not LONG_WAY:
                    return self.respond(request, refusal, outermost)
                transaction.set_rollback(True)
            request.workspace = None
            request.membership = None
            request.memberships = []
        user = request.user
        if not user.is_authenticated:
            # No context at all: every tenant table reads as empty (fail closed).
            return self.get_response(request)
        with transaction.atomic():
            set_context(None, user.id)
            refusal = self.resolve_workspace(request)
            return self.respond(request, refusal, outermost)

    def respond(self, request, refusal, outermost: bool):
        """Inside the request's transaction: the refusal, or the view's response."""
        if refusal is not None:
            return refusal
        response = self.get_response(request)
        if response.status_code >= 500:
            # The view failed; keep none of its writes.
            transaction.set_rollback(True)
        elif not outermost and not transaction.get_rollback():
            set_context(None, None)
        return response

    def resolve_workspace(self, request, signed_in=None):
        """Sets request.workspace, .membership and .memberships; returns a 403 response, None or LONG_WAY.

        With ``signed_in`` (``session_user``'s answer) it loads the user too, in
        one round trip; without it ``request.user`` is loaded already and the
        checks run one statement at a time.
        """
        if signed_in is not None:
            return self._resolve_in_one_round_trip(request, *signed_in)
        user = request.user
        # Under the user context the member policy shows the user's own memberships.
        request.memberships = list(
            WorkspaceMember.objects.filter(user=user, workspace__is_active=True)
            .select_related("workspace")
            .order_by("workspace__name", "workspace_id")
        )
        by_id = {m.workspace_id: m for m in request.memberships}
        requested = request.headers.get(WORKSPACE_HEADER) or request.session.get(SESSION_KEY)
        if requested is None:
            if request.memberships:
                chosen = request.memberships[0]
                request.session[SESSION_KEY] = str(chosen.workspace_id)
                request.workspace, request.membership = chosen.workspace, chosen
                set_context(request.workspace.id, user.id)
            return None
        try:
            workspace_id = uuid.UUID(str(requested))
        except ValueError:
            request.session.pop(SESSION_KEY, None)
            return forbidden("That is not a workspace id.", request)
        if workspace_id in by_id:
            request.membership = by_id[workspace_id]
            request.workspace = request.membership.workspace
            set_context(request.workspace.id, user.id)
            return None
        if user.is_superuser:
            # Platform superusers may enter any workspace; the workspace policy shows them all.
            request.workspace = Workspace.objects.filter(id=workspace_id, is_active=True).first()
            if request.workspace is not None:
                set_context(request.workspace.id, user.id)
                return None
        request.session.pop(SESSION_KEY, None)
        return forbidden("You are not a member of that workspace.", request)

    def _resolve_in_one_round_trip(self, request, user_id, backend):
        requested = request.headers.get(WORKSPACE_HEADER) or request.session.get(SESSION_KEY)
        asked = None
        if requested is not None:
            try:
                asked = uuid.UUID(str(requested))
            except ValueError:
                pass
        try:
            user, memberships, chosen = enter_request(user_id, asked, first_membership=requested is None)
        except DatabaseError as exc:
            if prepared.is_stale(exc):
                return LONG_WAY  # prepared again on this connection's next request
            raise
        # What django.contrib.auth.get_user checks; anything else (no such user, a hash of a
        # fallback secret, a session to flush) is Django's to handle, the long way.
        if user is None or not backend.user_can_authenticate(user):
            return LONG_WAY
        session_hash = request.session.get(HASH_SESSION_KEY)
        if not session_hash or not constant_time_compare(session_hash, user.get_session_auth_hash()):
            return LONG_WAY
        request.user = user

        async def auser():
            return user

        request.auser = auser
        for membership in memberships:
            _USER_FIELD.set_cached_value(membership, user)
        request.memberships = memberships
        by_id = {m.workspace_id: m for m in memberships}
        # The same decisions as the long way; the workspace setting must be what they decide.
        if requested is None:
            first = memberships[0] if memberships else None
            if chosen != (first.workspace_id if first else None):
                return LONG_WAY
            if first is not None:
                request.session[SESSION_KEY] = str(first.workspace_id)
                request.workspace, request.membership = first.workspace, first
            return None
        if asked is None:
            request.session.pop(SESSION_KEY, None)
            return forbidden("That is not a workspace id.", request)
        if asked in by_id:
            if chosen != asked:
                return LONG_WAY
            request.membership = by_id[asked]
            request.workspace = request.membership.workspace
            return None
        if chosen is not None:
            if chosen != asked or not user.is_superuser:
                return LONG_WAY
            # A platform superuser in a workspace they are no member of.
            request.workspace = Workspace.objects.filter(id=asked, is_active=True).first()
            return None if request.workspace is not None else LONG_WAY
        request.session.pop(SESSION_KEY, None)
        return forbidden("You are not a member of that workspace.", request)

    def process_exception(self, request, exception):
        if is_permission_error(exception):
            # docs/tenancy.md, pitfall 13: a policy refusal is a 403, never a 500 page.
            transaction.set_rollback(True)
            return forbidden("The database refused this change for your workspace.", request)
        return None

    def process_template_response(self, request, response):
        if isinstance(response, ForbiddenPage):
            response.context_data.update(page_context(request))
        return response
