"""The five journeys of issue 11, in a real browser, asserting what the person sees.

Every page a journey loads is checked with ``assert_accessible`` while it is displayed
(axe-core included). The problems found fail the test once the journey has run to its end,
all listed; so does a page loaded but never checked (tests/e2e/conftest.py).
"""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect

from tests.e2e.conftest import ACME, NORTHWIND, assert_accessible, shot, sign_in

TODAY_RE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def messages(page):
    return page.locator("ul.messages, ul.messagelist")


def h1(page):
    return page.get_by_role("heading", level=1)


# ---------------------------------------------------------------- 1. marketer

def test_marketer_builds_a_campaign_and_the_other_workspace_sees_none_of_it(new_page):
    name = f"Summit Launch {secrets.token_hex(3)}"
    page = new_page()
    sign_in(page, ACME["marketer"], next_path="/workspaces/")

    # Pick a workspace: Maya belongs to two.
    expect(h1(page)).to_have_text("Choose a workspace")
    expect(page.get_by_role("button", name=NORTHWIND["name"])).to_be_visible()
    page.get_by_role("button", name=ACME["name"]).click()
    expect(messages(page)).to_contain_text(f"You are now working in {ACME['name']}.")
    expect(page.locator(".who")).to_contain_text("Marketer")
    expect(h1(page)).to_have_text("Campaigns")
    assert_accessible(page)
    shot(page, "campaign-list")
    # A running demo campaign's page: positioning, messaging, its quest tree and cohorts.
    page.locator("tbody tr").filter(has_text="Active").first.locator("a").first.click()
    expect(page.locator("#quests .quest-title").first).to_be_visible()
    assert_accessible(page)
    shot(page, "campaign-detail")
    page.go_back()

    # Create, with a validation error corrected on the page.
    page.get_by_role("link", name="New campaign").click()
    expect(h1(page)).to_have_text("New campaign")
    assert_accessible(page)
    page.locator("#id_name").fill(name)
    page.locator("#id_objective").fill("Open the summer season with a guided summit weekend.")
    page.locator("#id_status").select_option("scheduled")
    page.locator("#id_budget").fill("-50")
    page.get_by_label("Email").check()
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("alert").first).to_contain_text("Please correct the fields marked below.")
    assert_accessible(page)
    expect(page.locator(".field-error")).to_have_count(2)
    expect(page.locator(".field-error").filter(has=page.locator("#id_budget"))).to_contain_text("The budget cannot be negative.")
    expect(page.locator(".field-error").filter(has=page.locator("#id_starts_at"))).to_contain_text("A scheduled campaign needs a start date.")
    # What was typed is still there; correct the two fields only.
    expect(page.locator("#id_name")).to_have_value(name)
    page.locator("#id_budget").fill("15000")
    page.locator("#id_starts_at").fill("2027-06-01T09:00")
    page.locator("#id_ends_at").fill("2027-06-30T18:00")
    page.get_by_role("button", name="Create campaign").click()
    expect(messages(page)).to_contain_text(f"Campaign \u201c{name}\u201d created.")
    expect(h1(page)).to_contain_text(name)
    expect(h1(page)).to_contain_text("Scheduled")
    expect(page.locator("dl.facts")).to_contain_text("15,000.00")
    assert_accessible(page)
    detail_url = page.url

    # Nested quests: three levels.
    for title, parent in (("Plan the summit weekend", None), ("Book the mountain hut", "Plan the summit weekend"), ("Confirm the guides", "Book the mountain hut")):
        page.locator("#id_quest-title").fill(title)
        if parent:
            page.locator("#id_quest-parent").select_option(label=parent)
        page.locator("#id_quest-xp_reward").fill("40")
        page.get_by_role("button", name="Add quest").click()
        expect(messages(page)).to_contain_text(f"Quest \u201c{title}\u201d added.")
    top = page.locator("ul.quest-tree > li")
    expect(top).to_have_count(1)
    expect(top.locator(".quest-title").first).to_have_text("Plan the summit weekend")
    child = top.locator(":scope > ul > li")
    expect(child).to_have_count(1)
    expect(child.locator(".quest-title").first).to_have_text("Book the mountain hut")
    grandchild = child.locator(":scope > ul > li")
    expect(grandchild.locator(".quest-title")).to_have_text("Confirm the guides")
    expect(page.locator("#quests")).to_contain_text("0 of 3 completed · 120 XP in total")
    assert_accessible(page)

    # Target two cohorts.
    for cohort, role in (("Trail runners EU", "primary"), ("Weekend campers", "secondary")):
        option = page.locator("#id_cohort-cohort option").filter(has_text=cohort)
        page.locator("#id_cohort-cohort").select_option(option.get_attribute("value"))
        page.locator("#id_cohort-role").select_option(role)
        page.get_by_role("button", name="Add cohort").click()
        expect(messages(page)).to_contain_text(f"Now targeting \u201c{cohort}\u201d as {role}.")
    rows = page.locator("#cohorts tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Trail runners EU")).to_contain_text("Primary")
    expect(rows.filter(has_text="Weekend campers")).to_contain_text("Secondary")
    assert_accessible(page)
    shot(page, "campaign-detail-new", full_page=True)

    # The list shows it with its quests and cohorts.
    page.get_by_role("link", name="Campaigns", exact=True).first.click()
    row = page.locator("tbody tr").filter(has_text=name)
    expect(row).to_contain_text("Scheduled")
    expect(row).to_contain_text("0/3")
    expect(row.locator("td").last).to_have_text("2")
    assert_accessible(page)

    # Archive: it leaves the default list, stays under "all".
    row.get_by_role("link", name=name).click()
    expect(h1(page)).to_contain_text(name)
    assert_accessible(page)
    page.get_by_role("link", name="Archive").click()
    expect(h1(page)).to_have_text(f"Archive \u201c{name}\u201d?")
    assert_accessible(page)
    page.get_by_role("button", name="Archive campaign").click()
    expect(messages(page)).to_contain_text(f"Campaign \u201c{name}\u201d archived.")
    expect(page.locator("tbody")).not_to_contain_text(name)
    assert_accessible(page)
    page.locator("#campaign-status").select_option("all")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody tr").filter(has_text=name)).to_contain_text("Archived")
    assert_accessible(page)

    # Northwind's marketer sees none of it: not in any list, the page itself is a 404, no Acme cohort.
    other = new_page()
    sign_in(other, NORTHWIND["marketer"])
    expect(other.locator(".session select")).to_have_value(re.compile(".+"))
    expect(other.locator("#workspace-switcher option:checked")).to_have_text(NORTHWIND["name"])
    expect(h1(other)).to_have_text("Campaigns")
    expect(other.locator("main")).not_to_contain_text(name)
    other.goto("/campaigns/?status=all")
    expect(other.locator("tbody tr").first).to_be_visible()
    expect(other.locator("main")).not_to_contain_text(name)
    assert_accessible(other)
    other.goto("/campaigns/?q=Summit&status=all")
    expect(other.locator("main")).to_contain_text("No campaign matches these filters.")
    assert_accessible(other)
    response = other.goto(detail_url)
    assert response.status == 404
    expect(other.locator("body")).not_to_contain_text(name)
    assert_accessible(other)
    other.goto("/campaigns/")
    assert_accessible(other)
    other.locator("tbody a").first.click()
    expect(other.locator("#id_cohort-cohort")).not_to_contain_text("Trail runners EU")
    assert_accessible(other)


# ---------------------------------------------------------------- 2. staff: workspace, achievement, award, level

def _level_of(page, email):
    page.goto(f"/admin/gamification/userstats/?q={email}")
    row = page.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    assert_accessible(page)
    return int(row.locator("td.field-level").inner_text())


def test_staff_switches_workspace_creates_and_awards_an_achievement_and_the_member_levels_up(page, e2e_db):
    code = f"summit-hero-{secrets.token_hex(2)}"
    member = NORTHWIND["viewer"]
    sign_in(page, ACME["staff"], next_path="/admin/")
    expect(page.get_by_test_id("current-workspace")).to_have_text(ACME["name"])

    # Switch in the admin header.
    with page.expect_navigation():
        page.locator("#rf-workspace").select_option(label=NORTHWIND["name"])
    expect(page.get_by_test_id("current-workspace")).to_have_text(NORTHWIND["name"])
    expect(page.locator("ul.messagelist")).to_contain_text(f"You are now working in {NORTHWIND['name']}.")
    assert_accessible(page)

    before = _level_of(page, member)
    assert before == e2e_db.task("level", member, NORTHWIND["slug"])["level"]

    # Create an achievement.
    page.goto("/admin/gamification/achievement/add/")
    assert_accessible(page)
    page.locator("#id_code").fill(code)
    page.locator("#id_name").fill("Summit hero")
    page.locator("#id_description").fill("Led a summit weekend from plan to peak.")
    page.locator("#id_rarity").select_option("epic")
    page.locator("#id_xp_reward").fill("1500")
    page.locator("#id_target_value").fill("1")
    page.locator("#id_criteria").fill('{"event": "manual", "count": 1}')
    page.locator("input[name=_save]").click()
    expect(page.locator("ul.messagelist")).to_contain_text("was added successfully")
    row = page.locator("#result_list tbody tr").filter(has_text="Summit hero")
    expect(row).to_contain_text(code)
    expect(row.locator("td.field-unlock_count")).to_have_text("0")
    assert_accessible(page)
    shot(page, "achievement-admin")

    # Award it through the action.
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option("award_to_users")
    page.locator("button[name=index]").click()
    expect(h1(page)).to_have_text("Award achievements")
    expect(page.locator("#content")).to_contain_text("Summit hero")
    assert_accessible(page)
    page.get_by_label("Ivan Novak").check()
    page.get_by_role("button", name="Award").click()
    expect(page.locator("ul.messagelist")).to_contain_text("1 achievement awarded.")
    expect(page.locator("#result_list tbody tr").filter(has_text="Summit hero").locator("td.field-unlock_count")).to_have_text("1")
    assert_accessible(page)

    # The member's level went up on their stats page.
    after = _level_of(page, member)
    assert after > before, (before, after)
    expect(page.locator("#result_list tbody tr td.field-level")).to_have_text(str(after))
    assert after == e2e_db.task("level", member, NORTHWIND["slug"])["level"]
    shot(page, "member-levels")


# ---------------------------------------------------------------- 3. staff: agent performance chart

def test_staff_sees_the_agent_performance_chart_drawn_from_recorded_executions(page):
    sign_in(page, ACME["staff"], next_path="/admin/agents/agent/")
    rows = page.locator("#result_list tbody tr")
    busy = rows.filter(has_not=page.locator("td.field-executions_col", has_text=re.compile(r"^0$")))
    expect(busy.first).to_be_visible()
    name = busy.first.locator("th, td.field-name_link").first.inner_text()
    busy.first.get_by_role("link", name="chart").click()
    expect(h1(page)).to_contain_text(f"Performance of {name}")
    assert_accessible(page)

    chart = page.locator("svg.rf-agent-chart")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 100, box
    total = int(page.locator("#total-executions").inner_text().replace(",", ""))
    assert total > 0
    bars = chart.locator("rect.rf-bar")
    expect(bars).to_have_count(30)
    # Each bar's tooltip says its day's executions; they add up to the total, and drawn bars have height.
    titles = bars.locator("title").all_text_contents()
    per_day = [int(re.match(r"\d{4}-\d{2}-\d{2}: ([\d,]+) executions", t).group(1).replace(",", "")) for t in titles]
    assert sum(per_day) == total
    heights = [float(h) for h in bars.evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")]
    assert all((h > 0) == (n > 0) for h, n in zip(heights, per_day)), list(zip(per_day, heights))
    assert max(heights) > 50
    # The daily table lists the same days with executions.
    expect(page.locator("#rf-daily tbody tr")).to_have_count(sum(1 for n in per_day if n))
    shot(page, "agent-performance")


# ---------------------------------------------------------------- 4. staff: alerts, bulk acknowledge and resolve

def _open_alerts(page):
    page.goto("/admin/")
    panel = page.get_by_test_id("open-alerts")
    expect(panel).to_be_visible()
    assert_accessible(page)
    text = panel.inner_text()
    match = re.search(r"(\d+) open alerts?", text)
    return 0 if match is None and "No open alerts." in text else int(match.group(1))


def _badge(page):
    return int(page.locator("[data-testid=notifications] .rf-badge").inner_text())


def test_staff_acknowledges_then_resolves_two_alerts_and_sees_counts_fall(page, e2e_db):
    token = secrets.token_hex(3)
    sign_in(page, ACME["staff"], next_path="/admin/")
    open_before = _open_alerts(page)
    badge_before = _badge(page)

    # The system raises two serious alerts: the header badge counts two new notifications.
    titles = [f"Checkout latency over 5 s {token}", f"Payment webhook failures {token}"]
    e2e_db.task("raise_alert", ACME["slug"], "critical", "checkout", titles[0])
    e2e_db.task("raise_alert", ACME["slug"], "error", "payments", titles[1])
    assert _open_alerts(page) == open_before + 2
    expect(page.locator("[data-testid=notifications] .rf-badge")).to_have_text(str(badge_before + 2))

    page.goto(f"/admin/alerts/systemalert/?q={token}")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.locator("td.field-status_badge")).to_have_text(["Open", "Open"])
    assert_accessible(page)
    shot(page, "alert-list-open")

    # Acknowledge both.
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("acknowledge_selected")
    page.locator("button[name=index]").click()
    expect(page.locator("#content")).to_contain_text("2 alerts will change; you (Sam Okafor) will be recorded with the current time.")
    assert_accessible(page)
    page.get_by_role("button", name="Acknowledge alerts").click()
    expect(page.locator("ul.messagelist")).to_contain_text("Acknowledged 2 alerts.")
    expect(rows.locator("td.field-status_badge")).to_have_text(["Acknowledged", "Acknowledged"])
    for cell in rows.locator("td.field-acknowledged").all():
        expect(cell).to_contain_text("Sam Okafor")
        expect(cell).to_contain_text(TODAY_RE)
    assert_accessible(page)
    assert _open_alerts(page) == open_before

    # Then resolve both, with a note.
    page.goto(f"/admin/alerts/systemalert/?q={token}")
    assert_accessible(page)
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("resolve_selected")
    page.locator("button[name=index]").click()
    assert_accessible(page)
    page.get_by_label("Resolution note").fill("Rolled back the payment provider SDK.")
    page.get_by_role("button", name="Resolve alerts").click()
    expect(page.locator("ul.messagelist")).to_contain_text("Resolved 2 alerts.")
    expect(rows.locator("td.field-status_badge")).to_have_text(["Resolved", "Resolved"])
    for cell in rows.locator("td.field-resolved").all():
        expect(cell).to_contain_text("Sam Okafor")
        expect(cell).to_contain_text(TODAY_RE)
    assert_accessible(page)
    shot(page, "alert-list-resolved")
    assert _open_alerts(page) == open_before

    # The badge: reading the two notifications brings it back down.
    page.locator("[data-testid=notifications]").click()
    unread = page.locator("#result_list tbody tr").filter(has_text=token)
    expect(unread).to_have_count(2)
    assert_accessible(page)
    for title in titles:
        page.locator("#result_list a").filter(has_text=title).first.click()
        expect(page.locator("#content")).to_contain_text(title)
        assert_accessible(page)
        page.go_back()
    page.goto("/admin/")
    expect(page.locator("[data-testid=notifications] .rf-badge")).to_have_text(str(badge_before))
    assert_accessible(page)
    page.goto("/admin/alerts/systemalert/")
    expect(page.locator("#result_list tbody tr").first).to_be_visible()
    assert_accessible(page)
    shot(page, "alert-list")


# ---------------------------------------------------------------- 5. viewer

WRITE_WORDS = re.compile(r"^(New campaign|Create|Edit|Archive|Add|Save|Delete|Complete|Reopen|Remove|New)", re.I)


def test_viewer_sees_no_write_button_and_a_direct_post_is_refused(page):
    sign_in(page, ACME["viewer"])
    expect(page.locator(".who")).to_contain_text("Viewer")
    expect(h1(page)).to_have_text("Campaigns")
    expect(page.locator("tbody tr").first).to_be_visible()
    expect(page.get_by_role("link", name="New campaign")).to_have_count(0)

    page.locator("tbody a").first.click()
    campaign = page.url
    expect(page.locator("#quests")).to_be_visible()
    assert_accessible(page)
    controls = page.locator("main").locator("a.button, button, input[type=submit]")
    labels = [t.strip() for t in controls.all_inner_texts()]
    assert not [t for t in labels if WRITE_WORDS.match(t)], labels
    expect(page.locator("main form[method=post]")).to_have_count(0)
    expect(page.get_by_role("button", name="Add quest")).to_have_count(0)

    # A direct POST from the signed-in browser, with a valid CSRF token, is refused by the server.
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken") if any(
        c["name"] == "csrftoken" for c in page.context.cookies()
    ) else page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    for path, data in (
        ("/campaigns/new/", {"name": "Viewer was here", "status": "draft"}),
        (campaign + "archive/", {}),
        (campaign + "quests/add/", {"quest-title": "Viewer quest", "quest-xp_reward": "1"}),
    ):
        result = page.evaluate(
            """async ([path, data, token]) => {
                const body = new URLSearchParams({csrfmiddlewaretoken: token, ...data});
                const r = await fetch(path, {method: 'POST', body, headers: {'X-CSRFToken': token}, redirect: 'manual'});
                return {status: r.status, text: await r.text()};
            }""",
            [path, data, token],
        )
        assert result["status"] == 403, (path, result["status"])
        assert "can read campaigns but not change them" in result["text"], result["text"][:500]

    page.goto("/campaigns/?status=all")
    expect(page.locator("main")).not_to_contain_text("Viewer was here")
    assert_accessible(page)
    page.goto(campaign)
    expect(h1(page)).not_to_contain_text("Archived")
    expect(page.locator("#quests")).not_to_contain_text("Viewer quest")
    assert_accessible(page)
