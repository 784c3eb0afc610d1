from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "intelligence"
    verbose_name = "Market intelligence"
    default_auto_field = "django.db.models.BigAutoField"
