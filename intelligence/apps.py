from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "intelligence"
    verbose_name = "Market intelligence (016)"
    default_auto_field = "django.db.models.BigAutoField"
