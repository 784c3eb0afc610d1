"""What a new user tripped on (issue 17), seen in Chromium on the demo data: layout, colours, sign-out, icon.

The unit tests (tests/test_journey_fixes.py) cover the rules; these check what the browser
actually lays out and paints.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import ACME, assert_accessible, sign_in

PHONE = {"width": 390, "height": 844}

# WCAG 2 contrast of two computed CSS colours ("rgb(r, g, b)"), in the page.
CONTRAST_JS = """el => {
  const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = rgb(c).map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
                     return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const style = getComputedStyle(el);
  const [a, b] = [lum(style.color), lum(style.backgroundColor)].sort((x, y) => y - x);
  return {text: el.textContent.trim(), color: style.color, background: style.backgroundColor, ratio: (a + 0.05) / (b + 0.05)};
}"""


def _page_width(page):
    return page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")


def test_campaign_list_fits_a_390px_phone_and_its_table_scrolls_in_place(page):
    page.set_viewport_size(PHONE)
    sign_in(page, ACME["marketer"], next_path="/campaigns/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Campaigns")
    scroll_width, width = _page_width(page)
    assert scroll_width <= width == 390, f"the page is {scroll_width}px wide on a {width}px screen"
    table = page.locator("main table")
    inner, shown = table.evaluate("t => [t.scrollWidth, t.clientWidth]")
    assert inner > shown  # the table's columns are there, scrolled sideways inside the card
    assert table.evaluate("t => getComputedStyle(t).overflowX") == "auto"


def test_sign_out_from_the_address_bar_asks_then_says_so(page):
    sign_in(page, ACME["marketer"])
    page.goto("/logout/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign out")
    assert_accessible(page)
    page.locator("main").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.locator("ul.messages")).to_have_text("You are signed out.")
    assert_accessible(page)


def test_signing_out_of_the_admin_lands_on_its_sign_in_saying_so(page):
    sign_in(page, ACME["staff"], next_path="/admin/")
    page.locator("#logout-form").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/admin/login/$"))
    expect(page.locator("ul.messagelist")).to_have_text("You are signed out.")
    assert_accessible(page)


def test_no_page_asks_for_a_missing_favicon(page):
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    sign_in(page, ACME["staff"], next_path="/campaigns/")
    page.goto("/admin/")
    assert_accessible(page)
    icon = page.evaluate("document.querySelector('link[rel=icon]').href")
    assert page.request.get(icon).status == 200
    assert page.request.get("/favicon.ico").status == 200  # redirected to the same icon
    assert not missing, missing


def test_viewers_forbidden_page_keeps_the_header_and_navigation(page):
    sign_in(page, ACME["viewer"])
    response = page.goto("/campaigns/new/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns")).to_be_visible()
    expect(page.locator("#workspace-switcher")).to_have_value(re.compile(r".+"))
    assert_accessible(page)


def test_open_alert_badges_on_the_admin_index_pass_wcag_aa(page):
    sign_in(page, ACME["staff"], next_path="/admin/")
    badges = page.get_by_test_id("open-alerts").locator("a.rf-sev")
    expect(badges.first).to_be_visible()
    for n in range(badges.count()):
        badge = badges.nth(n)
        found = badge.evaluate(CONTRAST_JS)
        assert found["ratio"] >= 4.5, found
        badge.hover()  # the admin's a:hover colour must not win either
        found = badge.evaluate(CONTRAST_JS)
        assert found["ratio"] >= 4.5, found


def test_agent_registry_fits_1280px_with_navigation_and_filters_open(page):
    sign_in(page, ACME["staff"], next_path="/admin/agents/agent/")
    expect(page.locator("#nav-sidebar")).to_be_visible()
    expect(page.locator("#changelist-filter")).to_be_visible()
    for query in ("", "?o=-6", "?o=3.-5.7"):  # sorted columns carry their sort controls too
        if query:
            page.goto(f"/admin/agents/agent/{query}")
            assert_accessible(page)
        results = page.locator("#changelist-form .results")
        inner, shown = results.evaluate("r => [r.scrollWidth, r.clientWidth]")
        assert inner <= shown, f"{query or 'default order'}: the table is {inner}px in a {shown}px box"
        viewport = page.viewport_size["width"]
        for column in ("tokens_col", "cost_col", "performance_link"):
            box = page.locator(f"#result_list thead th.column-{column}").bounding_box()
            assert box["x"] + box["width"] <= viewport, (query, column, box)
    # Three demo agents are flagged, each saying why under its name.
    page.goto("/admin/agents/agent/?underperforming=yes")
    assert_accessible(page)
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.locator(".rf-reasons")).to_have_text([re.compile(r"^(p95 [\d,]+ ms|success [\d.]+%)$")] * 3)
