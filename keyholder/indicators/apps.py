from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "keyholder.indicators"
    label = "indicators"
    default_auto_field = "django.db.models.BigAutoField"
