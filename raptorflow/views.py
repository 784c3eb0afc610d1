import uuid

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from raptorflow import services
from raptorflow.forms import InvitedAccountForm
from raptorflow.middleware import SESSION_KEY, forbidden
from raptorflow.models import User, Workspace, WorkspaceInvitation


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
        return forbidden("That is not a workspace id.", request)
    membership = next((m for m in request.memberships if m.workspace_id == workspace_id), None)
    if membership is not None:
        workspace = membership.workspace
    elif request.user.is_superuser:
        workspace = Workspace.objects.filter(id=workspace_id, is_active=True).first()
    else:
        workspace = None
    if workspace is None:
        return forbidden("You are not a member of that workspace.", request)
    request.session[SESSION_KEY] = str(workspace.id)
    messages.success(request, f"You are now working in {workspace.name}.")
    return redirect(_safe_next(request, reverse("home")))


class SignOutView(auth_views.LogoutView):
    """``GET`` asks, ``POST`` signs out and says so on the page it lands on.

    Signing out stays a POST (a link or an image on any site could otherwise sign
    people out); a GET, from a bookmark or a typed address, gets the button.
    """

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(self.get_success_url())
        return render(request, "registration/logout_confirm.html", {"next": _safe_next(request, "")})

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        # After logout() flushed the session: the message travels in the messages cookie.
        messages.success(request, "You are signed out.")
        return response


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


# ---------------------------------------------------------------- invitations

# Status codes of the pages a link that cannot be accepted leads to.
_PROBLEM_STATUS = {"invalid": 404, "revoked": 410, "used": 410, "expired": 410, "other_person": 403, "already_member": 200, "has_account": 200}


def _invitation_problem(request, code, *, invitation=None):
    context = {"problem": code, "message": services.InvitationError.MESSAGES[code], "invitation": invitation}
    if code in ("has_account", "other_person") and invitation is not None:
        context["login_url"] = f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}"
    return render(request, "raptorflow/invitation.html", context, status=_PROBLEM_STATUS[code])


def _refusal(invitation, user) -> str | None:
    """Why the link cannot be accepted as it stands (the database function re-checks all of it)."""
    if invitation is None:
        return "invalid"
    status = invitation.status
    if status != WorkspaceInvitation.Status.PENDING:
        return {"accepted": "used"}.get(status, status)
    if user.is_authenticated and user.email != invitation.email:
        return "other_person"
    return None


def _joined(request, member):
    request.session[SESSION_KEY] = str(member.workspace_id)
    messages.success(request, f"Welcome to {member.workspace.name}: you joined as {member.get_role_display().lower()}.")
    return redirect("home")


@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation(request, workspace_id, token):
    """The emailed link: a new person chooses a password, an existing one signs in, then accepts.

    Only the link's holder gets here, so the page may say whether the invited
    address has an account; the inviter never learns it. Nothing changes until
    the person accepts, and the database function checks the link again then.
    """
    invitation = services.find_invitation(workspace_id=workspace_id, token=token)
    refusal = _refusal(invitation, request.user)
    if refusal is not None:
        return _invitation_problem(request, refusal, invitation=invitation)
    context = {"invitation": invitation, "workspace_name": invitation.workspace.name}

    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                member = services.accept_invitation(workspace_id=workspace_id, token=token, user=request.user)
            except services.InvitationError as error:
                return _invitation_problem(request, error.code, invitation=invitation)
            return _joined(request, member)
        return render(request, "raptorflow/invitation.html", {**context, "step": "accept"})

    if User.objects.filter(email=invitation.email).exists():
        login_url = f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}"
        return render(request, "raptorflow/invitation.html", {**context, "step": "sign_in", "login_url": login_url})

    form = InvitedAccountForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user, member = services.create_invited_user(
                workspace_id=workspace_id,
                token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except services.InvitationError as error:
            return _invitation_problem(request, error.code, invitation=invitation)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return _joined(request, member)
    return render(request, "raptorflow/invitation.html", {**context, "step": "new_account", "form": form})
