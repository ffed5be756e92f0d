"""The messages an incident sends to the owners, each in the owner's language.

A serious incident goes at once; a resolved one says what was done. Both are queued inside the
incident's transaction, so the outbox sends them only after commit.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from keyholder.keeping.models import Incident, IncidentKind, Severity
from keyholder.notify.services import do_queue_message


def queue_serious(incident: Incident) -> None:
    agreement = incident.agreement
    house = agreement.house
    link = f"{settings.SITE_URL.rstrip('/')}/keeping/houses/{agreement.pk}/"
    for owner in agreement.owners.all():
        # Place.name follows the active language; the message is in the owner's.
        with translation.override(owner.language):
            village = house.village.name
        do_queue_message(
            recipient=owner,
            template="incident_serious",
            context={
                "house": str(house),
                "village": village,
                # Lazy labels: the message renders them in the owner's language.
                "kind": IncidentKind(incident.kind).label,
                "severity": Severity(incident.severity).label,
                "date": incident.occurred_on,
                "notes": incident.notes,
                "link": link,
            },
            dedupe_key=f"incident_serious:{incident.pk}:{owner.pk}",
        )


def queue_resolved(incident: Incident) -> None:
    agreement = incident.agreement
    house = agreement.house
    link = f"{settings.SITE_URL.rstrip('/')}/keeping/houses/{agreement.pk}/"
    cost = f"{incident.cost_amount} {incident.cost_currency}" if incident.cost_amount else ""
    for owner in agreement.owners.all():
        with translation.override(owner.language):
            village = house.village.name
        do_queue_message(
            recipient=owner,
            template="incident_resolved",
            context={
                "house": str(house),
                "village": village,
                "kind": IncidentKind(incident.kind).label,
                "date": incident.occurred_on,
                "note": incident.resolution_note,
                "cost": cost,
                "link": link,
            },
            dedupe_key=f"incident_resolved:{incident.pk}:{owner.pk}",
        )
