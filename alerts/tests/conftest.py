import pytest

from alerts import services


@pytest.fixture
def raise_in():
    """``raise_in(tenant, **kwargs)``: raise an alert in the tenant's workspace as its staff member."""

    def make(tenant, user=None, **kwargs):
        kwargs.setdefault("severity", "warning")
        kwargs.setdefault("source", "tests")
        kwargs.setdefault("title", "Disk almost full")
        with tenant.context(user):
            return services.raise_alert(**kwargs)

    return make


@pytest.fixture
def platform_alert(owner_conn):
    """An open platform-wide alert, raised the only way one can be: as the schema owner, with no workspace set.

    Committed (the owner's connection), and deleted afterwards with its notifications.
    """
    alert_id = owner_conn.execute(
        "SELECT id FROM raise_system_alert('warning', 'platform', 'Provider maintenance window')"
    ).fetchone()[0]
    yield alert_id
    owner_conn.execute("DELETE FROM user_notifications WHERE alert_id = %s", [alert_id])
    owner_conn.execute("DELETE FROM system_alerts WHERE id = %s", [alert_id])
