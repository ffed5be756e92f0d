from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "keyholder.registry"
    label = "registry"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from keyholder.core.guards import guard_models

        # No control character, over-long text or out-of-range number reaches the database.
        guard_models(self)
