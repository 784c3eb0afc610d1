"""The request's workspace, validated and set for row-level security.

The middleware opens the request's transaction itself and sets
``app.current_user_id`` and ``app.current_workspace_id`` inside it with
``set_config(..., true)``: transaction-local, so nothing survives into the next
request on a persistent or pooled connection (docs/tenancy.md, pitfalls 2 and 3).
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.http import HttpResponseForbidden
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.template.response import SimpleTemplateResponse

from raptorflow.models import Workspace, WorkspaceMember
from raptorflow.tenancy import set_context

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


class WorkspaceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
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
            if refusal is not None:
                return refusal
            if request.workspace is not None:
                set_context(request.workspace.id, user.id)
            response = self.get_response(request)
            if response.status_code >= 500:
                # The view failed; keep none of its writes.
                transaction.set_rollback(True)
            elif not transaction.get_rollback():
                # Ending the transaction clears the settings; clear them here too, so that
                # inside an outer transaction (a test's) the next request starts from none.
                set_context(None, None)
        return response

    def resolve_workspace(self, request):
        user = request.user
        # Under the user context the member policy shows the user's own memberships.
        request.memberships = list(
            WorkspaceMember.objects.filter(user=user, workspace__is_active=True)
            .select_related("workspace")
            .order_by("workspace__name")
        )
        by_id = {m.workspace_id: m for m in request.memberships}
        requested = request.headers.get(WORKSPACE_HEADER) or request.session.get(SESSION_KEY)
        if requested is None:
            if request.memberships:
                chosen = request.memberships[0]
                request.session[SESSION_KEY] = str(chosen.workspace_id)
                request.workspace, request.membership = chosen.workspace, chosen
            return None
        try:
            workspace_id = uuid.UUID(str(requested))
        except ValueError:
            request.session.pop(SESSION_KEY, None)
            return forbidden("That is not a workspace id.", request)
        if workspace_id in by_id:
            request.membership = by_id[workspace_id]
            request.workspace = request.membership.workspace
            return None
        if user.is_superuser:
            # Platform superusers may enter any workspace; the workspace policy shows them all.
            request.workspace = Workspace.objects.filter(id=workspace_id, is_active=True).first()
            if request.workspace is not None:
                return None
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
