"""An owner abroad asks the keyholder for a visit.

The owner's house page has an "Ask for a visit" button: it makes a one-off task for the
keyholder (a ``Duty`` of kind other, with its due date and ``requested_by``), audited, and tells
the keyholder through the outbox in the keyholder's language. One open request per owner and
house at a time: asking again before the keyholder went is refused.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from keyholder.accounts.models import AuditLog, User
from keyholder.accounts.services import audit
from keyholder.core.errors import Code, ServiceError
from keyholder.keeping import schedule
from keyholder.keeping.generation import generate_tasks, intervals_for
from keyholder.keeping.models import (
    AgreementStatus,
    Duty,
    DutyKind,
    KeepingAgreement,
    TaskStatus,
)
from keyholder.notify.services import do_queue_message

# How far ahead an owner may ask: the tasks are planned two weeks ahead.
FURTHEST = dt.timedelta(days=14)


def open_request(owner: User, agreement: KeepingAgreement) -> Duty | None:
    """The owner's request for this house that the keyholder has not yet done, if any."""
    return (
        Duty.objects.filter(
            agreement=agreement,
            requested_by=owner,
            kind=DutyKind.OTHER,
            tasks__status__in=[TaskStatus.DUE, TaskStatus.MISSED],
        )
        .order_by("due_date")
        .first()
    )


@transaction.atomic
def do_ask_for_visit(
    *, actor: User, agreement: KeepingAgreement, due_date: dt.date, note: str = ""
) -> Duty:
    """A one-off visit asked for by one of the agreement's owners, and the keyholder told."""
    if not actor.is_authenticated:
        raise ServiceError(Code.AUTH_REQUIRED)
    if not agreement.owners.filter(pk=actor.pk).exists():
        raise ServiceError(Code.AUTH_FORBIDDEN)
    today = timezone.localdate()
    if due_date < today or due_date > today + FURTHEST:
        raise ServiceError(Code.INVALID_FIELD, field="due_date", detail=due_date.isoformat())
    if agreement.status != AgreementStatus.ACTIVE or not schedule.is_active_on(
        intervals_for(agreement), due_date
    ):
        raise ServiceError(Code.KEEPING_NOT_IN_FORCE, field="due_date", date=due_date.isoformat())
    # Lock the agreement: two taps of the button cannot both pass the check below.
    KeepingAgreement.objects.select_for_update().filter(pk=agreement.pk).first()
    already = open_request(actor, agreement)
    if already is not None:
        raise ServiceError(
            Code.KEEPING_VISIT_ALREADY_ASKED,
            field="due_date",
            date=already.due_date.isoformat() if already.due_date else "",
        )
    duty = Duty.objects.create(
        agreement=agreement,
        kind=DutyKind.OTHER,
        title=note.strip()[:200],
        starts_on=due_date,
        due_date=due_date,
        requested_by=actor,
        created_by=actor,
    )
    generate_tasks([agreement])
    audit(actor, AuditLog.Action.CREATE, "visit_request", duty.pk, due=due_date.isoformat())
    _tell_keyholder(duty, actor)
    return duty


def _tell_keyholder(duty: Duty, owner: User) -> None:
    agreement = duty.agreement
    keyholder = agreement.keyholder
    house = agreement.house
    with translation.override(keyholder.language):
        village = house.village.name
    link = settings.SITE_URL.rstrip("/") + reverse("keeping:house", args=[agreement.pk])
    do_queue_message(
        recipient=keyholder,
        template="visit_requested",
        context={
            "house": str(house),
            "village": village,
            "owner": owner.get_full_name() or owner.username,
            "date": duty.due_date,
            "note": duty.title,
            "link": link,
        },
        dedupe_key=f"visit_requested:{duty.pk}",
    )
