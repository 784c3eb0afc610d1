"""What a new user tripped on in the marketer pages and the admin (issue 17), one test each.

Every request goes through the test client as the RLS-bound web role (conftest.py).
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- admin: headings


def test_admin_section_headings_carry_no_migration_numbers(tenant_a, client_for):
    page = client_for(tenant_a.staff, tenant_a.workspace).get("/admin/").content.decode()
    for heading in ("Agents", "Alerts", "Campaigns", "Gamification", "Market intelligence"):
        assert f">{heading}</a>" in page
    assert not re.search(r"\(01[3-7]\)", page)


# ---------------------------------------------------------------- marketer pages


def test_get_logout_shows_a_sign_out_button_and_post_signs_out_with_a_message(tenant_a, client_for):
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    page = client.get("/logout/")
    assert page.status_code == 200
    html = page.content.decode()
    # A form that POSTs (with the CSRF token) to the same URL: a GET alone signs nobody out.
    assert re.search(r'<form method="post" action="/logout/">\s*<input type="hidden" name="csrfmiddlewaretoken"', html)
    assert client.get("/campaigns/").status_code == 200

    response = client.post("/logout/", follow=True)
    assert response.redirect_chain == [("/login/", 302)]
    assert "You are signed out." in response.content.decode()
    assert client.get("/campaigns/").status_code == 302  # to the sign-in page


def test_signing_out_of_the_admin_lands_on_the_admin_sign_in_saying_so(tenant_a, client_for):
    client = client_for(tenant_a.staff, tenant_a.workspace)
    assert client.get("/admin/logout/").status_code == 200
    response = client.post("/admin/logout/", follow=True)
    assert response.redirect_chain == [("/admin/login/", 302)]
    assert "You are signed out." in response.content.decode()
    assert "<h1>Log in</h1>" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_signed_out_get_logout_goes_to_the_sign_in_page(client):
    assert client.get("/logout/")["Location"] == "/login/"


def test_favicon_is_a_real_icon_linked_from_pages_and_admin(tenant_a, client_for):
    from django.contrib.staticfiles import finders

    client = client_for(tenant_a.staff, tenant_a.workspace)
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/favicon.svg"
    icon = finders.find("favicon.svg")
    assert icon and open(icon).read().lstrip().startswith("<svg")
    link = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'
    for path in ("/campaigns/", "/admin/", "/login/", "/admin/login/"):
        page = (client if not path.endswith("login/") else type(client)()).get(path).content.decode()
        assert link in page, path


def test_viewers_403_page_has_the_header_and_navigation(tenant_a, client_for):
    response = client_for(tenant_a.viewer, tenant_a.workspace).get("/campaigns/new/")
    assert response.status_code == 403
    html = response.content.decode()
    assert '<header class="topbar">' in html
    assert 'href="/campaigns/"' in html and 'href="/campaigns/positioning/"' in html
    assert tenant_a.workspace.name in html and "Viewer" in html  # the switcher and who is signed in
    assert re.search(r'action="/logout/".*name="csrfmiddlewaretoken" value="\w+"', html, re.S)
    assert "read-only" in html.lower() or "not allowed" in html.lower()


def test_403_of_a_database_refusal_has_the_header_and_runs_no_query_after_the_error(tenant_a, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # A workspace the user is not a member of, named in the session: the middleware refuses.
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    response = client.get("/", HTTP_X_WORKSPACE_ID="00000000-0000-0000-0000-000000000000")
    assert response.status_code == 403
    assert '<header class="topbar">' in response.content.decode()
    assert "You are not a member of that workspace." in response.content.decode()

    # Rendering the page itself runs no query.
    from django.test import RequestFactory

    from raptorflow.middleware import forbidden

    request = RequestFactory().get("/")
    request.user, request.workspace, request.membership, request.memberships = tenant_a.marketer, None, None, []
    with CaptureQueriesContext(connection) as queries:
        page = forbidden("No.", request)
    assert page.status_code == 403 and "No." in page.content.decode() and len(queries) == 0


def test_campaign_table_scrolls_inside_its_card_on_a_phone():
    # The rule a 390 px wide screen gets (measured in tests/e2e/test_journey_fixes.py).
    css = _css_rules("static/raptorflow/style.css", media="(max-width: 720px)")
    assert {"display": "block", "overflow-x": "auto", "max-width": "100%"}.items() <= css["main table"].items()


# ---------------------------------------------------------------- admin: colours


def _css_rules(path, media=None):
    """{selector: {property: value}} of a stylesheet (of one @media block when ``media`` is given)."""
    from django.conf import settings

    text = re.sub(r"/\*.*?\*/", "", (settings.BASE_DIR / path).read_text(), flags=re.S)
    if media is not None:
        start = text.index("{", text.index(f"@media {media}")) + 1
        depth, end = 1, start
        while depth:
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
        text = text[start : end - 1]
    else:
        text = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", text)
    rules = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        declarations = dict(
            (name.strip(), value.strip()) for name, value in (d.split(":", 1) for d in body.split(";") if ":" in d)
        )
        for selector in selectors.split(","):
            rules.setdefault(" ".join(selector.split()), {}).update(declarations)
    return rules


def _contrast(foreground, background):
    """WCAG 2 contrast ratio of two #rgb / #rrggbb colours."""

    def luminance(colour):
        colour = colour.lstrip("#")
        if len(colour) == 3:
            colour = "".join(c * 2 for c in colour)
        channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_helper_matches_known_wcag_ratios():
    assert round(_contrast("#000", "#fff"), 1) == 21.0
    assert 1.3 < _contrast("#417893", "#b3261e") < 1.4  # the admin's link blue on the critical red


@pytest.mark.parametrize("severity", ["info", "warning", "error", "critical"])
def test_severity_badges_pass_wcag_aa_also_as_links(severity):
    rules = _css_rules("static/alerts/admin.css")
    # Django's admin colours every a:link, a:visited, a:hover, a:focus; a badge that is a link
    # (the open alerts on the admin index) must keep its own colours in each state.
    for selector in (f".rf-sev-{severity}", *(f"a.rf-sev-{severity}:{state}" for state in ("link", "visited", "hover", "focus"))):
        rule = rules.get(selector)
        assert rule is not None, f"no rule for {selector}"
        assert _contrast(rule["color"], rule["background"]) >= 4.5, (selector, rule)


def test_notification_badge_in_the_admin_header_passes_wcag_aa():
    from django.conf import settings

    rules = _css_rules("static/raptorflow/admin.css")
    for selector in (".rf-badge", ".rf-has-unread .rf-badge"):
        assert _contrast(rules[selector]["color"], rules[selector]["background"]) >= 4.5, selector
    header = (settings.BASE_DIR / "templates/admin/_header_extras.html").read_text()
    assert "style=" not in header  # the colours come from the stylesheet, not inline


# ---------------------------------------------------------------- admin: header and workspace


def _user_tools(html):
    return re.search(r'<div id="user-tools".*?</form>', html, re.S).group(0)


def test_admin_header_names_the_workspace_once(tenant_a, tenant_b, client_for):
    from tests.factories import add_member

    page = client_for(tenant_a.staff, tenant_a.workspace).get("/admin/").content.decode()
    assert _user_tools(page).count(tenant_a.workspace.name) == 1
    assert f'data-testid="current-workspace">{tenant_a.workspace.name}<' in page

    # A member of two workspaces: the current one named once, the other offered by the switcher.
    add_member(tenant_b.workspace, tenant_a.staff, "admin")
    page = client_for(tenant_a.staff, tenant_a.workspace).get("/admin/").content.decode()
    tools = _user_tools(page)
    assert tools.count(tenant_a.workspace.name) == 1 and tools.count(tenant_b.workspace.name) == 1
    assert re.search(rf'<option value="{tenant_b.id}">{tenant_b.workspace.name}</option>', tools)


def test_superuser_without_a_workspace_is_told_to_pick_one_next_to_the_switcher_and_on_lists(tenant_a, client_for):
    from tests.factories import make_user

    client = client_for(make_user(is_staff=True, is_superuser=True))
    index = client.get("/admin/").content.decode()
    tools = _user_tools(index)
    assert "No workspace chosen" in tools and "Pick one to see its data." in tools
    assert f'<option value="{tenant_a.id}">{tenant_a.workspace.name}</option>' in tools
    for path in ("/admin/campaigns/campaign/", "/admin/alerts/systemalert/", "/admin/agents/agent/"):
        page = client.get(path).content.decode()
        assert "No workspace chosen: lists and totals stay empty until you pick one" in page, path
    registry = client.get("/admin/agents/agent/").content.decode()
    assert "Totals for —" not in registry and "pick a workspace in the header" in registry

    # Once a workspace is chosen, the note is gone.
    client.post("/workspaces/", {"workspace": str(tenant_a.id), "next": "/admin/"})
    assert "No workspace chosen" not in client.get("/admin/campaigns/campaign/").content.decode()


# ---------------------------------------------------------------- admin: agents


def test_demo_agents_tell_a_believable_story_three_flagged_each_for_a_visible_reason(tenant_a, client_for):
    import io

    from django.conf import settings

    from agents import demo, selectors

    with tenant_a.context():
        demo.seed(workspace=tenant_a.workspace, people={"admin": tenant_a.staff}, stdout=io.StringIO())
        agents = list(
            selectors.registry_with_totals(workspace_id=tenant_a.id, since=selectors.period_start(30)).filter(
                slug__in=demo.PROFILES
            )
        )
    verdicts = {
        a.slug: selectors.judge(
            executions=a.executions,
            success_rate=a.success_rate,
            p95_ms=a.p95_ms,
            min_success_rate=settings.AGENT_MIN_SUCCESS_RATE,
            max_p95_ms=settings.AGENT_MAX_P95_MS,
        )
        for a in agents
    }
    assert all(a.executions > 0 for a in agents) and len(agents) == len(demo.PROFILES)
    flagged = {slug: v.reasons for slug, v in verdicts.items() if v.underperforming}
    assert sorted(flagged) == ["bid-adjuster", "long-form-writer", "seo-strategist"]
    assert [r.split()[0] for r in flagged["bid-adjuster"]] == ["success"]
    assert [r.split()[0] for r in flagged["long-form-writer"]] == ["p95"]
    assert [r.split()[0] for r in flagged["seo-strategist"]] == ["p95"]

    # The registry says why under each flagged agent's name, in words one can read without hovering.
    html = client_for(tenant_a.staff, tenant_a.workspace).get("/admin/agents/agent/", {"underperforming": "yes"}).content.decode()
    assert html.count("⚠ underperforming") == 3
    assert re.search(r'<small class="rf-reasons">success \d+\.\d%</small>', html)
    assert len(re.findall(r'<small class="rf-reasons">p95 [\d,]+ ms</small>', html)) == 2


def test_agent_registry_columns_are_narrow_with_abbreviations(tenant_a, client_for):
    html = client_for(tenant_a.staff, tenant_a.workspace).get("/admin/agents/agent/").content.decode()
    head = re.search(r"<thead>.*?</thead>", html, re.S).group(0)
    assert len(re.findall(r"<th[\s>]", head)) == 9  # tier and domain share a column, the flag lives under the name
    for title in ("executions in the period", "median latency, in milliseconds", "95th percentile latency, in milliseconds", "cost in US dollars"):
        assert f'<abbr title="{title}">' in head
    assert "/static/agents/admin.css" in html
    assert "success rate below 90% or p95 above 5,000 ms" in html


# ---------------------------------------------------------------- admin: bulk actions say what they did


def _act(client, path, data):
    """POST a bulk action; the messages of the page it lands on."""
    response = client.post(path, data, follow=True)
    return [str(m) for m in response.context["messages"]]


def _alert(tenant, title, status="open"):
    from alerts import services

    with tenant.context():
        alert = services.raise_alert(severity="warning", source="checks", title=title, fingerprint=title)
        if status in ("acknowledged", "resolved"):
            alert = services.acknowledge(alert=alert, by=tenant.owner)
        if status == "resolved":
            alert = services.resolve(alert=alert, by=tenant.owner, note="done")
    return alert


def test_acknowledge_reports_the_counts_its_confirmation_page_announced(tenant_a, client_for):
    alerts = [
        _alert(tenant_a, "disk A"),
        _alert(tenant_a, "disk B"),
        _alert(tenant_a, "queue", "acknowledged"),
        _alert(tenant_a, "cert", "resolved"),
    ]
    client = client_for(tenant_a.staff, tenant_a.workspace)
    data = {"action": "acknowledge_selected", "_selected_action": [str(a.id) for a in alerts]}

    preview = client.post("/admin/alerts/systemalert/", data).content.decode()
    assert "2 alerts will change" in preview
    assert "1 is already in that state and stays unchanged." in preview and "1 will be skipped." in preview

    done = _act(client, "/admin/alerts/systemalert/", {**data, "confirm": "yes"})
    assert done[0] == "Acknowledged 2 alerts."
    assert done[1] == "1 alert already acknowledged: unchanged."
    assert done[2].startswith("Skipped 1 alert: cert: ") and len(done) == 3


def test_resolve_reports_the_counts_its_confirmation_page_announced(tenant_a, client_for):
    alerts = [_alert(tenant_a, "disk A"), _alert(tenant_a, "queue", "acknowledged"), _alert(tenant_a, "cert", "resolved")]
    client = client_for(tenant_a.staff, tenant_a.workspace)
    data = {"action": "resolve_selected", "_selected_action": [str(a.id) for a in alerts]}

    preview = client.post("/admin/alerts/systemalert/", data).content.decode()
    assert "2 alerts will change" in preview and "1 is already in that state and stays unchanged." in preview

    done = _act(client, "/admin/alerts/systemalert/", {**data, "confirm": "yes", "note": "Fixed"})
    assert done == ["Resolved 2 alerts.", "1 alert already resolved: unchanged."]


def test_marking_notifications_read_counts_those_already_read(tenant_a, client_for):
    from alerts import services
    from alerts.models import UserNotification

    with tenant_a.context():
        fresh = services.notify(user=tenant_a.staff, title="fresh")
        seen = services.notify(user=tenant_a.staff, title="seen")
    with tenant_a.context(tenant_a.staff):
        services.mark_read(notification=UserNotification.objects.get(id=seen.id))
    done = _act(
        client_for(tenant_a.staff, tenant_a.workspace),
        "/admin/alerts/usernotification/",
        {"action": "mark_selected_read", "_selected_action": [str(fresh.id), str(seen.id)]},
    )
    assert done == ["Marked 1 notification as read.", "1 was already read: unchanged."]


def test_publishing_and_archiving_insights_say_what_was_skipped(tenant_a, client_for):
    from intelligence import services

    with tenant_a.context():
        signal = services.ingest_signal(title="Competitor cuts prices", source="tracker", signal_type="competitor_pricing")
        draft = services.synthesize_insight(title="Draft", summary="", signal_ids=[signal.pk])
        published = services.synthesize_insight(title="Out", summary="", signal_ids=[signal.pk])
        services.publish_insights(insight_ids=[published.pk], by=tenant_a.owner)
    client = client_for(tenant_a.staff, tenant_a.workspace)
    both = [str(draft.pk), str(published.pk)]

    insights = "/admin/intelligence/marketinsight/"
    publish, archive = {"action": "publish", "_selected_action": both}, {"action": "archive", "_selected_action": both}
    assert _act(client, insights, publish) == ["1 insight published.", "1 was already published: unchanged."]
    assert _act(client, insights, archive) == ["2 insights archived."]
    assert _act(client, insights, archive) == ["0 insights archived.", "2 were already archived: unchanged."]


def test_activating_and_deactivating_achievements_say_what_was_unchanged(tenant_a, client_for):
    from gamification.models import Achievement

    with tenant_a.context():
        on = Achievement.objects.create(workspace=tenant_a.workspace, code="on", name="On", target_value=1, criteria={"event": "manual", "count": 1}, is_active=True)
        off = Achievement.objects.create(workspace=tenant_a.workspace, code="off", name="Off", target_value=1, criteria={"event": "manual", "count": 1}, is_active=False)
    client = client_for(tenant_a.staff, tenant_a.workspace)
    both = [str(on.pk), str(off.pk)]
    achievements = "/admin/gamification/achievement/"
    activate = {"action": "activate", "_selected_action": both}
    assert _act(client, achievements, activate) == ["1 achievement activated.", "1 was already active: unchanged."]
    deactivate_one = {"action": "deactivate", "_selected_action": [str(off.pk)]}
    assert _act(client, achievements, deactivate_one) == ["1 achievement deactivated."]
    deactivate = {"action": "deactivate", "_selected_action": both}
    assert _act(client, achievements, deactivate) == ["1 achievement deactivated.", "1 was already inactive: unchanged."]


def test_archiving_campaigns_says_which_were_archived_already(tenant_a, client_for):
    from campaigns.models import Campaign

    with tenant_a.context():
        live = Campaign.objects.create(workspace=tenant_a.workspace, name="Live")
        gone = Campaign.objects.create(workspace=tenant_a.workspace, name="Gone", status=Campaign.Status.ARCHIVED)
    done = _act(
        client_for(tenant_a.staff, tenant_a.workspace),
        "/admin/campaigns/campaign/",
        {"action": "archive_selected", "_selected_action": [str(live.pk), str(gone.pk)]},
    )
    assert done == ["1 campaign archived.", "1 was already archived: unchanged."]
    with tenant_a.context():
        assert Campaign.objects.get(pk=live.pk).status == Campaign.Status.ARCHIVED


# ---------------------------------------------------------------- admin: one date format


ISO_MINUTE = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"


def test_admin_shows_every_date_in_one_format_with_the_year(tenant_a, client_for):
    from datetime import date, datetime, timezone

    from django.utils import formats

    alert = _alert(tenant_a, "queue", "acknowledged")
    html = client_for(tenant_a.staff, tenant_a.workspace).get("/admin/alerts/systemalert/").content.decode()
    # Django's column (last seen) and the handling column (acknowledged: who and when) agree.
    last_seen = re.search(r'<td class="field-last_seen_at[^"]*">([^<]*)</td>', html).group(1)
    acknowledged = re.search(r'<td class="field-acknowledged">.*?<small>([^<]*)</small>', html, re.S).group(1)
    assert re.fullmatch(ISO_MINUTE, last_seen) and re.fullmatch(ISO_MINUTE, acknowledged)
    assert last_seen == alert.last_seen_at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")
    assert not re.search(r"\b(a\.m\.|p\.m\.|noon|midnight)", html)
    # The change page's read-only dates too, and plain dates.
    page = client_for(tenant_a.staff, tenant_a.workspace).get(f"/admin/alerts/systemalert/{alert.id}/change/").content.decode()
    assert re.search(rf'<div class="readonly">{ISO_MINUTE}</div>', page)
    assert formats.date_format(date(2026, 1, 2)) == "2026-01-02"
    assert formats.date_format(datetime(2026, 11, 28, 18, 6), "DATETIME_FORMAT") == "2026-11-28 18:06"


# ---------------------------------------------------------------- admin: recommended actions as rows


def _insight(tenant, actions):
    from intelligence import services
    from intelligence.models import MarketInsight

    with tenant.context():
        signal = services.ingest_signal(title="Competitor cuts prices", source="tracker", signal_type="competitor_pricing")
        insight = services.synthesize_insight(title="Price war", summary="", signal_ids=[signal.pk])
        MarketInsight.objects.filter(pk=insight.pk).update(recommended_actions=actions)
    return insight


def _saved_actions(tenant, insight):
    from intelligence.models import MarketInsight

    with tenant.context():
        return MarketInsight.objects.get(pk=insight.pk).recommended_actions


def _insight_form(**rows):
    data = {"title": "Price war", "summary": "", "category": "pricing", "impact": "high", "valid_until_0": "", "valid_until_1": ""}
    data["recommended_actions-rows"] = str(len(rows))
    for n, (action, owner, due) in enumerate(rows.values()):
        data |= {f"recommended_actions-{n}-action": action, f"recommended_actions-{n}-owner": owner, f"recommended_actions-{n}-due": due}
    return data


def test_recommended_actions_are_edited_as_rows_not_raw_json(tenant_a, client_for):
    brief = {"action": "Brief sales", "owner": "Sam", "due": "2026-12-01", "priority": "high"}
    insight = _insight(tenant_a, ["Match the price", brief])
    client = client_for(tenant_a.staff, tenant_a.workspace)
    url = f"/admin/intelligence/marketinsight/{insight.pk}/change/"

    page = client.get(url).content.decode()
    assert '<textarea name="recommended_actions"' not in page
    assert re.search(r'name="recommended_actions-0-action" id="id_recommended_actions_0_action" value="Match the price"', page)
    assert 'name="recommended_actions-1-owner" id="id_recommended_actions_1_owner" value="Sam"' in page
    assert 'type="date" name="recommended_actions-1-due" id="id_recommended_actions_1_due" value="2026-12-01"' in page
    assert '<label for="id_recommended_actions_0_action"' in page  # the field's label points at the first row
    assert 'name="recommended_actions-4-action"' in page and 'name="recommended_actions-5-action"' not in page  # 3 empty rows

    # Edit: keep the first, change the owner of the second (its other keys survive), add a third; blank rows are dropped.
    form = _insight_form(
        a=("Match the price", "", ""), b=("Brief sales", "Maya", "2026-12-01"), c=("", "", ""), d=("Update the price page", "", "2026-12-15")
    )
    form["recommended_actions-1-extra"] = '{"priority": "high"}'
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _saved_actions(tenant_a, insight) == [
        "Match the price",
        {"priority": "high", "action": "Brief sales", "owner": "Maya", "due": "2026-12-01"},
        {"action": "Update the price page", "due": "2026-12-15"},
    ]

    # Clearing every row leaves an empty list.
    assert client.post(url, _insight_form(a=("", "", ""))).status_code == 302
    assert _saved_actions(tenant_a, insight) == []


def test_recommended_action_rows_are_validated_next_to_the_field(tenant_a, client_for):
    insight = _insight(tenant_a, ["Keep me"])
    client = client_for(tenant_a.staff, tenant_a.workspace)
    url = f"/admin/intelligence/marketinsight/{insight.pk}/change/"
    response = client.post(url, _insight_form(a=("Fine", "", ""), b=("", "Maya", ""), c=("Late", "", "31/12/2026")))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Row 2: say what the action is, or clear its owner and due date." in html
    assert "Row 3: the due date must be a date like 2026-12-31." in html
    assert 'name="recommended_actions-1-owner" id="id_recommended_actions_1_owner" value="Maya"' in html  # kept for fixing
    assert _saved_actions(tenant_a, insight) == ["Keep me"]


# ---------------------------------------------------------------- accessibility findings in these templates (axe-core)


def test_page_messages_are_a_list_inside_a_status_region(tenant_a, client_for):
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    client.post("/workspaces/", {"workspace": str(tenant_a.id), "next": "/campaigns/"})
    html = client.get("/campaigns/").content.decode()
    # A role on the <ul> itself would take its list semantics away from its <li> (axe: listitem).
    assert re.search(r'<div role="status">\s*<ul class="messages">\s*<li class="msg-success">You are now working in', html)
    assert not re.search(r"<ul[^>]*role=", html)


def test_admin_links_in_running_text_are_underlined():
    rules = _css_rules("static/raptorflow/admin.css")
    for selector in (".breadcrumbs a", "#recent-unlocks a", "#recent-events a"):
        assert rules[selector]["text-decoration"] == "underline", selector
