"""Writes of the gamification app: thin wrappers over its SQL functions.

Views, admin actions, commands and demo data call these; a function's
``RAISE EXCEPTION`` arrives as :class:`raptorflow.sql.SQLFunctionError` with
the function's own message. All work in the current workspace context.
"""

from __future__ import annotations

from psycopg.types.json import Jsonb

from gamification.models import Achievement, UserAchievement, UserStats
from raptorflow.sql import SQLFunctionError, call_returning, call_scalar

__all__ = [
    "SQLFunctionError",
    "award_achievement",
    "criteria_problem",
    "increment_progress",
    "level_for_xp",
    "record_event",
    "refresh_user_stats",
    "set_achievements_active",
]


def _pk(value):
    return getattr(value, "pk", value)


def level_for_xp(xp: int) -> int:
    """The level a total of xp reaches (``gamification_level_for_xp``)."""
    return call_scalar("gamification_level_for_xp", xp)


def criteria_problem(criteria, *, target_value: int | None) -> str | None:
    """Why ``criteria`` is not a valid achievement criteria object, or None.

    The database's own check (``gamification_criteria_problem``), so the admin
    form and the trigger give the same sentence.
    """
    try:
        return call_scalar("gamification_criteria_problem", Jsonb(criteria), target_value)
    except SQLFunctionError as error:
        if error.sqlstate in ("22P02", "22P05", "54000"):
            # Not storable as jsonb at all (a \u0000 escape, a number beyond its range, too deep).
            return f"PostgreSQL cannot store these criteria as JSON: {error}."
        raise


def increment_progress(*, user, achievement, amount: int = 1) -> UserAchievement:
    """Add ``amount`` to a member's progress; completes (and credits xp) once at the target."""
    return call_returning(UserAchievement, "increment_achievement_progress", _pk(user), _pk(achievement), amount)


def award_achievement(*, user, achievement, awarded_by=None) -> UserAchievement:
    """Complete an achievement for a member by hand. Idempotent."""
    awarded_by = _pk(awarded_by) if awarded_by is not None else None
    return call_returning(UserAchievement, "award_achievement", _pk(user), _pk(achievement), awarded_by)


def record_event(*, user, event: str, subject=None, occurred_at=None) -> int:
    """Record a member's event once (``record_gamification_event``); how many achievements advanced.

    The domain tables' triggers call the function themselves; this is for
    events that happen outside them (the replay of history, demo sign-ins).
    """
    args = [_pk(user), event, _pk(subject) if subject is not None else None]
    if occurred_at is not None:
        args.append(occurred_at)
    return call_scalar("record_gamification_event", *args)


def refresh_user_stats(*, user) -> UserStats:
    """Recompute a member's xp, level and unlock count from their completed achievements."""
    return call_returning(UserStats, "refresh_user_stats", _pk(user))


def set_achievements_active(*, achievements, active: bool) -> int:
    """Activate or deactivate achievements (a queryset or ids); returns how many changed."""
    queryset = achievements if hasattr(achievements, "update") else Achievement.objects.filter(pk__in=achievements)
    return queryset.exclude(is_active=active).update(is_active=active)
