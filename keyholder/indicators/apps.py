from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "keyholder.indicators"
    label = "indicators"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from keyholder.core import effects
        from keyholder.indicators.tasks import move_after, refresh_after
        from keyholder.keeping.signals import CARE_CHANGED
        from keyholder.registry.signals import FED_CHANGED, REGISTRY_CHANGED

        # Registry writes move every indicator; keeping agreements move the kept and unkept
        # vacant houses. Both refresh the villages touched: the refresh job is enqueued in the
        # write's own transaction (one commit, and the job commits exactly when the write
        # does); the worker runs it after commit.
        effects.listen(REGISTRY_CHANGED, refresh_after, in_transaction=True)
        # Events and new persons: their span changes are in the change feed, the store moves
        # by them (reading the households touched, not the villages).
        effects.listen(FED_CHANGED, move_after, in_transaction=True)
        effects.listen(CARE_CHANGED, refresh_after, in_transaction=True)
