from django.apps import AppConfig


class RaptorflowConfig(AppConfig):
    name = "raptorflow"
    verbose_name = "Tenancy"
    default_auto_field = "django.db.models.BigAutoField"
