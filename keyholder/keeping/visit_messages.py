"""What the owners hear about a visit: a message after it, a weekly digest, or problems only.

``queue_visit_reports`` runs inside ``do_record_visit``'s transaction, so the messages exist
only if the visit does; the worker sends them. Each owner chose in their notification settings
(``User.visit_reports``): after every visit (the default), a weekly digest, or only when a check
found a problem. A serious incident raised by a failed security check is sent at once whatever
they chose (``incident_messages.queue_serious``). ``queue_weekly_digests`` is the periodic job the
keeping app registers with ``core.periodic``: one digest per owner per ISO week.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation

from keyholder.accounts.models import Channel, User, VisitReports
from keyholder.keeping import checklist
from keyholder.keeping.models import KeepingAgreement, Visit
from keyholder.keeping.photos import small_jpeg
from keyholder.notify.models import ScheduledRun
from keyholder.notify.services import address_of, do_queue_message

logger = logging.getLogger(__name__)

WEEKLY_DIGEST = "visit-digest"


def can_receive(user: User) -> bool:
    """Whether a message queued for ``user`` would go anywhere."""
    return user.channel != Channel.NONE and bool(address_of(user))


def owners_reachable(agreement: KeepingAgreement) -> bool:
    """Whether any owner of the house receives messages, so the keyholder's pages may say so."""
    return any(can_receive(owner) for owner in agreement.owners.all())


def visit_link(visit: Visit) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("keeping:visit", args=[visit.pk])


def minutes_spent(visit: Visit) -> int | None:
    if visit.checked_out_at is None:
        return None
    return round((visit.checked_out_at - visit.checked_in_at).total_seconds() / 60)


def _village(agreement: KeepingAgreement, owner: User) -> str:
    # Place.name follows the active language; the message is in the owner's.
    with translation.override(owner.language):
        return str(agreement.house.village.name)


def _attachment(visit: Visit) -> list[tuple[str, bytes, str]]:
    photo = visit.photos.order_by("created_at").first()
    if photo is None:
        return []
    with photo.image.open("rb") as handle:
        data = small_jpeg(handle.read())
    stamp = timezone.localtime(visit.checked_in_at)
    return [(f"visit-{stamp:%Y-%m-%d}.jpg", data, "image/jpeg")]


def visit_report_key(visit: Visit, owner: User) -> str:
    return f"visit_report:{visit.pk}:{owner.pk}"


def queue_visit_reports(visit: Visit) -> int:
    """Queue ``visit_report`` to each owner who wants this visit; returns how many were queued."""
    agreement = visit.agreement
    failed = checklist.problems(visit.checklist)
    wanted = [
        owner
        for owner in agreement.owners.all()
        if owner.visit_reports == VisitReports.EVERY
        or (owner.visit_reports == VisitReports.PROBLEMS and failed)
    ]
    if not wanted:
        return 0
    attachments = _attachment(visit)
    queued = 0
    for owner in wanted:
        message = do_queue_message(
            recipient=owner,
            template="visit_report",
            context={
                "house": str(agreement.house),
                "village": _village(agreement, owner),
                "arrived": visit.checked_in_at,
                "minutes": minutes_spent(visit),
                # Lazy labels: the message renders them in the owner's language.
                "checks": checklist.checks(visit.checklist),
                "problems": bool(failed),
                "notes": visit.notes,
                "link": visit_link(visit),
            },
            dedupe_key=visit_report_key(visit, owner),
            attachments=attachments,
        )
        queued += message is not None
    return queued


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def previous_week(today: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the ISO week before the one ``today`` is in."""
    sunday = today - dt.timedelta(days=today.isoweekday())
    return sunday - dt.timedelta(days=6), sunday


def digest_key(period: str, owner: User) -> str:
    return f"visit_digest:{period}:{owner.pk}"


def queue_weekly_digests(today: dt.date | None = None) -> int:
    """Queue last week's digest to every owner who chose it; once per ISO week.

    Returns the number of messages queued now. The week is marked done only when every owner
    went through, so one that fails is tried again on a later turn (the others are not sent
    twice: each message is idempotent by its dedupe key).
    """
    monday, sunday = previous_week(today or timezone.localdate())
    period = iso_week(monday)
    if ScheduledRun.objects.filter(job=WEEKLY_DIGEST, period=period).exists():
        return 0
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time.min))
    stop = timezone.make_aware(dt.datetime.combine(sunday + dt.timedelta(days=1), dt.time.min))
    agreements = list(
        KeepingAgreement.objects.filter(
            owners__visit_reports=VisitReports.WEEKLY, start__lte=sunday
        )
        .filter(Q(end__isnull=True) | Q(end__gte=monday))
        .select_related("house__village")
        .prefetch_related("owners")
        .distinct()
    )
    visits: dict[Any, list[Visit]] = defaultdict(list)
    for visit in Visit.objects.filter(
        agreement__in=agreements, checked_in_at__gte=start, checked_in_at__lt=stop
    ).order_by("checked_in_at"):
        visits[visit.agreement_id].append(visit)
    by_owner: dict[User, list[KeepingAgreement]] = defaultdict(list)
    for agreement in agreements:
        for owner in agreement.owners.all():
            if owner.visit_reports == VisitReports.WEEKLY:
                by_owner[owner].append(agreement)
    queued = failed = 0
    for owner, owned in by_owner.items():
        try:
            with transaction.atomic():
                message = do_queue_message(
                    recipient=owner,
                    template="visit_digest",
                    context={
                        "week_start": monday,
                        "week_end": sunday,
                        "houses": [
                            {
                                "house": str(agreement.house),
                                "village": _village(agreement, owner),
                                "visits": [
                                    {
                                        "arrived": v.checked_in_at,
                                        "minutes": minutes_spent(v),
                                        "problems": [
                                            item.problem_label
                                            for item in checklist.problems(v.checklist)
                                        ],
                                    }
                                    for v in visits[agreement.pk]
                                ],
                                "link": settings.SITE_URL.rstrip("/")
                                + reverse("keeping:house", args=[agreement.pk]),
                            }
                            for agreement in owned
                        ],
                    },
                    dedupe_key=digest_key(period, owner),
                )
                queued += message is not None
        except Exception:
            failed += 1
            logger.exception("visit digest %s for owner %s failed", period, owner.pk)
    if not failed:
        ScheduledRun.objects.get_or_create(job=WEEKLY_DIGEST, period=period)
    logger.info("visit digests %s: %s queued, %s owners failed", period, queued, failed)
    return queued
