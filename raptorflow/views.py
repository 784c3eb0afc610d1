import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from raptorflow.middleware import SESSION_KEY, forbidden
from raptorflow.models import Workspace


def _safe_next(request, default):
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return default


@login_required
@require_http_methods(["GET", "POST"])
def choose_workspace(request):
    """List the user's workspaces; POST switches to one (members only, 403 otherwise)."""
    if request.method == "GET":
        return render(request, "raptorflow/choose_workspace.html", {"next": _safe_next(request, "")})
    try:
        workspace_id = uuid.UUID(request.POST.get("workspace", ""))
    except ValueError:
        return forbidden("That is not a workspace id.")
    membership = next((m for m in request.memberships if m.workspace_id == workspace_id), None)
    if membership is not None:
        workspace = membership.workspace
    elif request.user.is_superuser:
        workspace = Workspace.objects.filter(id=workspace_id, is_active=True).first()
    else:
        workspace = None
    if workspace is None:
        return forbidden("You are not a member of that workspace.")
    request.session[SESSION_KEY] = str(workspace.id)
    messages.success(request, f"You are now working in {workspace.name}.")
    return redirect(_safe_next(request, reverse("home")))


def ping(request):
    """The trivial view the load test compares the app's pages with."""
    return HttpResponse("pong", content_type="text/plain")


@login_required
def home(request):
    if request.workspace is None:
        return render(request, "raptorflow/no_workspace.html", status=200)
    # The campaign list is the marketers' home. Served in place rather than
    # redirected, so "/" itself answers 200 for a member (tests/test_tenancy.py relies on it).
    from campaigns.views import campaign_list

    return campaign_list(request)
