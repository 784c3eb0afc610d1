"""The project's shape (issue 18): where things live and how the tools start."""

from django.contrib import admin

from raptorflow.admin_site import RaptorFlowAdminSite


def test_the_admin_site_is_the_projects_own_class_not_a_patched_default():
    assert isinstance(admin.site, RaptorFlowAdminSite)  # Django's lazy DefaultAdminSite wraps it
    assert str(admin.site.site_header) == "RaptorFlow operations"
    assert admin.site.index_template == "admin/raptorflow_index.html"
    # Every app registered on it (through @admin.register), nothing on a second site.
    labels = {model._meta.app_label for model in admin.site._registry}
    assert {"raptorflow", "campaigns", "gamification", "agents", "intelligence", "alerts"} <= labels
