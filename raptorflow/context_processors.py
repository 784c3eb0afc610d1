from django.utils.functional import SimpleLazyObject

from raptorflow.models import Workspace


def workspace(request):
    """The current workspace and the switcher's choices, for every template."""
    user = getattr(request, "user", None)

    def choices():
        if user is not None and user.is_superuser:
            # Superusers may pick any workspace (the workspace policy shows them all).
            return [(w.id, w.name) for w in Workspace.objects.filter(is_active=True).order_by("name")]
        return [(m.workspace_id, m.workspace.name) for m in getattr(request, "memberships", [])]

    return {
        "current_workspace": getattr(request, "workspace", None),
        "current_membership": getattr(request, "membership", None),
        "workspace_choices": SimpleLazyObject(choices),
    }
