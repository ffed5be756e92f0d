from typing import Any

from django.apps import AppConfig


class KeepingConfig(AppConfig):
    name = "keyholder.keeping"
    label = "keeping"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from keyholder.core import periodic
        from keyholder.core.guards import guard_models

        # No control character, over-long text or out-of-range number reaches the database.
        guard_models(self)
        from keyholder.keeping.owner_reports import OWNER_REPORTS, queue_owner_reports

        # Last month's report to every owner, once a month (the job checks whether it is due).
        periodic.register(OWNER_REPORTS, queue_owner_reports)

        from keyholder.keeping.visit_messages import WEEKLY_DIGEST, queue_weekly_digests

        # Last week's visits to every owner who chose a weekly digest, once an ISO week.
        periodic.register(WEEKLY_DIGEST, queue_weekly_digests)

        from keyholder.keeping.bot import answer_owner_text
        from keyholder.notify.hooks import describe_subjects, on_text

        # The bot's "Connected" answer names the houses an owner will hear about.
        describe_subjects(owned_houses)
        # An owner's text to the bot goes to the keyholder; /visit asks for a visit.
        on_text(answer_owner_text)


def owned_houses(user: Any) -> list[str]:
    """The houses of the agreements ``user`` owns that are not ended, by name."""
    from keyholder.keeping.models import AgreementStatus, KeepingAgreement

    agreements = (
        KeepingAgreement.objects.filter(owners=user)
        .exclude(status=AgreementStatus.ENDED)
        .select_related("house")
    )
    return [str(agreement.house) for agreement in agreements]
