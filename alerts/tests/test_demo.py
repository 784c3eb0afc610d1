import io

import pytest

from alerts import demo
from alerts.models import SystemAlert, UserNotification
from raptorflow.tenancy import workspace_context

pytestmark = pytest.mark.django_db


def _snapshot(tenant, people):
    with tenant.context():
        alerts = sorted(SystemAlert.objects.values_list("fingerprint", "severity", "status", "occurrence_count"))
    notes = {}
    for role, user in people.items():
        with tenant.context(user):
            notes[role] = sorted(UserNotification.objects.values_list("title", flat=True))
    return alerts, notes


def test_demo_seed_covers_every_severity_and_status_and_is_idempotent(tenant_a):
    people = {"owner": tenant_a.owner, "admin": tenant_a.staff, "marketer": tenant_a.marketer, "viewer": tenant_a.viewer}
    for _ in range(2):
        with workspace_context(tenant_a.id, user_id=tenant_a.staff.id):
            demo.seed(workspace=tenant_a.workspace, people=people, stdout=io.StringIO())
        if _ == 0:
            first = _snapshot(tenant_a, people)
    assert _snapshot(tenant_a, people) == first
    alerts, notes = first
    assert {a[1] for a in alerts} == {"info", "warning", "error", "critical"}
    assert {a[2] for a in alerts} == {"open", "acknowledged", "resolved"}
    assert all(notes[role] for role in people)
    # The owner and the admin were told about the error and critical alerts.
    assert sum("alert:" in title for title in notes["owner"]) == 4
    assert not any("alert:" in title for title in notes["marketer"])
