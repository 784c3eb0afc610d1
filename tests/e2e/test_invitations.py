"""Issue 14's journey: invite a colleague, accept from the emailed link, sign in as them.

The invitation email is read from the folder gunicorn writes its mail to
(``latest_email``, tests/e2e/conftest.py). Every invited address is new per run.
Every page loaded is checked with ``assert_accessible`` (axe-core included).
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ACME, DEMO_PASSWORD, NORTHWIND, assert_accessible, latest_email, shot, sign_in

LINK_RE = re.compile(r"https?://[^\s/]+/invitations/[0-9a-f-]{36}/[^/\s]+/")
# One demo campaign of each workspace (campaigns/demo.py), in the default (not archived) list.
ACME_CAMPAIGN, NORTHWIND_CAMPAIGN = "Spring Trail Launch 2026", "Q2 CFO Roundtables"


def messages(page):
    return page.locator("ul.messages, ul.messagelist")


def h1(page):
    return page.get_by_role("heading", level=1)


def new_address() -> str:
    return f"colleague.{secrets.token_hex(4)}@acme.example"


def strong_password() -> str:
    return f"Granite-{secrets.token_hex(5)}-Ridge"


def admin_sign_in(page, email: str):
    """Sign in on the admin's own sign-in page, as staff do."""
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    assert_accessible(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("current-workspace")).to_be_visible()
    assert_accessible(page)


def invite(page, email: str, role: str) -> str:
    """As the signed-in admin: Invitations, Add, email and role, Save. Returns the emailed link."""
    page.goto("/admin/")
    assert_accessible(page)
    page.locator("#content-main").get_by_role("link", name="Invitations", exact=True).click()
    expect(h1(page)).to_contain_text("invitation")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Add invitation")).click()
    expect(page.get_by_label("Email address")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Role").select_option(label=role)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(messages(page)).to_contain_text(f"Invitation sent to {email}.")
    row = page.locator("#result_list tbody tr").filter(has_text=email)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Pending")
    assert_accessible(page)

    mail = latest_email(email)
    assert ACME["name"] in mail["Subject"], mail["Subject"]
    body = mail.get_body(preferencelist=("plain",)).get_content()
    links = LINK_RE.findall(body)
    assert len(links) == 1, body
    # The link points at the server the inviter used.
    assert urlsplit(links[0]).netloc == urlsplit(page.url).netloc, (links[0], page.url)
    return links[0]


def join_as_new_person(page, link: str, name: str, password: str, *, screenshot: str | None = None):
    """A new person opens the link, chooses a name and password, and joins."""
    response = page.goto(link)
    assert response.status == 200, response.status
    expect(h1(page)).to_have_text(f"Join {ACME['name']}")
    expect(page.get_by_role("button", name="Create account and join")).to_be_visible()
    assert_accessible(page)
    if screenshot:
        shot(page, screenshot)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Choose a password").fill(password)
    page.get_by_label("Repeat the password").fill(password)
    page.get_by_role("button", name="Create account and join").click()


def remove_member(page, email: str):
    """As the signed-in admin of the current workspace: delete the membership from Workspace members."""
    page.goto(f"/admin/raptorflow/workspacemember/?q={email}")
    row = page.locator("#result_list tbody tr").filter(has_text=email)
    expect(row).to_have_count(1)
    assert_accessible(page)
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option("delete_selected")
    page.locator("button[name=index]").click()
    expect(page.get_by_role("button", name=re.compile("Yes, I.m sure"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("Yes, I.m sure")).click()
    expect(messages(page)).to_contain_text("Successfully deleted 1")
    assert_accessible(page)


# ---------------------------------------------------------------- 1. a new colleague

def test_staff_invites_a_new_colleague_who_sets_a_password_from_the_email_and_signs_in_again(new_page):
    email, name, password = new_address(), "Nadia Brook", strong_password()

    # Sam, Acme's staff admin, invites a new address as marketer.
    admin = new_page()
    admin_sign_in(admin, ACME["staff"])
    expect(admin.get_by_test_id("current-workspace")).to_have_text(ACME["name"])
    link = invite(admin, email, "Marketer")

    # The colleague, in a browser of their own, opens the emailed link and creates the account.
    page = new_page()
    join_as_new_person(page, link, name, password, screenshot="invitation-new-account")
    expect(messages(page)).to_contain_text(f"Welcome to {ACME['name']}: you joined as marketer.")
    expect(h1(page)).to_have_text("Campaigns")
    expect(page.locator(".who")).to_contain_text(name)
    expect(page.locator(".who")).to_contain_text("Marketer")
    expect(page.get_by_label("Workspace")).to_have_value(re.compile(".+"))
    expect(page.locator("#workspace-switcher option")).to_have_text([ACME["name"]])
    expect(page.locator("main")).to_contain_text(ACME_CAMPAIGN)
    expect(page.get_by_role("link", name="New campaign")).to_be_visible()
    assert_accessible(page)

    # Sign out, and in again with the chosen password: Acme's campaigns, none of Northwind's.
    page.get_by_role("button", name="Sign out").click()
    expect(h1(page)).to_have_text("Sign in")
    assert_accessible(page)
    page.goto("/campaigns/")
    expect(page).to_have_url(re.compile(r"/login/"))
    assert_accessible(page)
    sign_in(page, email, password)
    expect(h1(page)).to_have_text("Campaigns")
    expect(page.locator(".who")).to_contain_text(f"{name} · Marketer")
    expect(page.locator("main")).to_contain_text(ACME_CAMPAIGN)
    expect(page.locator("main")).not_to_contain_text(NORTHWIND_CAMPAIGN)
    page.goto("/campaigns/?status=all")
    expect(page.locator("tbody tr").first).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(NORTHWIND_CAMPAIGN)
    assert_accessible(page)

    # The inviter's list shows the invitation accepted by them, and the member with the invited role.
    admin.goto(f"/admin/raptorflow/workspaceinvitation/?q={email}")
    expect(admin.locator("#result_list tbody tr").filter(has_text=email)).to_contain_text("Accepted")
    assert_accessible(admin)
    admin.goto(f"/admin/raptorflow/workspacemember/?q={email}")
    member = admin.locator("#result_list tbody tr").filter(has_text=email)
    expect(member).to_have_count(1)
    expect(member).to_contain_text(name)
    expect(member.locator("td.field-role")).to_have_text("Marketer")
    assert_accessible(admin)


# ---------------------------------------------------------------- 2. someone with an account elsewhere

@pytest.fixture
def lena_leaves_acme_if_the_test_fails(request, new_page):
    """Lena signs in to Acme first while she is a member there: the other journeys expect Northwind."""
    yield
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        page = new_page()
        admin_sign_in(page, ACME["staff"])
        page.goto(f"/admin/raptorflow/workspacemember/?q={NORTHWIND['marketer']}")
        if page.locator("#result_list tbody tr").filter(has_text=NORTHWIND["marketer"]).count():
            remove_member(page, NORTHWIND["marketer"])


def test_a_person_of_another_workspace_signs_in_from_the_link_and_joins_as_viewer(new_page, lena_leaves_acme_if_the_test_fails):
    lena = NORTHWIND["marketer"]
    admin = new_page()
    admin_sign_in(admin, ACME["staff"])
    expect(admin.get_by_test_id("current-workspace")).to_have_text(ACME["name"])
    # The answer is the same as for a new address: nothing says Lena has an account.
    link = invite(admin, lena, "Viewer")

    # Lena opens the link: she has an account, so she signs in first.
    page = new_page()
    page.goto(link)
    expect(h1(page)).to_have_text(f"Join {ACME['name']}")
    expect(page.get_by_role("button", name="Create account and join")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    assert_accessible(page)
    page.get_by_label("Email").fill(lena)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Back on the link, signed in: she accepts.
    expect(page).to_have_url(link)
    expect(h1(page)).to_have_text(f"Join {ACME['name']}")
    expect(page.locator("main")).to_contain_text("Sam Okafor invited you")
    expect(page.locator("main")).to_contain_text("as viewer")
    assert_accessible(page)
    shot(page, "invitation-accept")
    page.get_by_role("button", name="Accept and join").click()

    expect(messages(page)).to_contain_text(f"Welcome to {ACME['name']}: you joined as viewer.")
    expect(h1(page)).to_have_text("Campaigns")
    expect(page.locator(".who")).to_contain_text("Lena Fischer · Viewer")
    expect(page.get_by_label("Workspace")).to_have_value(re.compile(".+"))
    expect(page.locator("#workspace-switcher option:checked")).to_have_text(ACME["name"])
    expect(page.locator("#workspace-switcher option")).to_have_text([ACME["name"], NORTHWIND["name"]])
    expect(page.locator("main")).to_contain_text(ACME_CAMPAIGN)
    expect(page.locator("main")).not_to_contain_text(NORTHWIND_CAMPAIGN)
    # A viewer in Acme: no "New campaign".
    expect(page.locator("tbody tr").first).to_be_visible()
    expect(page.get_by_role("link", name="New campaign")).to_have_count(0)
    assert_accessible(page)

    # Switching back to Northwind, she is its marketer as before.
    with page.expect_navigation():
        page.get_by_label("Workspace").select_option(label=NORTHWIND["name"])
    expect(messages(page)).to_contain_text(f"You are now working in {NORTHWIND['name']}.")
    expect(page.locator(".who")).to_contain_text("Lena Fischer · Marketer")
    expect(page.locator("main")).to_contain_text(NORTHWIND_CAMPAIGN)
    expect(page.get_by_role("link", name="New campaign")).to_be_visible()
    assert_accessible(page)

    # Sam removes her from Acme again: her account and her Northwind membership stay.
    remove_member(admin, lena)
    again = new_page()
    sign_in(again, lena)
    expect(h1(again)).to_have_text("Campaigns")
    expect(again.locator("#workspace-switcher option")).to_have_text([NORTHWIND["name"]])
    expect(again.locator(".who")).to_contain_text("Lena Fischer · Marketer")


# ---------------------------------------------------------------- 3. the link after use

def _post(page, path: str, data: dict) -> int:
    """POST a form from the page's origin with its CSRF cookie, as a browser would; returns the status."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return page.evaluate(
        """async ([path, data, token]) => {
            const body = new URLSearchParams({csrfmiddlewaretoken: token, ...data});
            const r = await fetch(path, {method: 'POST', body, redirect: 'manual'});
            return r.status;
        }""",
        [path, data, token],
    )


def _expect_used(page, response):
    assert response.status == 410, response.status
    expect(h1(page)).to_have_text("This invitation cannot be used")
    expect(page.get_by_role("alert")).to_have_text("This invitation has already been used.")
    expect(page.locator("main form[method=post]")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("join", re.I))).to_have_count(0)
    assert_accessible(page)


def test_a_used_invitation_link_shows_already_used_and_changes_nothing(new_page):
    email, name, password = new_address(), "Owen Marsh", strong_password()
    admin = new_page()
    admin_sign_in(admin, ACME["staff"])
    link = invite(admin, email, "Viewer")
    path = urlsplit(link).path
    joined = new_page()
    join_as_new_person(joined, link, name, password)
    expect(messages(joined)).to_contain_text(f"Welcome to {ACME['name']}: you joined as viewer.")
    assert_accessible(joined)

    # The person who accepted opens it again: already used, and they stay a viewer.
    _expect_used(joined, joined.goto(link))
    shot(joined, "invitation-used")
    assert _post(joined, path, {}) == 410
    joined.goto("/")
    expect(joined.locator(".who")).to_contain_text(f"{name} · Viewer")
    assert_accessible(joined)

    # Someone else holding the link, signed out, cannot use it to create an account or set a password.
    stranger = new_page()
    _expect_used(stranger, stranger.goto(link))
    stranger.goto("/login/")  # a CSRF cookie, as any visitor has
    assert_accessible(stranger)
    attacker_password = strong_password()
    status = _post(stranger, path, {"full_name": "Mallory", "password1": attacker_password, "password2": attacker_password})
    assert status == 410, status
    stranger.get_by_label("Email").fill(email)
    stranger.get_by_label("Password").fill(attacker_password)
    stranger.get_by_role("button", name="Sign in").click()
    expect(stranger).to_have_url(re.compile(r"/login/"))
    expect(stranger.get_by_role("alert")).to_be_visible()
    assert_accessible(stranger)

    # Their own password still works; the inviter sees one acceptance and one membership, unchanged.
    sign_in(new_page(), email, password)
    admin.goto(f"/admin/raptorflow/workspaceinvitation/?q={email}")
    invitation = admin.locator("#result_list tbody tr").filter(has_text=email)
    expect(invitation).to_have_count(1)
    expect(invitation).to_contain_text("Accepted")
    expect(invitation).to_contain_text(name)
    assert_accessible(admin)
    admin.goto(f"/admin/raptorflow/workspacemember/?q={email}")
    member = admin.locator("#result_list tbody tr").filter(has_text=email)
    expect(member).to_have_count(1)
    expect(member).to_contain_text(name)
    expect(member.locator("td.field-role")).to_have_text("Viewer")
    assert_accessible(admin)

