"""Writes of the campaigns domain that span rows or depend on database rules.

Views, admin actions and the demo call these. Each runs in one transaction;
the quest tree's rules (same campaign, no cycles) are the database trigger's,
whose message reaches the caller as :class:`QuestTreeError`.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import wraps

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from campaigns.models import Campaign, CampaignCohort, CampaignQuest, MessageArchitecture


class QuestTreeError(Exception):
    """A quest move the tree rules refuse; ``str(error)`` is readable."""


class CampaignArchived(Exception):
    """A write to an archived campaign's quests or cohorts; ``str(error)`` is readable, ``campaign_id`` names it."""

    def __init__(self, message: str, *, campaign_id):
        super().__init__(message)
        self.campaign_id = campaign_id


# SQLSTATE of campaign_children_refuse_archived() (migration 0007).
ARCHIVED_SQLSTATE = "RFC01"


def _db_message(exc: Exception) -> str:
    cause = exc.__cause__ or exc
    diag = getattr(cause, "diag", None)
    return getattr(diag, "message_primary", None) or str(cause)


def archived_message(campaign: Campaign) -> str:
    return f"\u201c{campaign.name}\u201d is archived, so its quests and cohorts are read-only. Restore the campaign to change them."


def ensure_writable(campaign: Campaign) -> None:
    """Raise :class:`CampaignArchived` for an archived campaign (the database would refuse the write too)."""
    if campaign.is_archived:
        raise CampaignArchived(archived_message(campaign), campaign_id=campaign.id)


def _writes_to(campaign_of):
    """For a service that writes a campaign's quests or cohort targets (``campaign_of(kwargs)`` names the campaign).

    An archived campaign is refused up front, and the database's own refusal
    (the campaign archived meanwhile) becomes :class:`CampaignArchived` too,
    its savepoint rolled back, so callers handle one exception.
    """

    def decorate(function):
        @wraps(function)
        def wrapped(**kwargs):
            campaign = campaign_of(kwargs)
            ensure_writable(campaign)
            with _refusals_of(campaign.id):
                return function(**kwargs)

        return wrapped

    return decorate


_of_campaign = _writes_to(lambda kwargs: kwargs["campaign"])
_of_quest = _writes_to(lambda kwargs: kwargs["quest"].campaign)
_of_target = _writes_to(lambda kwargs: kwargs["target"].campaign)


@contextmanager
def _refusals_of(campaign_id):
    """The block's writes in a savepoint; the database's archived refusal (a race with archiving) becomes CampaignArchived."""
    try:
        with transaction.atomic():
            yield
    except DatabaseError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != ARCHIVED_SQLSTATE:
            raise
        raise CampaignArchived(_db_message(exc).capitalize() + ".", campaign_id=campaign_id) from exc


# ---------------------------------------------------------------- campaigns


def archive_campaign(*, campaign: Campaign) -> Campaign:
    """Archive: the campaign leaves the default lists, and its quests and cohorts become read-only."""
    campaign.status = Campaign.Status.ARCHIVED
    campaign.save(update_fields=["status"])
    return campaign


def restore_campaign(*, campaign: Campaign) -> Campaign:
    """Undo archiving: the campaign is a draft again, its quests and cohorts writable (archiving is not final)."""
    campaign.status = Campaign.Status.DRAFT
    campaign.save(update_fields=["status"])
    return campaign


# ---------------------------------------------------------------- quests


def _siblings(*, campaign_id, parent_id):
    return CampaignQuest.objects.filter(campaign_id=campaign_id, parent_id=parent_id).order_by("position", "created_at", "id")


def _next_position(*, campaign_id, parent_id) -> int:
    top = _siblings(campaign_id=campaign_id, parent_id=parent_id).aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


def _renumber(quests: list[CampaignQuest]) -> None:
    changed = []
    for position, quest in enumerate(quests):
        if quest.position != position:
            quest.position = position
            changed.append(quest)
    if changed:
        CampaignQuest.objects.bulk_update(changed, ["position"])


def _save_tree_change(quest: CampaignQuest, fields: list[str]) -> None:
    try:
        with transaction.atomic():
            quest.save(update_fields=fields)
    except IntegrityError as exc:
        raise QuestTreeError(_db_message(exc)) from exc


@_of_campaign
@transaction.atomic
def add_quest(*, campaign: Campaign, title: str, parent: CampaignQuest | None = None, **fields) -> CampaignQuest:
    """Append a quest at the end of its siblings (top level, or under ``parent``)."""
    if parent is not None and parent.campaign_id != campaign.id:
        raise QuestTreeError("The parent quest belongs to another campaign.")
    quest = CampaignQuest(
        campaign=campaign,
        parent=parent,
        title=title,
        position=_next_position(campaign_id=campaign.id, parent_id=parent.id if parent else None),
        **fields,
    )
    try:
        with transaction.atomic():
            quest.save(force_insert=True)
    except IntegrityError as exc:
        raise QuestTreeError(_db_message(exc)) from exc
    return quest


@_of_quest
@transaction.atomic
def move_quest(*, quest: CampaignQuest, direction: str) -> bool:
    """Swap the quest with its previous (``"up"``) or next (``"down"``) sibling; False at either end."""
    if direction not in ("up", "down"):
        raise ValueError(f"direction must be 'up' or 'down', got {direction!r}")
    siblings = list(_siblings(campaign_id=quest.campaign_id, parent_id=quest.parent_id).select_for_update())
    index = next(i for i, q in enumerate(siblings) if q.id == quest.id)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return False
    siblings[index], siblings[other] = siblings[other], siblings[index]
    _renumber(siblings)
    return True


@_of_quest
@transaction.atomic
def set_quest_parent(*, quest: CampaignQuest, parent: CampaignQuest | None, after: CampaignQuest | None = None) -> CampaignQuest:
    """Move the quest (with its subtree) under ``parent`` (None: top level), last or right after ``after``."""
    if parent is not None and parent.campaign_id != quest.campaign_id:
        raise QuestTreeError("The parent quest belongs to another campaign.")
    old_parent_id = quest.parent_id
    new_parent_id = parent.id if parent else None
    if old_parent_id == new_parent_id:
        return quest
    quest.parent_id = new_parent_id
    quest.position = _next_position(campaign_id=quest.campaign_id, parent_id=new_parent_id)
    _save_tree_change(quest, ["parent", "position"])
    _renumber(list(_siblings(campaign_id=quest.campaign_id, parent_id=old_parent_id)))
    if after is not None:
        siblings = [q for q in _siblings(campaign_id=quest.campaign_id, parent_id=new_parent_id) if q.id != quest.id]
        index = next((i for i, q in enumerate(siblings) if q.id == after.id), len(siblings) - 1)
        siblings.insert(index + 1, quest)
        _renumber(siblings)
    return quest


@_of_quest
@transaction.atomic
def save_quest(*, quest: CampaignQuest, parent: CampaignQuest | None) -> CampaignQuest:
    """Save an edited quest (its other fields set by a form) and move it under ``parent`` by the tree rules."""
    quest.parent_id = CampaignQuest.objects.values_list("parent_id", flat=True).get(pk=quest.pk)
    quest.save()
    return set_quest_parent(quest=quest, parent=parent)


@_of_quest
def indent_quest(*, quest: CampaignQuest) -> CampaignQuest:
    """Nest the quest under its previous sibling (as that sibling's last sub-quest)."""
    siblings = list(_siblings(campaign_id=quest.campaign_id, parent_id=quest.parent_id))
    index = next(i for i, q in enumerate(siblings) if q.id == quest.id)
    if index == 0:
        raise QuestTreeError(f"\u201c{quest.title}\u201d has no quest above it to nest under.")
    return set_quest_parent(quest=quest, parent=siblings[index - 1])


@_of_quest
def outdent_quest(*, quest: CampaignQuest) -> CampaignQuest:
    """Move the quest up one level, right after its former parent."""
    if quest.parent_id is None:
        raise QuestTreeError(f"\u201c{quest.title}\u201d is already a top-level quest.")
    parent = CampaignQuest.objects.get(id=quest.parent_id)
    grandparent = CampaignQuest.objects.get(id=parent.parent_id) if parent.parent_id else None
    return set_quest_parent(quest=quest, parent=grandparent, after=parent)


@_of_quest
def complete_quest(*, quest: CampaignQuest) -> CampaignQuest:
    quest.status = CampaignQuest.Status.COMPLETED
    quest.completed_at = timezone.now()
    quest.save(update_fields=["status", "completed_at"])
    return quest


@_of_quest
def reopen_quest(*, quest: CampaignQuest) -> CampaignQuest:
    quest.status = CampaignQuest.Status.PENDING
    quest.completed_at = None
    quest.save(update_fields=["status", "completed_at"])
    return quest


@_of_quest
@transaction.atomic
def delete_quest(*, quest: CampaignQuest) -> int:
    """Delete the quest and its subtree; close the gap among its siblings. Returns the quests deleted."""
    campaign_id, parent_id = quest.campaign_id, quest.parent_id
    deleted = quest.delete()[1].get(CampaignQuest._meta.label, 0)
    _renumber(list(_siblings(campaign_id=campaign_id, parent_id=parent_id)))
    return deleted


# ---------------------------------------------------------------- cohort targeting


@_of_campaign
def target_cohort(*, campaign: Campaign, cohort, role: str = CampaignCohort.Role.PRIMARY) -> tuple[CampaignCohort, bool]:
    """Target ``cohort`` with ``role`` (changing the role if it is already targeted); returns (row, created)."""
    return CampaignCohort.objects.update_or_create(campaign=campaign, cohort=cohort, defaults={"role": role})


@_of_target
def untarget_cohort(*, target: CampaignCohort) -> None:
    target.delete()


# ---------------------------------------------------------------- message architecture


@transaction.atomic
def save_message_architecture(*, architecture: MessageArchitecture) -> MessageArchitecture:
    """Save; when it is primary, the positioning's previous primary stops being so (one primary per positioning)."""
    if architecture.is_primary:
        (
            MessageArchitecture.objects.filter(positioning_id=architecture.positioning_id, is_primary=True)
            .exclude(id=architecture.id)
            .update(is_primary=False)
        )
    architecture.save()
    return architecture


def make_primary(*, architecture: MessageArchitecture) -> MessageArchitecture:
    architecture.is_primary = True
    return save_message_architecture(architecture=architecture)
