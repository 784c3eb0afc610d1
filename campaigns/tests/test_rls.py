"""Workspace isolation of every campaigns table, cross-workspace references, and the triggers."""

import pytest
from django.db import IntegrityError, ProgrammingError, connection, transaction

from campaigns.models import Campaign, CampaignCohort, CampaignQuest, MessageArchitecture, Positioning
from campaigns.tests.factories import make_architecture, make_campaign, make_positioning, make_quest, target
from tests.factories import make_cohort

pytestmark = pytest.mark.django_db

MODELS = [Positioning, MessageArchitecture, Campaign, CampaignQuest, CampaignCohort]


@pytest.fixture
def both(tenant_a, tenant_b):
    """One row in every table for each workspace."""
    rows = {}
    for tenant in (tenant_a, tenant_b):
        p = make_positioning(tenant)
        m = make_architecture(tenant, p)
        c = make_campaign(tenant, positioning=p, message_architecture=m)
        q = make_quest(tenant, c)
        t = target(tenant, c, make_cohort(tenant.workspace))
        rows[tenant.id] = {Positioning: p, MessageArchitecture: m, Campaign: c, CampaignQuest: q, CampaignCohort: t}
    return rows


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.db_table)
def test_each_workspace_sees_only_its_own_rows(both, tenant_a, tenant_b, model):
    for tenant in (tenant_a, tenant_b):
        with tenant.context():
            assert list(model.objects.values_list("id", flat=True)) == [both[tenant.id][model].id]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.db_table)
def test_no_workspace_sees_and_writes_nothing(both, model):
    assert model.objects.count() == 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {model._meta.db_table}")
        assert cursor.fetchone()[0] == 0


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.db_table)
def test_a_workspace_cannot_update_or_delete_another_workspaces_rows(both, tenant_a, tenant_b, model):
    theirs = both[tenant_b.id][model]
    with tenant_a.context():
        assert model.objects.filter(id=theirs.id).update(updated_at=theirs.updated_at) == 0
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE id = %s", [theirs.id])
            assert cursor.rowcount == 0
    with tenant_b.context():
        assert model.objects.filter(id=theirs.id).exists()


def test_a_workspace_cannot_insert_rows_into_another_workspace(tenant_a, tenant_b):
    with tenant_a.context():
        with pytest.raises(ProgrammingError, match="row-level security"):
            with transaction.atomic():
                Positioning.objects.create(workspace=tenant_b.workspace, name="smuggled")


def test_rows_written_by_sql_default_to_the_current_workspace(tenant_a):
    with tenant_a.context(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO campaigns (name) VALUES ('From SQL') RETURNING workspace_id")
        assert cursor.fetchone()[0] == tenant_a.id


# ---------------------------------------------------------------- cross-workspace references


def _refused(tenant, sql, params, constraint):
    with tenant.context():
        with pytest.raises(IntegrityError, match=constraint):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, params)


def test_campaign_cannot_point_at_another_workspaces_positioning(both, tenant_a, tenant_b):
    _refused(tenant_a, "UPDATE campaigns SET positioning_id = %s WHERE id = %s",
             [both[tenant_b.id][Positioning].id, both[tenant_a.id][Campaign].id], "campaigns_positioning_id_same_ws_fk")


def test_campaign_cannot_point_at_another_workspaces_messaging(both, tenant_a, tenant_b):
    _refused(tenant_a, "UPDATE campaigns SET message_architecture_id = %s WHERE id = %s",
             [both[tenant_b.id][MessageArchitecture].id, both[tenant_a.id][Campaign].id], "campaigns_message_architecture_id_same_ws_fk")


def test_messaging_cannot_belong_to_another_workspaces_positioning(both, tenant_a, tenant_b):
    _refused(tenant_a, "INSERT INTO message_architecture (name, positioning_id) VALUES ('x', %s)",
             [both[tenant_b.id][Positioning].id], "message_architecture_positioning_id_same_ws_fk")


def test_quest_cannot_belong_to_another_workspaces_campaign(both, tenant_a, tenant_b):
    _refused(tenant_a, "INSERT INTO campaign_quests (title, campaign_id) VALUES ('x', %s)",
             [both[tenant_b.id][Campaign].id], "campaign_quests_campaign_id_same_ws_fk")


def test_quest_cannot_have_a_parent_in_another_workspace(both, tenant_a, tenant_b):
    _refused(tenant_a, "UPDATE campaign_quests SET parent_id = %s WHERE id = %s",
             [both[tenant_b.id][CampaignQuest].id, both[tenant_a.id][CampaignQuest].id], "campaign_quests_parent_id_same_ws_fk")


def test_targeting_cannot_name_another_workspaces_campaign(both, tenant_a, tenant_b):
    cohort = make_cohort(tenant_a.workspace)
    _refused(tenant_a, "INSERT INTO campaign_cohorts (campaign_id, cohort_id) VALUES (%s, %s)",
             [both[tenant_b.id][Campaign].id, cohort.id], "campaign_cohorts_campaign_id_same_ws_fk")


def test_campaign_cannot_target_another_workspaces_cohort(both, tenant_a, tenant_b):
    theirs = make_cohort(tenant_b.workspace)
    _refused(tenant_a, "INSERT INTO campaign_cohorts (campaign_id, cohort_id) VALUES (%s, %s)",
             [both[tenant_a.id][Campaign].id, theirs.id], "campaign_cohorts_cohort_id_same_ws_fk")


def test_the_orm_refuses_cross_workspace_targeting_too(both, tenant_a, tenant_b):
    theirs = make_cohort(tenant_b.workspace)
    with tenant_a.context():
        with pytest.raises(IntegrityError):
            with transaction.atomic():
                CampaignCohort.objects.create(campaign=both[tenant_a.id][Campaign], cohort_id=theirs.id)


# ---------------------------------------------------------------- updated_at triggers


@pytest.mark.parametrize("table, model", [("positioning", Positioning), ("campaigns", Campaign)])
def test_updated_at_is_maintained_by_the_database(tenant_a, table, model):
    row = make_positioning(tenant_a) if model is Positioning else make_campaign(tenant_a)
    with tenant_a.context(), connection.cursor() as cursor:
        # set_updated_at() stamps the statement's time: statement_timestamp(), the column default's clock.
        cursor.execute(f"UPDATE {table} SET updated_at = '2001-01-01', name = name || '!' WHERE id = %s RETURNING updated_at, statement_timestamp()", [row.id])
        updated_at, now = cursor.fetchone()
        assert updated_at == now
        # An UPDATE that changes nothing leaves the row (and its timestamp) alone.
        cursor.execute(f"UPDATE {table} SET name = name WHERE id = %s RETURNING updated_at", [row.id])
        assert cursor.fetchone()[0] == now


# ---------------------------------------------------------------- quest hierarchy


def test_quest_hierarchy_refuses_cycles_with_a_readable_error(tenant_a):
    c = make_campaign(tenant_a)
    a = make_quest(tenant_a, c, "A")
    b = make_quest(tenant_a, c, "B", parent=a)
    d = make_quest(tenant_a, c, "D", parent=b)
    with tenant_a.context():
        with pytest.raises(IntegrityError, match='quest "A" cannot be nested under one of its own sub-quests'):
            with transaction.atomic():
                CampaignQuest.objects.filter(id=a.id).update(parent=d)
        # A legal move still works.
        CampaignQuest.objects.filter(id=d.id).update(parent=a)


def test_quest_parent_must_be_in_the_same_campaign(tenant_a):
    a = make_quest(tenant_a, make_campaign(tenant_a))
    other = make_quest(tenant_a, make_campaign(tenant_a))
    with tenant_a.context():
        with pytest.raises(IntegrityError, match="belongs to another campaign"):
            with transaction.atomic():
                CampaignQuest.objects.filter(id=a.id).update(parent=other)


def test_a_quest_with_sub_quests_cannot_change_campaign(tenant_a):
    c, other = make_campaign(tenant_a), make_campaign(tenant_a)
    a = make_quest(tenant_a, c)
    make_quest(tenant_a, c, parent=a)
    with tenant_a.context():
        with pytest.raises(IntegrityError, match="has sub-quests"):
            with transaction.atomic():
                CampaignQuest.objects.filter(id=a.id).update(campaign=other)
