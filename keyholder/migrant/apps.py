from django.apps import AppConfig


class MigrantConfig(AppConfig):
    name = "keyholder.migrant"
    label = "migrant"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from keyholder.core import periodic
        from keyholder.migrant.reminders import queue_reminders

        periodic.register("migrant-reminders", queue_reminders)
