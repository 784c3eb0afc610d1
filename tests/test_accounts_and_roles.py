"""Accounts belong to their person; roles decide writes; people join by invitation.

Each attack of issue 14 is tried as an attacker works: a staff member of one
workspace, through the real admin URLs and pages, with the emails and ids of
another workspace's people. Every query runs as the RLS-bound web role.
"""

import re
import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import DatabaseError, connection, connections, transaction
from django.db.models.functions import Now
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.tests.factories import make_campaign
from raptorflow import roles, services
from raptorflow.models import Cohort, User, WorkspaceInvitation, WorkspaceMember
from raptorflow.tenancy import workspace_context
from tests.factories import PASSWORD, add_member, make_cohort, make_tenant, make_user

STAFF_APPS = ["raptorflow", "campaigns", "gamification", "agents", "intelligence", "alerts"]
LINK = re.compile(r"https?://[^\s]+/invitations/[0-9a-f-]{36}/[^\s/]+/")


def make_staff(tenant, role, **extra):
    """A staff member (with the demo staff group's model permissions) holding ``role`` in the tenant's workspace."""
    user = make_user(full_name=f"Staff {role}", is_staff=True, **extra)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=STAFF_APPS))
    add_member(tenant.workspace, user, role)
    return user


def invite(client, email, role="marketer"):
    return client.post("/admin/raptorflow/workspaceinvitation/add/", {"email": email, "role": role})


def sent_link(email):
    message = next(m for m in reversed(mail.outbox) if email in m.to)
    return LINK.search(message.body).group(0)


def member_role(tenant, user):
    with tenant.context(tenant.owner):
        member = WorkspaceMember.objects.filter(workspace=tenant.workspace, user=user).first()
    return member.role if member else None


# ---------------------------------------------------------------- the take-over, step by step


@pytest.mark.django_db
def test_staff_cannot_attach_another_workspaces_account_as_a_member(tenant_a, tenant_b, client_for):
    attacker = client_for(tenant_a.staff, tenant_a.workspace)
    victim = tenant_b.owner

    # Step 1 of the old attack: "add member by email of an existing user".
    response = attacker.post("/admin/raptorflow/workspacemember/add/", {"email": victim.email, "role": "viewer"})
    assert response.status_code == 403
    assert member_role(tenant_a, victim) is None

    # The invitation road: a pending invitation, no membership, no consent given.
    invite(attacker, victim.email)
    assert member_role(tenant_a, victim) is None


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["other_workspace_owner", "shared_member", "superuser"])
def test_staff_cannot_change_or_delete_any_account(tenant_a, tenant_b, client_for, target):
    superuser = make_user(full_name="Platform root", is_staff=True, is_superuser=True)
    victim = {"other_workspace_owner": tenant_b.owner, "shared_member": tenant_b.marketer, "superuser": superuser}[target]
    if target == "shared_member":
        # A person in both workspaces: a member of the attacker's workspace, yet not the attacker's account.
        add_member(tenant_a.workspace, victim, "marketer")
    attacker = client_for(tenant_a.staff, tenant_a.workspace)
    base = f"/admin/raptorflow/user/{victim.id}"

    assert attacker.get("/admin/raptorflow/user/").status_code == 403
    assert attacker.get(f"{base}/change/").status_code == 403
    assert attacker.post(f"{base}/password/", {"password1": "hijacked-pass-42", "password2": "hijacked-pass-42"}).status_code == 403
    attacker.post(f"{base}/change/", {"email": "attacker@evil.test", "full_name": "x", "is_active": "", "is_staff": "on"})
    assert attacker.post(f"{base}/delete/", {"post": "yes"}).status_code == 403

    victim.refresh_from_db()
    assert victim.check_password(PASSWORD)
    assert victim.email != "attacker@evil.test" and victim.is_active  # refresh_from_db: not deleted either


@pytest.mark.django_db
def test_staff_cannot_create_accounts_for_someone_else_pre_hijack(tenant_a, client_for):
    attacker = client_for(tenant_a.staff, tenant_a.workspace)
    response = attacker.post(
        "/admin/raptorflow/user/add/",
        {
            "email": "future.colleague@other.test", "full_name": "x", "role": "viewer", "usable_password": "true",
            "password1": "chosen-by-attacker-9", "password2": "chosen-by-attacker-9",
            "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="future.colleague@other.test").exists()


@pytest.mark.django_db
def test_an_invitation_never_lets_the_inviter_choose_the_password_or_see_the_link(tenant_a, client_for, django_capture_on_commit_callbacks):
    inviter = client_for(tenant_a.staff, tenant_a.workspace)
    with django_capture_on_commit_callbacks(execute=True):
        invite(inviter, "future.colleague@other.test")
    link = sent_link("future.colleague@other.test")
    token = link.rstrip("/").rsplit("/", 1)[1]

    # No account exists until the person accepts, with the password they choose.
    assert not User.objects.filter(email="future.colleague@other.test").exists()
    with tenant_a.context():
        invitation = WorkspaceInvitation.objects.get(email="future.colleague@other.test")
    assert invitation.token_hash == services.invitation_token_hash(token) and token not in invitation.token_hash
    page = inviter.get(f"/admin/raptorflow/workspaceinvitation/{invitation.pk}/change/").content.decode()
    listing = inviter.get("/admin/raptorflow/workspaceinvitation/").content.decode()
    assert token not in page and token not in listing


@pytest.mark.django_db
def test_the_invite_answer_is_the_same_whether_or_not_the_email_has_an_account(tenant_a, tenant_b, client_for, django_capture_on_commit_callbacks):
    client = client_for(tenant_a.staff, tenant_a.workspace)
    answers = []
    for email in (tenant_b.viewer.email, "nobody-here@nowhere.test"):
        with django_capture_on_commit_callbacks(execute=True):
            response = invite(client, email)
        page = client.get(response["Location"]).content.decode()
        answers.append((response.status_code, response["Location"], re.sub(re.escape(email), "EMAIL", _messages(page))))
    assert answers[0] == answers[1]
    assert "Invitation sent to EMAIL" in answers[0][2]
    # Both got the same kind of email.
    assert len(mail.outbox) == 2 and mail.outbox[0].subject == mail.outbox[1].subject
    # The member add form that used to say "No user has this email address" is gone; the list points to invitations.
    assert client.get("/admin/raptorflow/workspacemember/add/").status_code == 403
    assert "/admin/raptorflow/workspaceinvitation/add/" in client.get("/admin/raptorflow/workspacemember/").content.decode()


def _messages(page):
    found = re.search(r'<ul class="messagelist">(.*?)</ul>', page, re.S)
    return re.sub(r"\s+", " ", found.group(1)) if found else ""


# ---------------------------------------------------------------- roles decide admin writes


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["viewer", "marketer"])
def test_staff_without_a_managing_role_cannot_write_other_domains_through_the_admin(tenant_a, tenant_b, client_for, role):
    staff = make_staff(tenant_a, role)
    client = client_for(staff, tenant_a.workspace)
    cohort = make_cohort(tenant_a.workspace, "Keep me")
    member = WorkspaceMember.objects.none()
    with tenant_a.context():
        member = WorkspaceMember.objects.get(workspace=tenant_a.workspace, user=tenant_a.marketer)

    # Members: nobody but owners and admins removes or re-roles people.
    assert client.post(f"/admin/raptorflow/workspacemember/{member.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"/admin/raptorflow/workspacemember/{member.pk}/change/", {"role": "owner"})
    client.post("/admin/raptorflow/workspacemember/", {"action": "delete_selected", "_selected_action": [member.pk], "post": "yes"})
    assert member_role(tenant_a, tenant_a.marketer) == "marketer"
    assert invite(client, "someone@else.test").status_code == 403

    # Cohorts belong to the campaigns domain: marketers write them, viewers do not.
    response = client.post(f"/admin/raptorflow/cohort/{cohort.pk}/delete/", {"post": "yes"})
    with tenant_a.context():
        exists = Cohort.objects.filter(pk=cohort.pk).exists()
    if role == "viewer":
        assert response.status_code == 403 and exists
    else:
        assert response.status_code == 302 and not exists


@pytest.mark.django_db
def test_a_viewer_cannot_delete_or_archive_campaigns_through_the_admin(tenant_a, client_for):
    viewer = make_staff(tenant_a, "viewer")
    client = client_for(viewer, tenant_a.workspace)
    campaign = make_campaign(tenant_a, status="active")

    assert client.post(f"/admin/campaigns/campaign/{campaign.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post("/admin/campaigns/campaign/", {"action": "archive_selected", "_selected_action": [campaign.pk]})
    client.post("/admin/campaigns/campaign/", {"action": "delete_selected", "_selected_action": [campaign.pk], "post": "yes"})
    client.post(f"/admin/campaigns/campaign/{campaign.pk}/change/", {"name": "Renamed by a viewer", "status": "draft"})
    with tenant_a.context():
        campaign.refresh_from_db()
    assert campaign.status == "active" and campaign.name != "Renamed by a viewer"


# The role matrix, cell by cell: for each domain, a page only writers may open
# (an add form) or a write only writers are offered (a bulk action on the list).
WRITE_PROBES = {
    roles.MEMBERS: ("/admin/raptorflow/workspaceinvitation/add/", None),
    roles.CAMPAIGNS: ("/admin/campaigns/campaign/add/", None),
    roles.GAMIFICATION: ("/admin/gamification/achievement/add/", None),
    roles.AGENTS: ("/admin/agents/agentassignment/add/", None),
    roles.INTELLIGENCE: ("/admin/intelligence/intelligencesignal/", "mark_reviewed"),
    roles.ALERTS: ("/admin/alerts/systemalert/", "acknowledge_selected"),
}
READ_PAGES = {
    roles.MEMBERS: "/admin/raptorflow/workspacemember/",
    roles.CAMPAIGNS: "/admin/campaigns/campaign/",
    roles.GAMIFICATION: "/admin/gamification/achievement/",
    roles.AGENTS: "/admin/agents/agent/",
    roles.INTELLIGENCE: "/admin/intelligence/marketinsight/",
    roles.ALERTS: "/admin/alerts/systemalert/",
}


@pytest.fixture
def staff_by_role(tenant_a):
    people = {role: make_staff(tenant_a, role) for role in roles.ROLES}
    people["superuser"] = make_user(full_name="Platform root", is_staff=True, is_superuser=True)
    return people


def _may_write(client, domain):
    url, action = WRITE_PROBES[domain]
    response = client.get(url)
    if action is None:
        assert response.status_code in (200, 403), (url, response.status_code)
        return response.status_code == 200
    assert response.status_code == 200, (url, response.status_code)
    return f'value="{action}"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*roles.ROLES, "superuser"])
def test_the_role_matrix_in_the_admin(tenant_a, client_for, staff_by_role, role):
    client = client_for(staff_by_role[role], tenant_a.workspace)
    for domain in roles.DOMAINS:
        expected = role == "superuser" or domain in roles.WRITES[role]
        assert client.get(READ_PAGES[domain]).status_code == 200, (role, domain, "read")
        assert _may_write(client, domain) is expected, (role, domain, "write")


@pytest.mark.django_db
@pytest.mark.parametrize("role", roles.ROLES)
def test_the_role_matrix_on_the_marketer_pages(tenant_a, client_for, staff_by_role, role):
    client = client_for(staff_by_role[role], tenant_a.workspace)
    campaign = make_campaign(tenant_a, name="Matrix campaign")
    writes = roles.CAMPAIGNS in roles.WRITES[role]
    assert client.get("/campaigns/").status_code == 200
    assert client.get(f"/campaigns/{campaign.pk}/").status_code == 200
    assert client.get("/campaigns/new/").status_code == (200 if writes else 403)
    response = client.post(f"/campaigns/{campaign.pk}/archive/")
    with tenant_a.context():
        campaign.refresh_from_db()
    assert (campaign.status == "archived") is writes
    assert (response.status_code == 403) is not writes


# ---------------------------------------------------------------- members: owners and admins


@pytest.mark.django_db
def test_an_admin_changes_roles_but_never_the_owners(tenant_a, client_for):
    admin_client = client_for(tenant_a.staff, tenant_a.workspace)  # role admin
    with tenant_a.context(tenant_a.owner):
        marketer = WorkspaceMember.objects.get(user=tenant_a.marketer)
        owner = WorkspaceMember.objects.get(user=tenant_a.owner)

    response = admin_client.post(f"/admin/raptorflow/workspacemember/{marketer.pk}/change/", {"role": "viewer"})
    assert response.status_code == 302
    assert member_role(tenant_a, tenant_a.marketer) == "viewer"

    # Making someone owner, or touching the owner, is an owner's decision.
    response = admin_client.post(f"/admin/raptorflow/workspacemember/{marketer.pk}/change/", {"role": "owner"})
    assert response.status_code == 200 and "role" in response.context["adminform"].form.errors
    assert admin_client.post(f"/admin/raptorflow/workspacemember/{owner.pk}/delete/", {"post": "yes"}).status_code == 403
    assert member_role(tenant_a, tenant_a.owner) == "owner"


@pytest.mark.django_db
def test_the_last_owner_stays_and_removing_a_member_leaves_the_account(tenant_a, client_for):
    owner_staff = make_staff(tenant_a, "owner")
    client = client_for(owner_staff, tenant_a.workspace)
    with tenant_a.context(tenant_a.owner):
        first_owner = WorkspaceMember.objects.get(user=tenant_a.owner)
        marketer = WorkspaceMember.objects.get(user=tenant_a.marketer)

    # Two owners: one may go. Then the remaining one may not leave or be demoted.
    assert client.post(f"/admin/raptorflow/workspacemember/{first_owner.pk}/delete/", {"post": "yes"}).status_code == 302
    with tenant_a.context(owner_staff):
        last = WorkspaceMember.objects.get(user=owner_staff)
    assert client.post(f"/admin/raptorflow/workspacemember/{last.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(f"/admin/raptorflow/workspacemember/{last.pk}/change/", {"role": "admin"})
    assert response.status_code == 200 and member_role(tenant_a, owner_staff) == "owner"

    assert client.post(f"/admin/raptorflow/workspacemember/{marketer.pk}/delete/", {"post": "yes"}).status_code == 302
    assert member_role(tenant_a, tenant_a.marketer) is None
    account = User.objects.get(pk=tenant_a.marketer.pk)
    assert account.is_active and account.check_password(PASSWORD)


# ---------------------------------------------------------------- the database refuses, whatever the app does


def _refused(callable_):
    try:
        with transaction.atomic():
            callable_()
    except DatabaseError as error:
        return getattr(error.__cause__, "sqlstate", None) == "42501"
    return False


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ["marketer", "viewer"])
def test_the_database_refuses_membership_rows_not_written_by_an_owner_or_admin(tenant_a, tenant_b, actor):
    outsider = tenant_b.owner
    person = getattr(tenant_a, actor)
    with workspace_context(tenant_a.id, user_id=person.id):
        assert _refused(lambda: WorkspaceMember.objects.create(workspace=tenant_a.workspace, user=outsider, role="viewer"))
        # Promoting oneself: the UPDATE policy hides the row, so nothing changes.
        updated = WorkspaceMember.objects.filter(user=person).update(role="owner")
        assert updated == 0
    assert member_role(tenant_a, person) == actor


@pytest.mark.django_db
def test_the_database_refuses_self_joining_without_an_invitation(tenant_a, tenant_b):
    intruder = tenant_b.owner
    with workspace_context(tenant_a.id, user_id=intruder.id):
        assert _refused(lambda: WorkspaceMember.objects.create(workspace=tenant_a.workspace, user=intruder, role="owner"))
        assert _refused(lambda: WorkspaceMember.objects.create(workspace=tenant_a.workspace, user=intruder, role="viewer"))
        # Nor may they invite themselves.
        assert _refused(
            lambda: WorkspaceInvitation.objects.create(
                workspace=tenant_a.workspace, email=intruder.email, role="owner", token_hash="x" * 64,
                expires_at=timezone.now() + timedelta(days=1),
            )
        )
    assert member_role(tenant_a, intruder) is None


@pytest.mark.django_db
def test_the_database_refuses_invitation_changes_by_non_managers(tenant_a, invited):
    invited("pending@example.test", "viewer")
    with workspace_context(tenant_a.id, user_id=tenant_a.marketer.id):
        invitation = WorkspaceInvitation.objects.get(email="pending@example.test")
        assert _refused(lambda: WorkspaceInvitation.objects.filter(pk=invitation.pk).update(role="owner"))
        assert _refused(lambda: WorkspaceInvitation.objects.filter(pk=invitation.pk).update(email="me@evil.test"))
        assert WorkspaceInvitation.objects.filter(pk=invitation.pk).delete()[0] == 0
    with tenant_a.context():
        invitation.refresh_from_db()
    assert (invitation.role, invitation.email) == ("viewer", "pending@example.test")


@pytest.mark.django_db
def test_the_database_refuses_taking_over_someone_elses_open_invitation(tenant_a, tenant_b, invited):
    invited("intended@example.test", "admin")
    intruder = tenant_b.owner
    with workspace_context(tenant_a.id, user_id=intruder.id):
        # Skipping the function: mark the invitation accepted by oneself, then insert the membership.
        assert _refused(
            lambda: WorkspaceInvitation.objects.filter(email="intended@example.test").update(
                accepted_by=intruder, accepted_at=Now()
            )
        )
    assert member_role(tenant_a, intruder) is None


@pytest.mark.django_db
def test_the_database_refuses_an_admin_making_an_owner(tenant_a):
    newcomer = make_user()
    with workspace_context(tenant_a.id, user_id=tenant_a.staff.id):  # staff is an admin
        assert _refused(lambda: WorkspaceMember.objects.create(workspace=tenant_a.workspace, user=newcomer, role="owner"))
        WorkspaceMember.objects.create(workspace=tenant_a.workspace, user=newcomer, role="marketer")
    assert member_role(tenant_a, newcomer) == "marketer"


# ---------------------------------------------------------------- invitations end to end


@pytest.fixture
def invited(tenant_a, client_for, django_capture_on_commit_callbacks):
    """``invited(email, role)``: the admin of tenant A invites; returns the emailed link."""

    def make(email, role="marketer"):
        with django_capture_on_commit_callbacks(execute=True):
            response = invite(client_for(tenant_a.staff, tenant_a.workspace), email, role)
        assert response.status_code == 302
        return sent_link(email)

    return make


@pytest.mark.django_db
def test_a_new_person_accepts_with_their_own_password(tenant_a, invited, client):
    link = invited("new.person@example.test", "viewer")
    page = client.get(link)
    assert page.status_code == 200 and "Create account and join" in page.content.decode()

    # A mistake first: the form says so next to the field and creates nothing.
    response = client.post(link, {"full_name": "New Person", "password1": "short", "password2": "short"})
    assert response.status_code == 200 and response.context["form"].errors["password1"]
    assert not User.objects.filter(email="new.person@example.test").exists()

    response = client.post(link, {"full_name": "New Person", "password1": "a-long-own-choice-77", "password2": "a-long-own-choice-77"})
    assert response.status_code == 302
    person = User.objects.get(email="new.person@example.test")
    assert person.check_password("a-long-own-choice-77") and not person.is_staff
    assert member_role(tenant_a, person) == "viewer"
    assert client.get("/campaigns/").status_code == 200  # signed in, working in tenant A
    with tenant_a.context():
        invitation = WorkspaceInvitation.objects.get(email="new.person@example.test")
    assert invitation.status == "accepted" and invitation.accepted_by_id == person.id


def test_a_new_person_accepts_over_real_request_transactions(committed_db, django_capture_on_commit_callbacks):
    # Committed: each request runs in its own transaction, so no workspace
    # setting left by an earlier request of the test can hide a missing context.
    from django.test import Client

    tenant = make_tenant("Committed Co")
    admin_client = Client()
    admin_client.force_login(tenant.staff)
    invite(admin_client, "newcomer@example.test", "marketer")
    link = sent_link("newcomer@example.test")
    client = Client()
    response = client.post(link, {"full_name": "Newcomer", "password1": "a-long-own-choice-77", "password2": "a-long-own-choice-77"})
    assert response.status_code == 302, response.content.decode()[:500]
    assert "Welcome to Committed Co: you joined as marketer." in client.get("/campaigns/").content.decode()


@pytest.mark.django_db
def test_an_existing_person_signs_in_then_accepts(tenant_a, tenant_b, invited, client):
    person = tenant_b.marketer
    link = invited(person.email, "marketer")
    page = client.get(link).content.decode()
    assert "Sign in" in page and "Choose a password" not in page
    assert member_role(tenant_a, person) is None

    client.force_login(person)
    assert "Accept and join" in client.get(link).content.decode()
    assert member_role(tenant_a, person) is None  # a GET changes nothing
    assert client.post(link).status_code == 302
    assert member_role(tenant_a, person) == "marketer"
    person.refresh_from_db()
    assert person.check_password(PASSWORD)  # their account, untouched
    assert member_role(tenant_b, person) == "marketer"


@pytest.mark.django_db
def test_a_link_accepted_by_the_wrong_person_changes_nothing(tenant_a, tenant_b, invited, client):
    link = invited("intended@example.test")
    client.force_login(tenant_b.owner)
    assert client.get(link).status_code == 403
    response = client.post(link)
    assert response.status_code == 403 and "another email address" in response.content.decode()
    assert member_role(tenant_a, tenant_b.owner) is None
    # Nor through the database function directly.
    with pytest.raises(services.InvitationError) as error:
        services.accept_invitation(workspace_id=tenant_a.id, token=link.rstrip("/").rsplit("/", 1)[1], user=tenant_b.owner)
    assert error.value.code == "other_person"


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["expired", "revoked", "used", "resent", "forged"])
def test_expired_revoked_used_superseded_or_forged_links_change_nothing(tenant_a, client_for, invited, client, state):
    email = f"{state}@example.test"
    link = invited(email)
    admin_client = client_for(tenant_a.staff, tenant_a.workspace)
    with tenant_a.context():
        invitation = WorkspaceInvitation.objects.get(email=email)
    if state == "expired":
        with tenant_a.context():
            WorkspaceInvitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now() - timedelta(days=9), expires_at=timezone.now() - timedelta(days=2))
        expected = 410
    elif state == "revoked":
        admin_client.post("/admin/raptorflow/workspaceinvitation/", {"action": "revoke_selected", "_selected_action": [invitation.pk]})
        expected = 410
    elif state == "used":
        client.post(link, {"full_name": "First", "password1": "a-long-own-choice-77", "password2": "a-long-own-choice-77"})
        client.logout()
        expected = 410
    elif state == "resent":
        admin_client.post("/admin/raptorflow/workspaceinvitation/", {"action": "resend_selected", "_selected_action": [invitation.pk]})
        expected = 404  # the old link died with the new one
    else:
        link = link.rstrip("/")[:-4] + "AAAA/"
        expected = 404
    users_before = User.objects.count()
    members_before = _members(tenant_a)

    assert client.get(link).status_code == expected
    response = client.post(link, {"full_name": "Late", "password1": "a-long-own-choice-77", "password2": "a-long-own-choice-77"})
    assert response.status_code == expected
    assert User.objects.count() == users_before and _members(tenant_a) == members_before


def _members(tenant):
    with tenant.context():
        return sorted(WorkspaceMember.objects.filter(workspace=tenant.workspace).values_list("user_id", "role"))


@pytest.mark.django_db
def test_another_workspaces_link_does_not_work_in_mine(tenant_a, tenant_b, invited, client):
    link = invited("someone@example.test")
    forged = link.replace(str(tenant_a.id), str(tenant_b.id))
    assert client.get(forged).status_code == 404


@pytest.mark.django_db
def test_an_admin_cannot_invite_an_owner_but_an_owner_can(tenant_a, client_for):
    admin_page = client_for(tenant_a.staff, tenant_a.workspace).get("/admin/raptorflow/workspaceinvitation/add/").content.decode()
    assert 'value="owner"' not in admin_page
    response = invite(client_for(tenant_a.staff, tenant_a.workspace), "boss@example.test", "owner")
    assert response.status_code == 200  # the form refuses the choice
    owner_staff = make_staff(tenant_a, "owner")
    assert 'value="owner"' in client_for(owner_staff, tenant_a.workspace).get("/admin/raptorflow/workspaceinvitation/add/").content.decode()


@pytest.mark.django_db
def test_inviting_a_member_again_is_refused_and_inviting_twice_resends(tenant_a, client_for, django_capture_on_commit_callbacks):
    client = client_for(tenant_a.staff, tenant_a.workspace)
    response = invite(client, tenant_a.marketer.email)
    assert response.status_code == 200 and "already a member of this workspace" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, "twice@example.test", "viewer")
        invite(client, "twice@example.test", "marketer")
    with tenant_a.context():
        invitations = list(WorkspaceInvitation.objects.filter(email="twice@example.test"))
    assert len(invitations) == 1 and invitations[0].role == "marketer" and invitations[0].send_count == 2
    assert len(mail.outbox) == 2


def test_concurrent_accepts_of_one_link_make_one_membership(committed_db, django_capture_on_commit_callbacks):
    tenant = make_tenant("Concurrent Co")
    person = make_user(email="racer@example.test")
    with workspace_context(tenant.id, user_id=tenant.staff.id):
        with django_capture_on_commit_callbacks(execute=True):
            services.invite(workspace=tenant.workspace, email=person.email, role="viewer", by=tenant.staff, base_url="http://testserver")
    token = sent_link(person.email).rstrip("/").rsplit("/", 1)[1]

    outcomes, barrier = [], threading.Barrier(4)

    def accept():
        try:
            barrier.wait()
            services.accept_invitation(workspace_id=tenant.id, token=token, user=person)
            outcomes.append("joined")
        except services.InvitationError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["joined", "used", "used", "used"]
    with workspace_context(tenant.id, user_id=tenant.owner.id):
        assert WorkspaceMember.objects.filter(user=person).count() == 1


# ---------------------------------------------------------------- workspaces admin for staff


@pytest.mark.django_db
def test_the_workspaces_admin_works_for_staff_and_lists_only_their_workspaces(tenant_a, tenant_b, client_for):
    client = client_for(tenant_a.staff, tenant_a.workspace)
    page = client.get("/admin/raptorflow/workspace/")
    assert page.status_code == 200
    assert tenant_a.workspace.name in page.content.decode() and tenant_b.workspace.name not in page.content.decode()
    autocomplete = client.get(
        "/admin/autocomplete/", {"app_label": "campaigns", "model_name": "campaign", "field_name": "positioning", "term": ""}
    )
    assert autocomplete.status_code == 200
    assert client.get(f"/admin/raptorflow/workspace/{tenant_b.id}/change/").status_code in (302, 404)
    # An admin renames their workspace; a viewer may look but not change it.
    response = client.post(f"/admin/raptorflow/workspace/{tenant_a.id}/change/", {"name": "Alpha Renamed"})
    assert response.status_code == 302
    viewer = make_staff(tenant_a, "viewer")
    assert client_for(viewer, tenant_a.workspace).post(f"/admin/raptorflow/workspace/{tenant_a.id}/change/", {"name": "Nope"}).status_code == 403
    with tenant_a.context():
        tenant_a.workspace.refresh_from_db()
    assert tenant_a.workspace.name == "Alpha Renamed"


@pytest.mark.django_db
def test_roles_module_matches_the_database_role_names():
    assert set(roles.ROLES) == set(WorkspaceMember.Role.values)


@pytest.mark.django_db
def test_sign_in_ignores_the_case_of_the_email(tenant_a, client):
    typed = "  " + tenant_a.marketer.email.upper() + " "
    response = client.post("/login/", {"username": typed, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/campaigns/").status_code == 200


@pytest.mark.django_db
def test_bulk_revoke_reports_changed_and_skipped(tenant_a, client_for, invited):
    invited("one@example.test")
    invited("two@example.test")
    client = client_for(tenant_a.staff, tenant_a.workspace)
    with tenant_a.context():
        ids = list(WorkspaceInvitation.objects.values_list("pk", flat=True))
    client.post("/admin/raptorflow/workspaceinvitation/", {"action": "revoke_selected", "_selected_action": ids[:1]})
    response = client.post(
        "/admin/raptorflow/workspaceinvitation/", {"action": "revoke_selected", "_selected_action": ids}, follow=True
    )
    text = _messages(response.content.decode())
    assert "Invitations revoked: 1." in text and "Skipped 1" in text
    with tenant_a.context():
        assert WorkspaceInvitation.objects.filter(revoked_at__isnull=False).count() == 2
