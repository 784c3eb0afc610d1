"""Marketer pages: permissions, validation messages, quest tree and cohort editing, query counts."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.models import Campaign, CampaignCohort, CampaignQuest, MessageArchitecture, Positioning
from campaigns.tests.factories import make_architecture, make_campaign, make_positioning, make_quest, target
from tests.factories import make_cohort, make_user

pytestmark = pytest.mark.django_db


def campaign_data(**overrides):
    data = {
        "name": "Spring Launch",
        "objective": "Sell tents",
        "status": "draft",
        "positioning": "",
        "message_architecture": "",
        "channels": ["email", "social"],
        "budget": "1500.50",
        "starts_at": "2026-03-01T09:00",
        "ends_at": "2026-04-01T18:00",
        "kpi_targets": "signups: 5000\nctr: 0.02",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def field_errors(response, field):
    """The error list rendered next to a field (inside its .field wrapper)."""
    form = response.context["form"]
    return form.errors.get(field, [])


# ---------------------------------------------------------------- access


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get("/campaigns/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_users_without_a_workspace_see_the_choose_workspace_page(client_for):
    loner = make_user()
    response = client_for(loner).get("/campaigns/", follow=True)
    assert response.redirect_chain[0][0].startswith("/workspaces/")
    assert "Choose a workspace" in response.content.decode()


def test_home_shows_the_campaign_list_to_members(tenant_a, client_for):
    make_campaign(tenant_a, "Visible from home")
    response = client_for(tenant_a.marketer, tenant_a.workspace).get("/")
    assert response.status_code == 200
    assert "Visible from home" in response.content.decode()


def test_viewers_read_but_see_no_write_buttons(tenant_a, client_for):
    c = make_campaign(tenant_a, "Read only")
    make_quest(tenant_a, c, "Look, do not touch")
    client = client_for(tenant_a.viewer, tenant_a.workspace)
    listing = client.get("/campaigns/").content.decode()
    detail = client.get(f"/campaigns/{c.pk}/").content.decode()
    assert "Read only" in listing and "Look, do not touch" in detail
    for page in (listing, detail):
        assert "New campaign" not in page
        assert 'method="post"' not in page.split("</header>", 1)[1]  # no write form below the top bar
    assert "Complete" not in detail and "Add quest" not in detail and "Edit" not in detail


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/campaigns/new/"),
        ("post", "/campaigns/new/"),
        ("get", "/campaigns/{c}/edit/"),
        ("post", "/campaigns/{c}/edit/"),
        ("post", "/campaigns/{c}/archive/"),
        ("post", "/campaigns/{c}/quests/add/"),
        ("post", "/campaigns/quests/{q}/move/"),
        ("post", "/campaigns/quests/{q}/complete/"),
        ("post", "/campaigns/quests/{q}/delete/"),
        ("post", "/campaigns/{c}/cohorts/add/"),
        ("post", "/campaigns/{c}/cohorts/{t}/remove/"),
        ("post", "/campaigns/positioning/new/"),
        ("post", "/campaigns/positioning/{p}/edit/"),
        ("post", "/campaigns/positioning/{p}/delete/"),
        ("post", "/campaigns/positioning/{p}/messages/new/"),
        ("post", "/campaigns/messages/{m}/primary/"),
        ("post", "/campaigns/messages/{m}/delete/"),
    ],
)
def test_viewers_get_403_on_every_write(tenant_a, client_for, method, path):
    p = make_positioning(tenant_a)
    m = make_architecture(tenant_a, p)
    c = make_campaign(tenant_a, positioning=p)
    q = make_quest(tenant_a, c)
    t = target(tenant_a, c, make_cohort(tenant_a.workspace))
    url = path.format(c=c.pk, q=q.pk, t=t.pk, p=p.pk, m=m.pk)
    client = client_for(tenant_a.viewer, tenant_a.workspace)
    response = getattr(client, method)(url, {"direction": "up", "name": "x", "quest-title": "x"})
    assert response.status_code == 403
    with tenant_a.context():
        assert Campaign.objects.get(pk=c.pk).status == "draft"
        assert CampaignQuest.objects.filter(pk=q.pk).exists() and CampaignCohort.objects.filter(pk=t.pk).exists()
        assert Positioning.objects.filter(pk=p.pk).exists() and MessageArchitecture.objects.get(pk=m.pk).is_primary is False


def test_every_form_has_csrf_and_labelled_fields(tenant_a, client_for):
    p = make_positioning(tenant_a)
    c = make_campaign(tenant_a)
    q = make_quest(tenant_a, c)
    make_cohort(tenant_a.workspace)
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    pages = [
        "/campaigns/new/", f"/campaigns/{c.pk}/", f"/campaigns/{c.pk}/edit/", f"/campaigns/quests/{q.pk}/edit/",
        "/campaigns/positioning/new/", f"/campaigns/positioning/{p.pk}/edit/", f"/campaigns/positioning/{p.pk}/messages/new/",
        f"/campaigns/{c.pk}/archive/",
    ]
    for url in pages:
        html = client.get(url).content.decode()
        forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", html, flags=re.S)
        assert forms, url
        for form in forms:
            assert "csrfmiddlewaretoken" in form, url
        # Every visible input, select and textarea has a <label for=...> (checkbox groups: a label around each).
        for tag_id in re.findall(r"<(?:input|select|textarea)(?![^>]*type=\"(?:hidden|submit)\")[^>]*\bid=\"([^\"]+)\"", html):
            assert f'for="{tag_id}"' in html, (url, tag_id)


def test_csrf_is_enforced(tenant_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(tenant_a.marketer)
    response = client.post("/campaigns/new/", campaign_data())
    assert response.status_code == 403
    with tenant_a.context():
        assert not Campaign.objects.exists()


def test_marketers_cannot_reach_the_campaign_admin(tenant_a, client_for):
    response = client_for(tenant_a.marketer, tenant_a.workspace).get("/admin/campaigns/campaign/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# ---------------------------------------------------------------- other workspaces


def test_pages_of_another_workspaces_rows_are_not_found(tenant_a, tenant_b, client_for):
    theirs = make_campaign(tenant_b, "Bravo secret")
    p = make_positioning(tenant_b)
    q = make_quest(tenant_b, theirs)
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    assert "Bravo secret" not in client.get("/campaigns/?status=all").content.decode()
    for url in (f"/campaigns/{theirs.pk}/", f"/campaigns/{theirs.pk}/edit/", f"/campaigns/positioning/{p.pk}/",
                f"/campaigns/quests/{q.pk}/edit/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/campaigns/{theirs.pk}/edit/", campaign_data(name="hijacked")).status_code == 404
    assert client.post(f"/campaigns/quests/{q.pk}/complete/").status_code == 404
    with tenant_b.context():
        assert Campaign.objects.get(pk=theirs.pk).name == "Bravo secret"
        assert CampaignQuest.objects.get(pk=q.pk).status == "pending"


def test_choices_offer_only_the_workspaces_own_rows(tenant_a, tenant_b, client_for):
    make_positioning(tenant_b, "Bravo positioning")
    make_cohort(tenant_b.workspace, "Bravo cohort")
    make_positioning(tenant_a, "Alpha positioning")
    make_cohort(tenant_a.workspace, "Alpha cohort")
    c = make_campaign(tenant_a)
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    form_page = client.get("/campaigns/new/").content.decode()
    detail = client.get(f"/campaigns/{c.pk}/").content.decode()
    assert "Alpha positioning" in form_page and "Bravo positioning" not in form_page
    assert "Alpha cohort" in detail and "Bravo cohort" not in detail


def test_posting_another_workspaces_cohort_is_a_form_error(tenant_a, tenant_b, client_for):
    c = make_campaign(tenant_a)
    theirs = make_cohort(tenant_b.workspace)
    response = client_for(tenant_a.marketer, tenant_a.workspace).post(
        f"/campaigns/{c.pk}/cohorts/add/", {"cohort-cohort": theirs.pk, "cohort-role": "primary"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


# ---------------------------------------------------------------- create, edit, archive


def test_marketer_creates_a_campaign(tenant_a, client_for):
    response = client_for(tenant_a.marketer, tenant_a.workspace).post("/campaigns/new/", campaign_data())
    with tenant_a.context():
        c = Campaign.objects.get(name="Spring Launch")
    assert response.status_code == 302 and response["Location"] == f"/campaigns/{c.pk}/"
    assert c.channels == ["email", "social"] and str(c.budget) == "1500.50"
    assert c.kpi_targets == {"signups": 5000, "ctr": 0.02}
    assert c.created_by_id == tenant_a.marketer.id and c.workspace_id == tenant_a.id


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"ends_at": "2026-02-01T09:00"}, "ends_at", "The end must be on or after the start."),
        ({"starts_at": "not a date"}, "starts_at", "Enter a valid date/time."),
        ({"budget": "-5"}, "budget", "The budget cannot be negative."),
        ({"budget": "12345678901.00"}, "budget", "Budgets go up to 9,999,999,999.99."),
        ({"budget": "10.555"}, "budget", "Use at most 2 decimal places (cents)."),
        ({"status": "scheduled", "starts_at": ""}, "starts_at", "A scheduled campaign needs a start date."),
        ({"name": "   "}, "name", "This field is required."),
        ({"kpi_targets": "signups five thousand"}, "kpi_targets", "Line 1: write"),
        ({"kpi_targets": "signups: lots"}, "kpi_targets", "must be a number"),
        ({"channels": ["email", "carrier_pigeon"]}, "channels", "Select a valid choice"),
        ({"status": "archived"}, "status", "Select a valid choice"),
    ],
)
def test_invalid_campaign_input_shows_messages_next_to_the_fields(tenant_a, client_for, overrides, field, message):
    response = client_for(tenant_a.marketer, tenant_a.workspace).post("/campaigns/new/", campaign_data(**overrides))
    assert response.status_code == 200
    assert any(message in e for e in field_errors(response, field)), response.context["form"].errors
    html = response.content.decode()
    # Rendered inside the field's own wrapper, marked for assistive technology.
    assert re.search(rf'field-error">\s*<label for="id_{field}', html) or (field == "channels" and "field choices field-error" in html)
    with tenant_a.context():
        assert not Campaign.objects.exists()


def test_duplicate_campaign_name_is_a_form_error_not_an_integrity_error(tenant_a, tenant_b, client_for):
    make_campaign(tenant_a, "Spring Launch")
    make_campaign(tenant_b, "Taken elsewhere")
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    response = client.post("/campaigns/new/", campaign_data())
    assert response.status_code == 200
    assert field_errors(response, "name") == ["A campaign with this name already exists in this workspace."]
    # Another workspace's name is free here (and its existence is not revealed).
    assert client.post("/campaigns/new/", campaign_data(name="Taken elsewhere")).status_code == 302


def test_messaging_must_belong_to_the_chosen_positioning(tenant_a, client_for):
    p1, p2 = make_positioning(tenant_a, "One"), make_positioning(tenant_a, "Two")
    m2 = make_architecture(tenant_a, p2)
    response = client_for(tenant_a.marketer, tenant_a.workspace).post(
        "/campaigns/new/", campaign_data(positioning=p1.pk, message_architecture=m2.pk)
    )
    assert "Choose messaging of the selected positioning" in field_errors(response, "message_architecture")[0]


def test_edit_keeps_the_name_and_saves_changes(tenant_a, client_for):
    c = make_campaign(tenant_a, "Spring Launch")
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    page = client.get(f"/campaigns/{c.pk}/edit/").content.decode()
    assert 'value="Spring Launch"' in page
    response = client.post(f"/campaigns/{c.pk}/edit/", campaign_data(status="active", budget="99"))
    assert response.status_code == 302
    with tenant_a.context():
        c.refresh_from_db()
    assert c.status == "active" and str(c.budget) == "99.00"


def test_archive_asks_then_hides_the_campaign_from_the_default_list(tenant_a, client_for):
    c = make_campaign(tenant_a, "Old news")
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    assert "Archive “Old news”?" in client.get(f"/campaigns/{c.pk}/archive/").content.decode()
    response = client.post(f"/campaigns/{c.pk}/archive/", follow=True)
    assert "archived" in response.content.decode()
    assert "Old news" not in client.get("/campaigns/").content.decode().split("</header>", 1)[1].split('role="status"')[-1]
    assert "Old news" in client.get("/campaigns/?status=archived").content.decode()
    with tenant_a.context():
        assert Campaign.objects.get(pk=c.pk).status == "archived"


# ---------------------------------------------------------------- list: search, filter, pagination, queries


def test_list_searches_filters_and_paginates(tenant_a, client_for):
    for i in range(23):
        make_campaign(tenant_a, f"Launch {i:02d}", status="active" if i % 2 else "draft")
    make_campaign(tenant_a, "Unrelated")
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    page1 = client.get("/campaigns/?q=launch")
    assert len(page1.context["page"].object_list) == 20
    assert 'href="?q=launch&amp;page=2"' in page1.content.decode()
    page2 = client.get("/campaigns/?q=launch&page=2")
    assert [c.name for c in page2.context["page"].object_list] == ["Launch 20", "Launch 21", "Launch 22"]
    active = client.get("/campaigns/?status=active&q=launch")
    assert {c.status for c in active.context["page"].object_list} == {"active"}
    assert active.context["page"].paginator.count == 11
    empty = client.get("/campaigns/?q=nothing-like-this").content.decode()
    assert "No campaign matches these filters." in empty


def test_list_query_count_does_not_grow_with_rows(tenant_a, client_for):
    client = client_for(tenant_a.marketer, tenant_a.workspace)

    def seed(n):
        p = make_positioning(tenant_a)
        cohort = make_cohort(tenant_a.workspace)
        for _ in range(n):
            c = make_campaign(tenant_a, positioning=p)
            make_quest(tenant_a, c, status="completed", completed_at=timezone.now())
            make_quest(tenant_a, c)
            target(tenant_a, c, cohort)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/campaigns/").status_code == 200
        return len(captured)

    seed(2)
    few = queries()
    seed(15)
    assert queries() == few


def test_detail_query_count_does_not_grow_with_quests_or_cohorts(tenant_a, client_for):
    c = make_campaign(tenant_a)
    client = client_for(tenant_a.marketer, tenant_a.workspace)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/campaigns/{c.pk}/").status_code == 200
        return len(captured)

    parent = make_quest(tenant_a, c)
    make_quest(tenant_a, c, parent=parent)
    target(tenant_a, c, make_cohort(tenant_a.workspace))
    few = queries()
    for _ in range(5):
        child = make_quest(tenant_a, c, parent=parent)
        make_quest(tenant_a, c, parent=child)
        target(tenant_a, c, make_cohort(tenant_a.workspace), role="secondary")
    assert queries() == few


def test_positioning_list_query_count_does_not_grow(tenant_a, client_for):
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    make_positioning(tenant_a)
    with CaptureQueriesContext(connection) as few:
        client.get("/campaigns/positioning/")
    for _ in range(6):
        p = make_positioning(tenant_a)
        make_architecture(tenant_a, p)
        make_campaign(tenant_a, positioning=p)
    with CaptureQueriesContext(connection) as many:
        client.get("/campaigns/positioning/")
    assert len(many) == len(few)


# ---------------------------------------------------------------- quest tree


def titles_in_order(tenant, campaign, parent=None):
    with tenant.context():
        return list(CampaignQuest.objects.filter(campaign=campaign, parent=parent).order_by("position").values_list("title", flat=True))


def test_quests_are_added_reordered_nested_and_completed(tenant_a, client_for):
    c = make_campaign(tenant_a)
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    for title in ("Brief", "Design", "Launch"):
        assert client.post(f"/campaigns/{c.pk}/quests/add/", {"quest-title": title, "quest-xp_reward": 10}).status_code == 302
    assert titles_in_order(tenant_a, c) == ["Brief", "Design", "Launch"]
    with tenant_a.context():
        q = {x.title: x for x in CampaignQuest.objects.filter(campaign=c)}

    client.post(f"/campaigns/quests/{q['Launch'].pk}/move/", {"direction": "up"})
    assert titles_in_order(tenant_a, c) == ["Brief", "Launch", "Design"]
    client.post(f"/campaigns/quests/{q['Brief'].pk}/move/", {"direction": "down"})
    assert titles_in_order(tenant_a, c) == ["Launch", "Brief", "Design"]

    # Nest: Design goes under the quest above it (Brief); a sub-quest is added under it by form.
    client.post(f"/campaigns/quests/{q['Design'].pk}/move/", {"direction": "in"})
    assert titles_in_order(tenant_a, c) == ["Launch", "Brief"]
    assert titles_in_order(tenant_a, c, q["Brief"]) == ["Design"]
    client.post(f"/campaigns/{c.pk}/quests/add/", {"quest-title": "Logo", "quest-parent": q["Design"].pk, "quest-xp_reward": 5})
    assert titles_in_order(tenant_a, c, q["Design"]) == ["Logo"]

    # Outdent puts Design back right after its former parent.
    client.post(f"/campaigns/quests/{q['Design'].pk}/move/", {"direction": "out"})
    assert titles_in_order(tenant_a, c) == ["Launch", "Brief", "Design"]

    response = client.post(f"/campaigns/quests/{q['Brief'].pk}/complete/", follow=True)
    assert "completed (+10 XP)" in response.content.decode()
    with tenant_a.context():
        brief = CampaignQuest.objects.get(pk=q["Brief"].pk)
    assert brief.status == "completed" and brief.completed_at is not None
    client.post(f"/campaigns/quests/{q['Brief'].pk}/complete/", {"action": "reopen"})
    with tenant_a.context():
        assert CampaignQuest.objects.get(pk=q["Brief"].pk).completed_at is None

    page = client.get(f"/campaigns/{c.pk}/").content.decode()
    # The tree renders nested: Logo's list item sits inside Design's.
    design_at, logo_at = page.index(f'id="quest-{q["Design"].pk}"'), page.index(">Logo<")
    assert design_at < logo_at


def test_nesting_a_quest_under_its_own_sub_quest_is_a_form_error(tenant_a, client_for):
    c = make_campaign(tenant_a)
    a = make_quest(tenant_a, c, "A")
    b = make_quest(tenant_a, c, "B", parent=a)
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    response = client.post(f"/campaigns/quests/{a.pk}/edit/", {"title": "A", "parent": b.pk, "status": "pending", "xp_reward": 10})
    assert response.status_code == 200
    assert "Select a valid choice" in response.context["form"].errors["parent"][0]
    # The edit form moves a quest elsewhere in the tree.
    other = make_quest(tenant_a, c, "Other")
    response = client.post(f"/campaigns/quests/{b.pk}/edit/", {"title": "B2", "parent": other.pk, "status": "in_progress", "xp_reward": 3})
    assert response.status_code == 302
    with tenant_a.context():
        b.refresh_from_db()
    assert (b.title, b.parent_id, b.status, b.xp_reward) == ("B2", other.pk, "in_progress", 3)


def test_nesting_the_first_quest_explains_why_not(tenant_a, client_for):
    c = make_campaign(tenant_a)
    first = make_quest(tenant_a, c, "First")
    response = client_for(tenant_a.marketer, tenant_a.workspace).post(
        f"/campaigns/quests/{first.pk}/move/", {"direction": "in"}, follow=True
    )
    assert "has no quest above it to nest under" in response.content.decode()


def test_invalid_quest_input_is_shown_on_the_detail_page(tenant_a, client_for):
    c = make_campaign(tenant_a)
    response = client_for(tenant_a.marketer, tenant_a.workspace).post(
        f"/campaigns/{c.pk}/quests/add/", {"quest-title": "", "quest-xp_reward": -3, "quest-due_at": "soon"}
    )
    assert response.status_code == 400
    errors = response.context["quest_form"].errors
    assert set(errors) == {"title", "xp_reward", "due_at"}, errors
    assert "Ensure this value is greater than or equal to 0." in errors["xp_reward"]


def test_deleting_a_quest_deletes_its_sub_quests_and_closes_the_gap(tenant_a, client_for):
    c = make_campaign(tenant_a)
    a, b, d = make_quest(tenant_a, c, "A", position=0), make_quest(tenant_a, c, "B", position=1), make_quest(tenant_a, c, "D", position=2)
    make_quest(tenant_a, c, "B child", parent=b)
    response = client_for(tenant_a.marketer, tenant_a.workspace).post(f"/campaigns/quests/{b.pk}/delete/", follow=True)
    assert "deleted with 1 sub-quest" in response.content.decode()
    with tenant_a.context():
        assert list(CampaignQuest.objects.order_by("position").values_list("title", "position")) == [("A", 0), ("D", 1)]


# ---------------------------------------------------------------- cohorts


def test_cohorts_are_targeted_with_a_role_and_removed(tenant_a, client_for):
    c = make_campaign(tenant_a)
    runners, control = make_cohort(tenant_a.workspace, "Runners"), make_cohort(tenant_a.workspace, "Holdout")
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    client.post(f"/campaigns/{c.pk}/cohorts/add/", {"cohort-cohort": runners.pk, "cohort-role": "primary"})
    response = client.post(f"/campaigns/{c.pk}/cohorts/add/", {"cohort-cohort": control.pk, "cohort-role": "control"}, follow=True)
    assert "Now targeting “Holdout” as control (held out)." in response.content.decode()
    with tenant_a.context():
        assert dict(CampaignCohort.objects.values_list("cohort__name", "role")) == {"Runners": "primary", "Holdout": "control"}
        holdout = CampaignCohort.objects.get(cohort=control)
    # An already-targeted cohort is no longer offered.
    assert client.post(f"/campaigns/{c.pk}/cohorts/add/", {"cohort-cohort": runners.pk, "cohort-role": "secondary"}).status_code == 400
    client.post(f"/campaigns/{c.pk}/cohorts/{holdout.pk}/remove/")
    with tenant_a.context():
        assert list(CampaignCohort.objects.values_list("cohort__name", flat=True)) == ["Runners"]


# ---------------------------------------------------------------- positioning and messaging


def test_positioning_and_messaging_forms(tenant_a, client_for):
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    response = client.post("/campaigns/positioning/new/", {
        "name": "Premium", "status": "active", "target_segment": "Hikers",
        "problem_statement": "Heavy packs", "value_proposition": "Light packs",
        "differentiators": "Light\n\nRepairable\n", "proof_points": "Award 2025 | ISPO\nLoved by guides",
    })
    with tenant_a.context():
        p = Positioning.objects.get(name="Premium")
    assert response.status_code == 302
    assert p.differentiators == ["Light", "Repairable"]
    assert p.proof_points == [{"claim": "Award 2025", "source": "ISPO"}, {"claim": "Loved by guides"}]
    assert client.post("/campaigns/positioning/new/", {"name": "Premium", "status": "draft"}).context["form"].errors["name"] == [
        "A positioning with this name already exists in this workspace."
    ]

    url = f"/campaigns/positioning/{p.pk}/messages/new/"
    data = {"name": "Narrative", "version": 1, "is_primary": "on", "core_message": "Go light", "tone": "calm",
            "pillars": "Light | 300 g | lab test\nLasting"}
    assert client.post(url, data).status_code == 302
    with tenant_a.context():
        v1 = MessageArchitecture.objects.get(name="Narrative", version=1)
    assert v1.pillars == [{"title": "Light", "message": "300 g", "proof": "lab test"}, {"title": "Lasting"}]
    # Same name and version again: a form error on the version.
    assert "already exists" in client.post(url, data).context["form"].errors["version"][0]
    # A second primary takes over: the first stops being primary (one per positioning).
    assert client.post(url, {**data, "version": 2}).status_code == 302
    with tenant_a.context():
        assert list(MessageArchitecture.objects.filter(is_primary=True).values_list("version", flat=True)) == [2]
    client.post(f"/campaigns/messages/{v1.pk}/primary/")
    with tenant_a.context():
        assert list(MessageArchitecture.objects.filter(is_primary=True).values_list("version", flat=True)) == [1]
    bad = client.post(url, {**data, "version": 0, "pillars": "a | b | c | d"})
    assert set(bad.context["form"].errors) == {"version", "pillars"}

    detail = client.get(f"/campaigns/positioning/{p.pk}/").content.decode()
    assert "Narrative" in detail and "Primary" in detail and "Repairable" in detail

    # Delete messaging, then the positioning; a campaign using it stays.
    c = make_campaign(tenant_a, positioning=p)
    assert client.post(f"/campaigns/messages/{v1.pk}/delete/").status_code == 302
    assert "1 campaign uses it" in client.get(f"/campaigns/positioning/{p.pk}/delete/").content.decode()
    assert client.post(f"/campaigns/positioning/{p.pk}/delete/").status_code == 302
    with tenant_a.context():
        assert not Positioning.objects.exists() and not MessageArchitecture.objects.exists()
        assert Campaign.objects.get(pk=c.pk).positioning_id is None


def test_empty_states(tenant_a, client_for):
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    assert "No campaigns yet." in client.get("/campaigns/").content.decode()
    assert "No positioning yet." in client.get("/campaigns/positioning/").content.decode()
    c = make_campaign(tenant_a)
    page = client.get(f"/campaigns/{c.pk}/").content.decode()
    assert "No quests yet." in page and "targets no cohort yet" in page


def test_date_inputs_round_trip(tenant_a, client_for):
    start = timezone.make_aware(datetime.datetime(2026, 5, 1, 8, 30))
    c = make_campaign(tenant_a, starts_at=start)
    page = client_for(tenant_a.marketer, tenant_a.workspace).get(f"/campaigns/{c.pk}/edit/").content.decode()
    assert 'type="datetime-local"' in page
    assert start.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%dT%H:%M") in page
