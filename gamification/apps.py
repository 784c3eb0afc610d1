from django.apps import AppConfig


class GamificationConfig(AppConfig):
    name = "gamification"
    verbose_name = "Gamification (014)"
    default_auto_field = "django.db.models.BigAutoField"
