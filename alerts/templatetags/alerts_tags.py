"""Template tags for the admin header badge and the admin index summary."""

from django import template
from django.db.models import Count

from alerts import services
from alerts.admin import alerts_in_scope
from alerts.models import Severity, SystemAlert

register = template.Library()


def _request(context):
    request = context.get("request")
    if request is None or getattr(request, "workspace", None) is None or not request.user.is_authenticated:
        return None
    return request


@register.simple_tag(takes_context=True)
def unread_notification_badge(context):
    """The current user's unread notifications in the current workspace, or None without a workspace."""
    if _request(context) is None:
        return None
    return services.unread_count()


@register.simple_tag(takes_context=True)
def open_alerts_by_severity(context):
    """Open alerts of the workspace (and platform-wide ones) per severity, most severe first; one query."""
    request = _request(context)
    if request is None:
        return None
    counts = dict(
        alerts_in_scope(request)
        .filter(status=SystemAlert.Status.OPEN)
        .order_by()
        .values_list("severity")
        .annotate(n=Count("id"))
    )
    by_severity = [(value, label, counts[value]) for value, label in reversed(Severity.choices) if counts.get(value)]
    return {"by_severity": by_severity, "total": sum(counts.values())}
