"""Every CHECK and unique rule of the five tables rejects bad data, in the database itself."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from campaigns.models import Campaign, CampaignCohort, CampaignQuest, MessageArchitecture
from campaigns.tests.factories import make_architecture, make_campaign, make_positioning, make_quest, target
from tests.factories import make_cohort

pytestmark = pytest.mark.django_db


def rejected(tenant, sql, params=(), match=None):
    """Run raw SQL in the tenant's context and assert the database refuses it (naming the constraint)."""
    with tenant.context():
        with pytest.raises(IntegrityError) as caught:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, params)
    if match:
        assert match in str(caught.value), str(caught.value)


# ---------------------------------------------------------------- positioning


def test_positioning_status_must_be_known(tenant_a):
    p = make_positioning(tenant_a)
    rejected(tenant_a, "UPDATE positioning SET status = 'live' WHERE id = %s", [p.id], "positioning_status_valid")


def test_positioning_name_cannot_be_blank(tenant_a):
    p = make_positioning(tenant_a)
    rejected(tenant_a, "UPDATE positioning SET name = '   ' WHERE id = %s", [p.id], "positioning_name_not_blank")


def test_positioning_proof_points_must_be_a_json_array(tenant_a):
    p = make_positioning(tenant_a)
    rejected(tenant_a, "UPDATE positioning SET proof_points = '{}' WHERE id = %s", [p.id], "positioning_proof_points_array")


def test_positioning_name_is_unique_per_workspace_only(tenant_a, tenant_b):
    make_positioning(tenant_a, "Premium")
    make_positioning(tenant_b, "Premium")  # another workspace may use the same name
    with pytest.raises(IntegrityError, match="positioning_workspace_lower_name_uniq"):
        with transaction.atomic():
            make_positioning(tenant_a, "Premium")


# ---------------------------------------------------------------- message architecture


def test_message_architecture_version_starts_at_one(tenant_a):
    m = make_architecture(tenant_a, make_positioning(tenant_a))
    rejected(tenant_a, "UPDATE message_architecture SET version = 0 WHERE id = %s", [m.id], "message_architecture_version_positive")


def test_message_architecture_pillars_are_objects_with_titles(tenant_a):
    m = make_architecture(tenant_a, make_positioning(tenant_a))
    rejected(tenant_a, "UPDATE message_architecture SET pillars = '{}' WHERE id = %s", [m.id], "message_architecture_pillars_array")
    rejected(tenant_a, """UPDATE message_architecture SET pillars = '["just text"]' WHERE id = %s""", [m.id], "pillars_have_titles")
    rejected(tenant_a, """UPDATE message_architecture SET pillars = '[{"message": "no title"}]' WHERE id = %s""", [m.id], "pillars_have_titles")
    with tenant_a.context():
        MessageArchitecture.objects.filter(id=m.id).update(pillars=[{"title": "Fast", "message": "m", "proof": "p"}])


def test_message_architecture_name_and_version_are_unique_per_positioning(tenant_a):
    p = make_positioning(tenant_a)
    make_architecture(tenant_a, p, "Narrative", version=1)
    make_architecture(tenant_a, p, "Narrative", version=2)
    make_architecture(tenant_a, make_positioning(tenant_a), "Narrative", version=1)
    with pytest.raises(IntegrityError, match="message_architecture_name_version_uniq"):
        with transaction.atomic():
            make_architecture(tenant_a, p, "Narrative", version=1)


def test_at_most_one_primary_architecture_per_positioning(tenant_a):
    p, other = make_positioning(tenant_a), make_positioning(tenant_a)
    make_architecture(tenant_a, p, is_primary=True)
    make_architecture(tenant_a, p, is_primary=False)
    make_architecture(tenant_a, other, is_primary=True)
    with pytest.raises(IntegrityError, match="message_architecture_one_primary_uniq"):
        with transaction.atomic():
            make_architecture(tenant_a, p, is_primary=True)


# ---------------------------------------------------------------- campaigns


@pytest.mark.parametrize(
    "assignment, constraint",
    [
        ("status = 'running'", "campaigns_status_valid"),
        ("name = ''", "campaigns_name_not_blank"),
        ("budget = -0.01", "campaigns_budget_not_negative"),
        ("starts_at = now(), ends_at = now() - interval '1 day'", "campaigns_ends_after_start"),
        ("status = 'scheduled', starts_at = NULL", "campaigns_scheduled_has_start"),
        ("channels = ARRAY['email', 'carrier_pigeon']", "campaigns_channels_valid"),
        ("kpi_targets = '[1, 2]'", "campaigns_kpi_targets_object"),
    ],
)
def test_campaign_checks_reject_bad_values(tenant_a, assignment, constraint):
    c = make_campaign(tenant_a)
    rejected(tenant_a, f"UPDATE campaigns SET {assignment} WHERE id = %s", [c.id], constraint)


def test_campaign_budget_is_numeric_12_2(tenant_a):
    c = make_campaign(tenant_a, budget=Decimal("9999999999.99"))
    with tenant_a.context():
        with pytest.raises(Exception, match="numeric field overflow"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("UPDATE campaigns SET budget = 10000000000 WHERE id = %s", [c.id])
        c.refresh_from_db()
    assert c.budget == Decimal("9999999999.99")


def test_campaign_accepts_equal_start_and_end_and_zero_budget(tenant_a):
    now = timezone.now()
    c = make_campaign(tenant_a, starts_at=now, ends_at=now, budget=Decimal("0"), status="scheduled", channels=["email", "sms"])
    assert c.pk


def test_campaign_name_is_unique_per_workspace_only(tenant_a, tenant_b):
    make_campaign(tenant_a, "Launch")
    make_campaign(tenant_b, "Launch")
    with pytest.raises(IntegrityError, match="campaigns_workspace_name_uniq"):
        with transaction.atomic():
            make_campaign(tenant_a, "Launch")


# ---------------------------------------------------------------- quests


@pytest.mark.parametrize(
    "assignment, constraint",
    [
        ("status = 'done'", "campaign_quests_status_valid"),
        ("title = ' '", "campaign_quests_title_not_blank"),
        ("xp_reward = -1", "campaign_quests_xp_reward_not_negative"),
        ("position = -1", "campaign_quests_position_not_negative"),
        ("status = 'completed', completed_at = NULL", "campaign_quests_completed_at_matches_status"),
        ("status = 'pending', completed_at = now()", "campaign_quests_completed_at_matches_status"),
    ],
)
def test_quest_checks_reject_bad_values(tenant_a, assignment, constraint):
    q = make_quest(tenant_a, make_campaign(tenant_a))
    rejected(tenant_a, f"UPDATE campaign_quests SET {assignment} WHERE id = %s", [q.id], constraint)


def test_quest_cannot_be_its_own_parent(tenant_a):
    c = make_campaign(tenant_a)
    q = make_quest(tenant_a, c)
    # On UPDATE the hierarchy trigger answers first, with a readable message...
    rejected(tenant_a, "UPDATE campaign_quests SET parent_id = id WHERE id = %s", [q.id], "cannot be nested under one of its own sub-quests")
    # ...and the CHECK catches a row born pointing at itself.
    rejected(
        tenant_a,
        "INSERT INTO campaign_quests (id, campaign_id, parent_id, title) VALUES (%s, %s, %s, 'Loop')",
        [q.id.hex[:-4] + "beef", c.id, q.id.hex[:-4] + "beef"],
        "campaign_quests_not_own_parent",
    )


def test_completing_a_quest_through_the_model_stamps_completed_at(tenant_a):
    q = make_quest(tenant_a, make_campaign(tenant_a))
    with tenant_a.context():
        q.status = CampaignQuest.Status.COMPLETED
        q.save(update_fields=["status"])
        q.refresh_from_db()
        assert q.completed_at is not None
        q.status = CampaignQuest.Status.PENDING
        q.save()
        q.refresh_from_db()
        assert q.completed_at is None


# ---------------------------------------------------------------- campaign cohorts


def test_campaign_cohort_role_must_be_known(tenant_a):
    t = target(tenant_a, make_campaign(tenant_a), make_cohort(tenant_a.workspace))
    rejected(tenant_a, "UPDATE campaign_cohorts SET role = 'vip' WHERE id = %s", [t.id], "campaign_cohorts_role_valid")


def test_a_cohort_is_targeted_once_per_campaign(tenant_a):
    campaign, cohort = make_campaign(tenant_a), make_cohort(tenant_a.workspace)
    target(tenant_a, campaign, cohort)
    target(tenant_a, make_campaign(tenant_a), cohort)  # another campaign may target it
    with pytest.raises(IntegrityError, match="campaign_cohorts_pair_uniq"):
        with transaction.atomic():
            target(tenant_a, campaign, cohort, role="control")


# ---------------------------------------------------------------- delete rules


def test_deleting_a_positioning_deletes_its_messaging_and_unlinks_campaigns(tenant_a):
    p = make_positioning(tenant_a)
    m = make_architecture(tenant_a, p)
    c = make_campaign(tenant_a, positioning=p, message_architecture=m)
    with tenant_a.context(), connection.cursor() as cursor:
        # Raw SQL: the database's own ON DELETE rules, not Django's emulation.
        cursor.execute("DELETE FROM positioning WHERE id = %s", [p.id])
        assert not MessageArchitecture.objects.filter(id=m.id).exists()
        c.refresh_from_db()
        assert c.positioning_id is None and c.message_architecture_id is None
        assert c.workspace_id == tenant_a.id


def test_deleting_a_campaign_deletes_its_quests_and_targeting_but_not_cohorts(tenant_a):
    c = make_campaign(tenant_a)
    parent = make_quest(tenant_a, c)
    make_quest(tenant_a, c, parent=parent)
    cohort = make_cohort(tenant_a.workspace)
    target(tenant_a, c, cohort)
    with tenant_a.context(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM campaigns WHERE id = %s", [c.id])
        assert CampaignQuest.objects.count() == 0
        assert CampaignCohort.objects.count() == 0
        assert cohort.__class__.objects.filter(id=cohort.id).exists()


def test_deleting_a_quest_deletes_its_subtree(tenant_a):
    c = make_campaign(tenant_a)
    root = make_quest(tenant_a, c)
    child = make_quest(tenant_a, c, parent=root)
    make_quest(tenant_a, c, parent=child)
    sibling = make_quest(tenant_a, c)
    with tenant_a.context(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM campaign_quests WHERE id = %s", [root.id])
        assert list(CampaignQuest.objects.values_list("id", flat=True)) == [sibling.id]


def test_deleting_a_user_keeps_their_campaigns_in_every_workspace(tenant_a):
    from tests.factories import make_user

    author = make_user()
    c = make_campaign(tenant_a, created_by=author)
    p = make_positioning(tenant_a, created_by=author)
    # Outside any workspace context: the rows are invisible, yet the database's ON DELETE SET NULL reaches them.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM users WHERE id = %s", [author.id])
    with tenant_a.context():
        c.refresh_from_db()
        p.refresh_from_db()
    assert c.created_by_id is None and p.created_by_id is None


def test_dates_check_uses_the_database_not_just_forms(tenant_a):
    start = timezone.now()
    with tenant_a.context():
        with pytest.raises(IntegrityError, match="campaigns_ends_after_start"):
            with transaction.atomic():
                Campaign.objects.create(name="Backwards", starts_at=start, ends_at=start - datetime.timedelta(seconds=1))
