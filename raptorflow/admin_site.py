"""The admin site of the project: its names, its index and the header's notification badge.

Installed through ``RaptorFlowAdminConfig.default_site`` (raptorflow/apps.py),
so every ``@admin.register`` in the apps registers here; nothing sets
attributes on Django's default site at import time.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class _Once:
    """A value computed on first use and kept for the request (templates call callables on every lookup)."""

    def __init__(self, compute):
        self._compute = compute

    @cached_property
    def value(self):
        return self._compute()

    def __call__(self):
        return self.value


def _signed_in_with_workspace(request) -> bool:
    return getattr(request, "workspace", None) is not None and request.user.is_authenticated


class RaptorFlowAdminSite(admin.AdminSite):
    site_header = _("RaptorFlow operations")
    site_title = _("RaptorFlow admin")
    index_title = _("Operations")
    # Django's index with the open alerts by severity above the app list; the template
    # extends "admin/index.html" under another name, so it cannot recurse.
    index_template = "admin/raptorflow_index.html"

    def each_context(self, request):
        context = super().each_context(request)
        # The header badge: the signed-in person's unread notifications in this workspace,
        # None without a workspace. Counted only if the page shows the header.
        context["unread_notifications"] = _Once(lambda: self.unread_notifications(request))
        return context

    def get_app_list(self, request, app_label=None):
        """Django's app list, built once per request (issue 19).

        Every admin page builds it for the sidebar (``each_context``'s ``available_apps``)
        and the index builds it again for its body: each build asks every registered
        model admin for its module and model permissions and reverses two URLs per
        model. Permissions do not change within a request, so the index's second
        build is the first one's result.
        """
        if app_label is not None:
            return super().get_app_list(request, app_label)
        # Keyed by the user and workspace too: a request object reused with another user (tests) builds again.
        key = (request.user, getattr(request, "workspace", None))
        cached = getattr(request, "_raptorflow_app_list", None)
        if cached is None or cached[0] != key:
            cached = (key, super().get_app_list(request))
            request._raptorflow_app_list = cached
        return cached[1]

    def index(self, request, extra_context=None):
        return super().index(request, {"open_alerts": self.open_alerts(request), **(extra_context or {})})

    @staticmethod
    def unread_notifications(request) -> int | None:
        if not _signed_in_with_workspace(request):
            return None
        from alerts import services

        return services.unread_count()

    @staticmethod
    def open_alerts(request) -> dict | None:
        """Open alerts of the workspace (and platform-wide ones) per severity, most severe first; one query."""
        if not _signed_in_with_workspace(request):
            return None
        from alerts.admin import open_alerts_by_severity

        return open_alerts_by_severity(request)
