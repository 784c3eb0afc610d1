"""``{% my_progress %}``: the signed-in member's level, xp, streak and latest unlocks in this workspace."""

from django import template

from gamification.models import UserAchievement, UserStats, xp_for_level

register = template.Library()


@register.inclusion_tag("gamification/_my_progress.html", takes_context=True)
def my_progress(context):
    request = context.get("request")
    if request is None or getattr(request, "membership", None) is None:
        return {"show": False}
    workspace_id, user_id = request.workspace.id, request.user.id
    stats = UserStats.objects.filter(workspace_id=workspace_id, user_id=user_id).first() or UserStats(level=1, total_xp=0)
    recent = list(
        UserAchievement.objects.filter(workspace_id=workspace_id, user_id=user_id, completed_at__isnull=False)
        .select_related("achievement")
        .order_by("-completed_at")[:3]
    )
    floor, ceiling = xp_for_level(stats.level), xp_for_level(stats.level + 1)
    return {
        "show": True,
        "stats": stats,
        "recent": recent,
        "next_level": stats.level + 1,
        "xp_to_next": max(ceiling - stats.total_xp, 0),
        "level_progress": stats.total_xp - floor,
        "level_span": ceiling - floor,
    }
