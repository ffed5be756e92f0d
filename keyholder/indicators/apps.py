from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "keyholder.indicators"
    label = "indicators"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from keyholder.core import effects
        from keyholder.indicators.tasks import refresh_after
        from keyholder.keeping.signals import CARE_CHANGED
        from keyholder.registry.signals import REGISTRY_CHANGED

        # Registry writes move every indicator; keeping agreements move the kept and unkept
        # vacant houses. Both refresh the villages touched, after commit.
        effects.listen(REGISTRY_CHANGED, refresh_after)
        effects.listen(CARE_CHANGED, refresh_after)
