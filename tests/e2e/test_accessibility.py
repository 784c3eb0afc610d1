"""Accessibility basics on the main pages, and the main flow with the keyboard alone.

Every page: a non-empty <title> and exactly one <h1>. Every visible form field
(input, select, textarea; not buttons or hidden inputs) has an accessible name:
a <label for>, an enclosing <label>, aria-label or aria-labelledby.
A failure lists every page and field at fault, so one run shows them all.
"""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect

from tests.e2e.conftest import ACME, AUDIT_JS, sign_in

def audit(page, paths):
    problems = []
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, (path, response.status)
        found = page.evaluate(AUDIT_JS)
        if not found["title"]:
            problems.append(f"{path}: no <title>")
        if len(found["h1"]) != 1:
            problems.append(f"{path}: {len(found['h1'])} <h1> elements {found['h1']}")
        problems += [f"{path}: field without a label: {field}" for field in found["unlabelled"]]
    return problems


def first_href(page, path, selector):
    page.goto(path)
    return page.locator(selector).first.get_attribute("href")


def test_marketer_pages_have_a_title_one_h1_and_labelled_fields(page):
    problems = audit(page, ["/login/"])
    sign_in(page, ACME["marketer"])
    campaign = first_href(page, "/campaigns/", "tbody a")
    positioning = first_href(page, "/campaigns/positioning/", "main tbody a, main li a[href*='/positioning/']")
    paths = ["/workspaces/", "/campaigns/", "/campaigns/new/", campaign, campaign + "edit/", "/campaigns/positioning/",
             "/campaigns/positioning/new/"]
    if positioning:
        paths.append(positioning)
    problems += audit(page, paths)
    assert not problems, "accessibility problems:\n" + "\n".join(problems)


def test_admin_pages_have_a_title_one_h1_and_labelled_fields(page):
    sign_in(page, ACME["staff"], next_path="/admin/")
    agent = first_href(page, "/admin/agents/agent/", "#result_list a:text('chart')")
    insight = first_href(page, "/admin/intelligence/marketinsight/", "#result_list tbody a")
    achievement = first_href(page, "/admin/gamification/achievement/", "#result_list tbody th a")
    paths = [
        "/admin/",
        "/admin/gamification/achievement/", "/admin/gamification/achievement/add/",
        "/admin/gamification/achievement/leaderboard/", "/admin/gamification/userstats/",
        "/admin/gamification/userachievement/",
        "/admin/agents/agent/", agent,
        "/admin/alerts/systemalert/", "/admin/alerts/usernotification/",
        "/admin/intelligence/intelligencesignal/", "/admin/intelligence/marketinsight/",
        insight, achievement,
        "/admin/campaigns/campaign/", "/admin/raptorflow/cohort/add/",
    ]
    problems = audit(page, paths)
    assert not problems, "accessibility problems:\n" + "\n".join(problems)


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
    tab_to(page, "the email field", "el.id === 'id_username'")
    page.keyboard.type(ACME["marketer"])
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password"
    page.keyboard.type("raptorflow-demo")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Campaigns")

    tab_to(page, "the New campaign link", "el.textContent.trim() === 'New campaign'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("New campaign")
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
