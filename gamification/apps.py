from django.apps import AppConfig


class GamificationConfig(AppConfig):
    name = "gamification"
    verbose_name = "Gamification"
    default_auto_field = "django.db.models.BigAutoField"
