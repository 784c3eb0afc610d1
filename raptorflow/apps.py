from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class RaptorflowConfig(AppConfig):
    name = "raptorflow"
    default = True  # the app itself; the admin config below is installed by its dotted path
    verbose_name = "Tenancy"
    default_auto_field = "django.db.models.BigAutoField"


class RaptorFlowAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the project's site (raptorflow/admin_site.py) as ``admin.site``."""

    default = False
    default_site = "raptorflow.admin_site.RaptorFlowAdminSite"
