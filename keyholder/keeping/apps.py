from django.apps import AppConfig


class KeepingConfig(AppConfig):
    name = "keyholder.keeping"
    label = "keeping"
    default_auto_field = "django.db.models.BigAutoField"
