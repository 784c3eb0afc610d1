import itertools

from gamification.models import Achievement

_counter = itertools.count(1)


def make_achievement(tenant, *, target_value=3, xp_reward=100, event="quest_completed", **fields):
    """An achievement in the tenant's workspace (written through RLS in its context)."""
    n = next(_counter)
    fields.setdefault("code", f"achievement-{n}")
    fields.setdefault("name", f"Achievement {n}")
    with tenant.context():
        return Achievement.objects.create(
            workspace=tenant.workspace,
            target_value=target_value,
            xp_reward=xp_reward,
            criteria={"event": event, "count": target_value},
            **fields,
        )
