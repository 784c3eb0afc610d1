"""Accessibility of every kind of page, and the main flow with the keyboard alone.

Each page is checked by ``accessibility_problems`` (tests/e2e/conftest.py): a
non-empty <title>, exactly one <h1>, every visible form field labelled, and no
critical or serious violation reported by axe-core (axe-playwright-python). The
journeys check each page they visit the same way; the tests here visit each
kind of page once, including those no journey reaches (every admin changelist,
add and change form, the custom admin pages, the action confirmation pages, the
password pages). A failure lists every page and problem at fault, so one run
shows them all.
"""

from __future__ import annotations

import re
import secrets
import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import ACME, SUPERUSER, accessibility_problems, assert_accessible, sign_in


def audit(page, paths, status=200):
    problems = []
    for path in paths:
        response = page.goto(path)
        if response.status != status:
            problems.append(f"{path}: HTTP {response.status}, expected {status}")
        problems += accessibility_problems(page)
    return problems


def first_href(page, path, selector):
    """The first link matching ``selector`` on ``path``; the caller checks ``path`` itself in its audit."""
    page.goto(path)
    link = page.locator(selector).first
    return link.get_attribute("href") if link.count() else None


def report(problems):
    assert not problems, f"{len(problems)} accessibility problems:\n" + "\n".join(problems)


# ---------------------------------------------------------------- pages signed out, marketer pages

def test_signed_out_pages_are_accessible(page):
    problems = audit(page, [
        "/login/", "/account/password-reset/", "/account/password-reset/sent/",
        "/account/password-reset/complete/",
        # A reset link that is not valid (any more): the page says so.
        "/account/password-reset/MQ/not-a-token/",
    ])
    # An invitation link that does not exist.
    problems += audit(page, [f"/invitations/{uuid.uuid4()}/not-a-token/"], status=404)
    # The sign-in page after a failed attempt: the error is shown next to the form.
    page.goto("/login/")
    page.get_by_label("Email").fill(ACME["marketer"])
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    problems += accessibility_problems(page)
    report(problems)


def test_marketer_pages_are_accessible(page):
    problems = []
    sign_in(page, ACME["marketer"], problems=problems)
    campaign = first_href(page, "/campaigns/", "tbody a")
    quest_edit = first_href(page, campaign, "#quests a[href$='/edit/']")
    positioning = first_href(page, "/campaigns/positioning/", "main tbody a, main li a[href*='/positioning/']")
    paths = [
        "/workspaces/", "/campaigns/", "/campaigns/?status=all", "/campaigns/?q=no-such-campaign-anywhere&status=all",
        "/campaigns/new/", campaign, campaign + "edit/", campaign + "archive/", quest_edit,
        "/campaigns/positioning/", "/campaigns/positioning/new/",
        "/account/password/", "/account/password/done/",
    ]
    if positioning:
        message_edit = first_href(page, positioning, "main a[href*='/messages/'][href$='/edit/']")
        message_delete = first_href(page, positioning, "main a[href*='/messages/'][href$='/delete/']")
        paths += [positioning, positioning + "edit/", positioning + "delete/", positioning + "messages/new/"]
        paths += [p for p in (message_edit, message_delete) if p]
    problems += audit(page, [p for p in paths if p])
    # Another workspace's page, or none at all: the 404 page.
    problems += audit(page, [f"/campaigns/{uuid.uuid4()}/"], status=404)

    # Forms showing their errors.
    page.goto("/campaigns/new/")
    page.locator("#id_name").fill(f"Accessible errors {secrets.token_hex(3)}")
    page.locator("#id_status").select_option("scheduled")
    page.locator("#id_budget").fill("-1")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.locator(".field-error").first).to_be_visible()
    problems += accessibility_problems(page)
    page.goto("/account/password/")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".field-error").first).to_be_visible()
    problems += accessibility_problems(page)
    report(problems)


def test_viewer_pages_and_the_refusal_are_accessible(page):
    problems = []
    sign_in(page, ACME["viewer"], problems=problems)
    campaign = first_href(page, "/campaigns/", "tbody a")
    problems += audit(page, ["/campaigns/", campaign, "/campaigns/positioning/"])
    problems += audit(page, ["/campaigns/new/", campaign + "edit/"], status=403)
    report(problems)


# ---------------------------------------------------------------- the admin

ADMIN_MODEL = re.compile(r"^/admin/(\w+)/(\w+)/$")


def _changelists(page):
    """Every model the signed-in person's admin index links to: (changelist, add form or None)."""
    page.goto("/admin/")
    links = page.locator("#content-main a[href^='/admin/']").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    lists = [h for h in dict.fromkeys(links) if ADMIN_MODEL.match(h)]
    return [(h, h + "add/" if h + "add/" in links else None) for h in lists]


def _first_object(page, changelist):
    """The change form of the first row of ``changelist`` (the page is checked), or None."""
    page.goto(changelist)
    problems = accessibility_problems(page)
    link = page.locator("#result_list tbody tr").first.locator("th a, td a[href$='/change/']").first
    return problems, (link.get_attribute("href") if link.count() else None)


def _action_page(page, changelist, action, rows=1):
    """Select the first ``rows`` rows of ``changelist``, run ``action``: its confirmation page."""
    page.goto(changelist)
    problems = accessibility_problems(page)
    boxes = page.locator("#result_list input.action-select")
    if boxes.count() < rows:
        return problems + [f"{changelist}: fewer than {rows} rows for the action {action}"]
    for i in range(rows):
        boxes.nth(i).check()
    page.locator("select[name=action]").select_option(action)
    with page.expect_navigation():
        page.locator("button[name=index]").click()
    expect(page.locator("#content h1, #content-main h1, h1").first).to_be_visible()
    return problems + accessibility_problems(page)


def test_every_admin_page_a_workspace_admin_uses_is_accessible(page):
    problems = []
    sign_in(page, ACME["staff"], next_path="/admin/", problems=problems)
    models = _changelists(page)
    assert len(models) >= 10, models
    changes = {}
    for changelist, add in models:
        found, changes[changelist] = _first_object(page, changelist)
        problems += found
        problems += audit(page, [p for p in (add, changes[changelist]) if p])
    # History and delete confirmation: the same templates for every model; one with related objects.
    campaign = changes["/admin/campaigns/campaign/"]
    problems += audit(page, [campaign.replace("/change/", "/history/"), campaign.replace("/change/", "/delete/")])

    # The custom pages.
    agent = first_href(page, "/admin/agents/agent/", "#result_list a:text('chart')")
    problems += audit(page, [
        agent, "/admin/gamification/achievement/leaderboard/", "/admin/password_change/",
        "/admin/alerts/systemalert/?status__exact=open", "/admin/campaigns/campaign/?q=no-such-campaign-anywhere",
    ])
    # The confirmation pages of the admin actions that have one.
    for changelist, action, rows in (
        ("/admin/alerts/systemalert/", "acknowledge_selected", 2),
        ("/admin/alerts/systemalert/", "resolve_selected", 2),
        ("/admin/gamification/achievement/", "award_to_users", 1),
        ("/admin/intelligence/intelligencesignal/", "synthesize_insight", 2),
        ("/admin/campaigns/campaign/", "delete_selected", 1),
    ):
        problems += _action_page(page, changelist, action, rows)
    report(problems)


def test_the_admin_pages_only_a_platform_superuser_sees_are_accessible(page):
    problems = []
    sign_in(page, SUPERUSER, next_path="/admin/", problems=problems)
    for changelist, add in _changelists(page):
        if not changelist.startswith(("/admin/raptorflow/user/", "/admin/auth/", "/admin/raptorflow/group/",
                                      "/admin/raptorflow/workspace/")):
            continue
        found, change = _first_object(page, changelist)
        problems += found
        problems += audit(page, [p for p in (add, change) if p])
    report(problems)


# ---------------------------------------------------------------- the keyboard alone

def tab_to(page, description, predicate_js, limit=80):
    """Press Tab until the focused element matches; fail after ``limit`` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate_js})(document.activeElement)"):
            return
    raise AssertionError(f"{description} never got the keyboard focus after {limit} Tab presses")


def test_sign_in_and_create_a_campaign_with_the_keyboard_alone(page):
    name = f"Keyboard campaign {secrets.token_hex(3)}"
    page.goto("/login/")
    assert_accessible(page)
    tab_to(page, "the email field", "el.id === 'id_username'")
    page.keyboard.type(ACME["marketer"])
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password"
    page.keyboard.type("raptorflow-demo")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Campaigns")
    assert_accessible(page)

    tab_to(page, "the New campaign link", "el.textContent.trim() === 'New campaign'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("New campaign")
    assert_accessible(page)
    tab_to(page, "the name field", "el.id === 'id_name'")
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_objective"
    page.keyboard.type("Made without a mouse.")
    tab_to(page, "the email channel", "el.type === 'checkbox' && el.value === 'email'")
    page.keyboard.press("Space")
    tab_to(page, "the Create campaign button", "el.textContent.trim() === 'Create campaign'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("ul.messages")).to_contain_text(f"Campaign \u201c{name}\u201d created.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    expect(page.locator("dl.facts")).to_contain_text(re.compile("email", re.I))
    assert_accessible(page)
