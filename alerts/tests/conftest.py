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
