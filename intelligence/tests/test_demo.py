"""Demo data: content matching the workspace, idempotent, through RLS."""

from io import StringIO

import pytest

from intelligence import demo
from intelligence.models import IntelligenceSignal, MarketInsight
from tests.factories import make_user, make_workspace
from raptorflow.tenancy import workspace_context

pytestmark = pytest.mark.django_db


def _seed(workspace, admin):
    with workspace_context(workspace.id, user_id=admin.id):
        demo.seed(workspace=workspace, people={"admin": admin}, stdout=StringIO())
        return (
            sorted(IntelligenceSignal.objects.values_list("fingerprint", "occurrences", "status")),
            sorted(MarketInsight.objects.values_list("title", "status", "confidence")),
        )


def test_demo_seed_fits_the_outdoor_retailer_and_is_idempotent():
    admin = make_user(is_staff=True)
    workspace = make_workspace("Acme Outdoor", slug="acme-outdoor", owner=admin)
    first = _seed(workspace, admin)
    assert _seed(workspace, admin) == first
    signals, insights = first
    assert len(signals) == 30 and len(insights) == 4
    assert {status for _, _, status in signals} == {"new", "reviewed", "dismissed", "actioned"}
    assert any(occurrences > 1 for _, occurrences, _ in signals)
    assert [s for _, s, _ in insights].count("published") == 2
    assert any("Summit Gear" in title for title, _, _ in insights)


def test_demo_seed_gives_other_workspaces_generic_content():
    admin = make_user(is_staff=True)
    workspace = make_workspace("Somewhere Else", owner=admin)
    signals, insights = _seed(workspace, admin)
    assert len(signals) == 10 and len(insights) == 2
