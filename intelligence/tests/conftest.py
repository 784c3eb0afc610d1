import pytest

from intelligence import services


@pytest.fixture
def ingest():
    """``ingest(tenant, title, **kwargs)``: a signal in the tenant's workspace, as its staff member."""

    def make(tenant, title="Summit Gear cuts tent prices", **kwargs):
        kwargs.setdefault("source", "price_tracker")
        kwargs.setdefault("signal_type", "competitor_pricing")
        with tenant.context():
            return services.ingest_signal(title=title, **kwargs)

    return make
