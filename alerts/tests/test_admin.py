"""The alerts admin: list, filters, confirmed bulk actions, notifications inbox, header badge, index summary."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from alerts import services
from alerts.models import SystemAlert, UserNotification

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:alerts_systemalert_changelist")
INBOX = reverse("admin:alerts_usernotification_changelist")


def _post_action(client, action, alerts, query="", **extra):
    data = {"action": action, "_selected_action": [str(a.id) for a in alerts], **extra}
    return client.post(CHANGELIST + query, data)


def _reload(tenant, alert):
    with tenant.context():
        return SystemAlert.objects.select_related("acknowledged_by", "resolved_by").get(id=alert.id)


def test_the_list_shows_severity_colours_and_only_this_workspaces_alerts(tenant_a, tenant_b, raise_in, client_for):
    raise_in(tenant_a, severity="critical", title="Alpha payments down")
    raise_in(tenant_b, severity="critical", title="Bravo payments down")
    response = client_for(tenant_a.staff, tenant_a).get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alpha payments down" in html and "Bravo payments down" not in html
    assert 'class="rf-sev rf-sev-critical"' in html
    assert "alerts/admin.css" in html


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status__exact=acknowledged", {"acked"}),
        ("severity__exact=critical", {"critical"}),
        ("source=billing", {"billing"}),
        ("age=hour", {"acked", "critical", "billing"}),
        ("age=older", {"old"}),
        ("age=week", {"acked", "critical", "billing"}),
    ],
)
def test_filters_by_status_severity_source_and_age(tenant_a, raise_in, client_for, query, expected):
    acked = raise_in(tenant_a, title="acked", source="infra")
    raise_in(tenant_a, title="critical", severity="critical", source="infra")
    raise_in(tenant_a, title="billing", source="billing")
    old = raise_in(tenant_a, title="old", source="infra")
    with tenant_a.context():
        services.acknowledge(alert=acked, by=tenant_a.staff)
        month_ago = timezone.now() - timedelta(days=30)
        SystemAlert.objects.filter(id=old.id).update(first_seen_at=month_ago, last_seen_at=month_ago)
    response = client_for(tenant_a.staff, tenant_a).get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200
    assert {a.title for a in response.context["cl"].result_list} == expected


def test_acknowledge_action_asks_for_confirmation_before_changing_anything(tenant_a, raise_in, client_for):
    alert = raise_in(tenant_a)
    response = _post_action(client_for(tenant_a.staff, tenant_a), "acknowledge_selected", [alert])
    assert response.status_code == 200
    assert "admin/alerts/systemalert/confirm_action.html" in [t.name for t in response.templates]
    assert "will be acknowledged" in response.content.decode()
    assert _reload(tenant_a, alert).status == "open"


def test_acknowledge_action_records_the_acting_staff_user_and_time(tenant_a, raise_in, client_for):
    alerts = [raise_in(tenant_a, title=f"alert {i}") for i in range(3)]
    before = timezone.now()
    response = _post_action(client_for(tenant_a.staff, tenant_a), "acknowledge_selected", alerts, confirm="yes")
    assert response.status_code == 302
    for alert in alerts:
        alert = _reload(tenant_a, alert)
        assert alert.status == "acknowledged"
        assert alert.acknowledged_by_id == tenant_a.staff.id
        assert alert.acknowledged_at >= before - timedelta(seconds=5)
    # The admin history names the staff user as well.
    assert LogEntry.objects.filter(user=tenant_a.staff, object_id=str(alerts[0].id)).exists()
    # Who and when appear in the list.
    html = client_for(tenant_a.staff, tenant_a).get(CHANGELIST).content.decode()
    assert "Staff Member<br><small>" in html


def test_resolve_action_requires_a_note_and_records_it_with_the_staff_user(tenant_a, raise_in, client_for):
    open_alert = raise_in(tenant_a, title="open one")
    acked = raise_in(tenant_a, title="acked one")
    with tenant_a.context():
        services.acknowledge(alert=acked, by=tenant_a.owner)
    client = client_for(tenant_a.staff, tenant_a)
    # Step 1: a blank note re-shows the confirmation page with the error.
    response = _post_action(client, "resolve_selected", [open_alert, acked], confirm="yes", note="  ")
    assert response.status_code == 200
    assert "Say how the alerts were resolved." in response.content.decode()
    assert _reload(tenant_a, open_alert).status == "open"
    # Step 2: with a note both are resolved by the staff user.
    response = _post_action(client, "resolve_selected", [open_alert, acked], confirm="yes", note="Rotated the key")
    assert response.status_code == 302
    for alert in (open_alert, acked):
        alert = _reload(tenant_a, alert)
        assert (alert.status, alert.resolved_by_id, alert.resolution_note) == ("resolved", tenant_a.staff.id, "Rotated the key")
    assert _reload(tenant_a, acked).acknowledged_by_id == tenant_a.owner.id


def test_acknowledging_a_resolved_alert_in_bulk_is_reported_and_the_rest_proceed(tenant_a, raise_in, client_for):
    resolved = raise_in(tenant_a, title="done already")
    fresh = raise_in(tenant_a, title="fresh")
    with tenant_a.context():
        services.resolve(alert=resolved, by=tenant_a.owner)
    client = client_for(tenant_a.staff, tenant_a)
    response = _post_action(client, "acknowledge_selected", [resolved, fresh], confirm="yes")
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("done already: alert" in m and "already resolved and cannot be acknowledged" in m for m in messages)
    assert _reload(tenant_a, fresh).status == "acknowledged"
    assert _reload(tenant_a, resolved).status == "resolved"


def test_platform_wide_alerts_are_listed_read_only(tenant_a, client_for, owner_conn):
    alert_id = owner_conn.execute(
        "SELECT id FROM raise_system_alert('warning', 'platform', 'Scheduled maintenance Sunday')"
    ).fetchone()[0]
    try:
        client = client_for(tenant_a.staff, tenant_a)
        # The default list (this workspace) shows open platform-wide alerts above the table.
        response = client.get(CHANGELIST)
        assert [a.id for a in response.context["platform_alerts"]] == [alert_id]
        assert 'data-testid="platform-alerts"' in response.content.decode()
        assert alert_id not in {a.id for a in response.context["cl"].result_list}
        # In the table on request, marked as platform-wide.
        response = client.get(f"{CHANGELIST}?scope=all")
        assert alert_id in {a.id for a in response.context["cl"].result_list}
        html = client.get(f"{CHANGELIST}?scope=platform").content.decode()
        assert "Scheduled maintenance Sunday" in html and "Platform-wide" in html
        # Its source is offered by the source filter.
        assert 'href="?source=platform"' in html or "source=platform" in html
        detail = client.get(reverse("admin:alerts_systemalert_change", args=[alert_id]))
        assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
        response = _post_action(client, "acknowledge_selected", [SystemAlert(id=alert_id)], query="?scope=all", confirm="yes")
        messages = [str(m) for m in response.wsgi_request._messages]
        assert any("platform-wide" in m for m in messages)
        assert owner_conn.execute("SELECT status FROM system_alerts WHERE id = %s", [alert_id]).fetchone()[0] == "open"
    finally:
        owner_conn.execute("DELETE FROM system_alerts WHERE id = %s", [alert_id])


def test_the_source_filter_lists_the_workspaces_sources_only(tenant_a, tenant_b, raise_in, client_for):
    raise_in(tenant_a, source="billing")
    raise_in(tenant_a, source="agents")
    raise_in(tenant_b, source="bravo-secret")
    response = client_for(tenant_a.staff, tenant_a).get(CHANGELIST)
    [source_filter] = [f for f in response.context["cl"].filter_specs if getattr(f, "parameter_name", None) == "source"]
    assert [value for value, _ in source_filter.lookup_choices] == ["agents", "billing"]


def test_alerts_cannot_be_added_or_deleted_in_the_admin(tenant_a, raise_in, client_for):
    alert = raise_in(tenant_a)
    client = client_for(tenant_a.staff, tenant_a)
    assert client.get(reverse("admin:alerts_systemalert_add")).status_code == 403
    assert client.post(reverse("admin:alerts_systemalert_delete", args=[alert.id]), {"post": "yes"}).status_code == 403


def test_a_marketer_without_staff_status_cannot_use_the_alerts_admin(tenant_a, raise_in, client_for):
    alert = raise_in(tenant_a)
    response = _post_action(client_for(tenant_a.marketer, tenant_a), "acknowledge_selected", [alert], confirm="yes")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert _reload(tenant_a, alert).status == "open"


# ---------------------------------------------------------------- index and header


def test_the_admin_index_shows_open_alerts_by_severity(tenant_a, tenant_b, raise_in, client_for):
    raise_in(tenant_a, severity="critical", title="c1")
    raise_in(tenant_a, severity="critical", title="c2")
    raise_in(tenant_a, severity="info", title="i1")
    acked = raise_in(tenant_a, severity="error", title="e1")
    raise_in(tenant_b, severity="warning", title="bravo")
    with tenant_a.context():
        services.acknowledge(alert=acked, by=tenant_a.staff)
    response = client_for(tenant_a.staff, tenant_a).get(reverse("admin:index"))
    html = response.content.decode()
    assert 'data-testid="open-alerts"' in html
    assert "Critical: <strong>2</strong>" in html and "Info: <strong>1</strong>" in html
    assert "Error:" not in html and "Warning:" not in html
    assert "3 open alerts" in html
    assert 'id="content-main"' in html  # Django's app list is still there


def test_the_header_shows_the_users_own_unread_count_on_every_admin_page(tenant_a, client_for):
    with tenant_a.context():
        services.notify(user=tenant_a.staff, title="one")
        services.notify(user=tenant_a.staff, title="two")
        services.notify(user=tenant_a.owner, title="not yours")
    response = client_for(tenant_a.staff, tenant_a).get(CHANGELIST)
    assert 'data-unread="2"' in response.content.decode()


# ---------------------------------------------------------------- notifications inbox


def test_the_inbox_lists_only_the_users_own_notifications(tenant_a, client_for):
    with tenant_a.context():
        services.notify(user=tenant_a.staff, title="for staff")
        services.notify(user=tenant_a.owner, title="for the owner")
    html = client_for(tenant_a.staff, tenant_a).get(INBOX).content.decode()
    assert "for staff" in html and "for the owner" not in html


def test_another_users_notification_is_a_404_in_the_inbox(tenant_a, client_for):
    with tenant_a.context():
        theirs = services.notify(user=tenant_a.owner, title="private")
    response = client_for(tenant_a.staff, tenant_a).get(reverse("admin:alerts_usernotification_change", args=[theirs.id]))
    assert response.status_code in (302, 404)
    with tenant_a.context(tenant_a.owner):
        assert UserNotification.objects.get(id=theirs.id).read_at is None


def test_a_notification_address_that_is_no_uuid_is_not_found_not_a_500(tenant_a, client_for):
    # axe-core re-fetches forms.css's relative @import from the change page's address.
    client = client_for(tenant_a.staff, tenant_a)
    for bad in ("widgets.css", "not-a-uuid", "1"):
        response = client.get(f"/admin/alerts/usernotification/{bad}/change/")
        assert response.status_code in (302, 404), bad


def test_opening_a_notification_marks_it_read(tenant_a, client_for):
    with tenant_a.context():
        note = services.notify(user=tenant_a.staff, title="open me")
    response = client_for(tenant_a.staff, tenant_a).get(reverse("admin:alerts_usernotification_change", args=[note.id]))
    assert response.status_code == 200
    with tenant_a.context(tenant_a.staff):
        assert UserNotification.objects.get(id=note.id).read_at is not None


def test_mark_selected_and_mark_all_read(tenant_a, client_for):
    with tenant_a.context():
        notes = [services.notify(user=tenant_a.staff, title=f"n{i}") for i in range(3)]
        services.notify(user=tenant_a.owner, title="owner's")
    client = client_for(tenant_a.staff, tenant_a)
    client.post(INBOX, {"action": "mark_selected_read", "_selected_action": [str(notes[0].id)]})
    with tenant_a.context(tenant_a.staff):
        assert services.unread_count() == 2
    response = client.post(reverse("admin:alerts_usernotification_mark_all_read"))
    assert response.status_code == 302
    with tenant_a.context(tenant_a.staff):
        assert services.unread_count() == 0
    with tenant_a.context(tenant_a.owner):
        assert services.unread_count() == 1
