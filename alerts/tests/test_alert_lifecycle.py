"""raise / acknowledge / resolve: dedupe, transitions, who and when, input errors."""

import pytest
from django.db import IntegrityError, connection, transaction

from alerts import services
from alerts.models import SystemAlert, UserNotification
from raptorflow.sql import SQLFunctionError

pytestmark = pytest.mark.django_db


def test_raising_the_same_fingerprint_twice_adds_an_occurrence_instead_of_a_duplicate(tenant_a, raise_in):
    first = raise_in(tenant_a, fingerprint="disk:/var", message="91% used")
    second = raise_in(tenant_a, fingerprint="disk:/var", message="95% used", details={"mount": "/var"})
    assert second.id == first.id
    assert second.occurrence_count == 2
    assert second.last_seen_at >= first.last_seen_at
    assert second.message == "95% used"
    assert second.details == {"mount": "/var"}
    with tenant_a.context():
        assert SystemAlert.objects.filter(fingerprint="disk:/var").count() == 1


def test_without_a_fingerprint_alerts_dedupe_on_source_and_title(tenant_a, raise_in):
    first = raise_in(tenant_a, source="billing", title="Card declined")
    again = raise_in(tenant_a, source="billing", title="Card declined")
    other = raise_in(tenant_a, source="billing", title="Invoice failed")
    assert again.id == first.id and again.occurrence_count == 2
    assert other.id != first.id


def test_a_repeat_escalates_the_severity_but_never_lowers_it(tenant_a, raise_in):
    raise_in(tenant_a, fingerprint="f", severity="warning")
    assert raise_in(tenant_a, fingerprint="f", severity="critical").severity == "critical"
    assert raise_in(tenant_a, fingerprint="f", severity="info").severity == "critical"


def test_a_resolved_alert_raised_again_opens_a_new_alert(tenant_a, raise_in):
    first = raise_in(tenant_a, fingerprint="f")
    with tenant_a.context():
        services.resolve(alert=first, by=tenant_a.staff, note="fixed")
    second = raise_in(tenant_a, fingerprint="f")
    assert second.id != first.id
    assert second.status == "open" and second.occurrence_count == 1


def test_the_same_fingerprint_in_two_workspaces_is_two_alerts(tenant_a, tenant_b, raise_in):
    assert raise_in(tenant_a, fingerprint="f").id != raise_in(tenant_b, fingerprint="f").id


def test_acknowledge_records_the_acting_user_and_time(tenant_a, raise_in):
    alert = raise_in(tenant_a)
    with tenant_a.context():
        acked = services.acknowledge(alert=alert, by=tenant_a.owner)
    assert acked.status == "acknowledged"
    assert acked.acknowledged_by_id == tenant_a.owner.id
    assert acked.acknowledged_at is not None
    assert acked.resolved_at is None


def test_acknowledging_twice_is_idempotent_and_keeps_the_first_acknowledgement(tenant_a, raise_in):
    alert = raise_in(tenant_a)
    with tenant_a.context():
        first = services.acknowledge(alert=alert, by=tenant_a.owner)
        again = services.acknowledge(alert=alert, by=tenant_a.staff)
    assert again.status == "acknowledged"
    assert again.acknowledged_by_id == tenant_a.owner.id
    assert again.acknowledged_at == first.acknowledged_at


def test_open_to_acknowledged_to_resolved_records_both_steps(tenant_a, raise_in):
    alert = raise_in(tenant_a)
    with tenant_a.context():
        services.acknowledge(alert=alert, by=tenant_a.owner)
        resolved = services.resolve(alert=alert, by=tenant_a.staff, note="  rotated the logs  ")
    assert resolved.status == "resolved"
    assert resolved.acknowledged_by_id == tenant_a.owner.id
    assert resolved.resolved_by_id == tenant_a.staff.id
    assert resolved.resolved_at >= resolved.acknowledged_at
    assert resolved.resolution_note == "rotated the logs"


def test_open_can_be_resolved_directly(tenant_a, raise_in):
    alert = raise_in(tenant_a)
    with tenant_a.context():
        resolved = services.resolve(alert=alert, by=tenant_a.staff)
    assert resolved.status == "resolved" and resolved.acknowledged_at is None and resolved.resolved_at is not None


def test_resolving_twice_is_idempotent_and_keeps_the_first_note(tenant_a, raise_in):
    alert = raise_in(tenant_a)
    with tenant_a.context():
        first = services.resolve(alert=alert, by=tenant_a.staff, note="first")
        again = services.resolve(alert=alert, by=tenant_a.owner, note="second")
    assert (again.resolution_note, again.resolved_by_id, again.resolved_at) == ("first", tenant_a.staff.id, first.resolved_at)


def test_acknowledging_a_resolved_alert_is_refused_with_a_clear_error(tenant_a, raise_in):
    alert = raise_in(tenant_a)
    with tenant_a.context():
        services.resolve(alert=alert, by=tenant_a.staff)
        with pytest.raises(SQLFunctionError, match="already resolved and cannot be acknowledged") as exc:
            services.acknowledge(alert=alert, by=tenant_a.staff)
        assert exc.value.sqlstate == "55000"
        assert SystemAlert.objects.get(id=alert.id).status == "resolved"


def test_acknowledging_an_unknown_alert_says_so(tenant_a):
    with tenant_a.context():
        with pytest.raises(SQLFunctionError, match="does not exist in this workspace"):
            services.acknowledge(alert=SystemAlert(id="00000000-0000-0000-0000-000000000001"), by=tenant_a.staff)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"severity": "fatal"}, "severity must be one of info, warning, error, critical, got 'fatal'"),
        ({"source": "  "}, "source is required"),
        ({"title": ""}, "title is required"),
    ],
)
def test_raise_refuses_bad_input_with_a_readable_message(tenant_a, raise_in, kwargs, message):
    with pytest.raises(SQLFunctionError, match=message):
        raise_in(tenant_a, **kwargs)


def test_raise_refuses_details_that_are_not_an_object(tenant_a):
    with tenant_a.context(), connection.cursor() as cursor:
        with pytest.raises(Exception, match="details must be a JSON object, got array"), transaction.atomic():
            cursor.execute("SELECT raise_system_alert('info', 's', 't', '', '[1]'::jsonb)")


def test_raise_without_a_workspace_is_refused_for_the_web_role(tenant_a):
    with pytest.raises(SQLFunctionError, match="only the schema owner may raise a platform-wide alert"):
        services.raise_alert(severity="info", source="s", title="t")


def test_the_status_and_its_timestamps_must_agree(tenant_a, raise_in):
    alert = raise_in(tenant_a)
    with tenant_a.context():
        with pytest.raises(IntegrityError, match="system_alerts_status_timestamps"), transaction.atomic():
            SystemAlert.objects.filter(id=alert.id).update(status="resolved")
        with pytest.raises(IntegrityError, match="system_alerts_status_timestamps"), transaction.atomic():
            SystemAlert.objects.filter(id=alert.id).update(status="open", acknowledged_at=alert.first_seen_at)


# ---------------------------------------------------------------- admins notified of error and critical alerts


def _notifications_of(tenant, user):
    with tenant.context(user):
        return list(UserNotification.objects.filter(user=user).select_related("alert"))


@pytest.mark.parametrize("severity", ["error", "critical"])
def test_an_error_or_critical_alert_notifies_the_workspace_owners_and_admins(tenant_a, raise_in, severity):
    alert = raise_in(tenant_a, user=tenant_a.marketer, severity=severity, title="Payments down")
    for admin in (tenant_a.owner, tenant_a.staff):
        [note] = _notifications_of(tenant_a, admin)
        assert note.alert_id == alert.id and note.kind == "alert"
        assert note.title == f"{severity.capitalize()} alert: Payments down"
    for member in (tenant_a.marketer, tenant_a.viewer):
        assert _notifications_of(tenant_a, member) == []


def test_warnings_and_repeats_of_a_critical_alert_notify_nobody_again(tenant_a, raise_in):
    raise_in(tenant_a, severity="warning", fingerprint="w")
    assert _notifications_of(tenant_a, tenant_a.owner) == []
    raise_in(tenant_a, severity="critical", fingerprint="c")
    raise_in(tenant_a, severity="critical", fingerprint="c")
    assert len(_notifications_of(tenant_a, tenant_a.owner)) == 1


def test_a_warning_escalating_to_critical_notifies_once(tenant_a, raise_in):
    raise_in(tenant_a, severity="warning", fingerprint="w")
    raise_in(tenant_a, severity="critical", fingerprint="w")
    raise_in(tenant_a, severity="error", fingerprint="w")
    assert len(_notifications_of(tenant_a, tenant_a.owner)) == 1


def test_a_critical_alert_in_one_workspace_does_not_notify_another_workspaces_admins(tenant_a, tenant_b, raise_in):
    raise_in(tenant_a, severity="critical")
    assert _notifications_of(tenant_b, tenant_b.owner) == []
