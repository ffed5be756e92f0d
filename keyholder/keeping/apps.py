from django.apps import AppConfig


class KeepingConfig(AppConfig):
    name = "keyholder.keeping"
    label = "keeping"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from keyholder.core import periodic
        from keyholder.keeping.access import entrusted_house_ids
        from keyholder.keeping.bot import answer_owner_text, owned_houses
        from keyholder.keeping.owner_reports import OWNER_REPORTS, owner_reports_turn
        from keyholder.keeping.visit_messages import WEEKLY_DIGEST, queue_weekly_digests
        from keyholder.notify.hooks import describe_subjects, on_text
        from keyholder.registry.access import entrusted_houses

        # Last month's report to every owner, once a month (the job checks whether it is due),
        # a turn of the worker at a time.
        periodic.register(OWNER_REPORTS, owner_reports_turn)
        # Last week's visits to every owner who chose a weekly digest, once an ISO week.
        periodic.register(WEEKLY_DIGEST, queue_weekly_digests)
        # The bot's "Connected" answer names the houses an owner will hear about.
        describe_subjects(owned_houses)
        # An owner's text to the bot goes to the keyholder; /visit asks for a visit.
        on_text(answer_owner_text)
        # A keyholder's registry is the houses entrusted to them, nothing more.
        entrusted_houses(entrusted_house_ids)
