from typing import Any

from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "keyholder.indicators"
    label = "indicators"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from keyholder.indicators.tasks import on_registry_changed, queue_village_refresh
        from keyholder.keeping.models import AgreementChange, KeepingAgreement
        from keyholder.registry.signals import registry_changed

        registry_changed.connect(on_registry_changed, dispatch_uid="indicators.refresh")

        # Kept and unkept vacant houses follow the keeping agreements: refresh their village.
        def on_agreement(sender: Any, instance: Any, **kwargs: Any) -> None:
            agreement = instance.agreement if isinstance(instance, AgreementChange) else instance
            queue_village_refresh(agreement.house.village_id)

        # weak=False: the receiver is a local function that nothing else keeps alive.
        for model in (KeepingAgreement, AgreementChange):
            uid = f"indicators.{model.__name__}"
            post_save.connect(on_agreement, sender=model, weak=False, dispatch_uid=uid)
            post_delete.connect(on_agreement, sender=model, weak=False, dispatch_uid=f"{uid}.del")
