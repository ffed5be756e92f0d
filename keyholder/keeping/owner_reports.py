"""The monthly owner reports: a periodic job the keeping app registers with the worker.

``KeepingConfig.ready`` registers ``queue_owner_reports`` with ``core.periodic``; the worker
runs it on each loop. The check is one indexed row read
(``ScheduledRun``); the work happens once per month, and each message is idempotent by its
dedupe key, so a worker that dies halfway through picks up where it stopped.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from keyholder.accounts.models import Channel
from keyholder.core import periodic
from keyholder.core.dates import month_end, previous_month
from keyholder.keeping.models import KeepingAgreement
from keyholder.keeping.reports import build_owner_report, render_owner_report_pdf
from keyholder.notify.models import Message, ScheduledRun
from keyholder.notify.services import address_of, do_queue_message

logger = logging.getLogger(__name__)

OWNER_REPORTS = "owner-reports"


def owner_report_key(agreement_id: object, month: dt.date, owner_id: object) -> str:
    # One message per owner: an agreement may have several owners, and the dedupe key is unique.
    return f"owner-report:{agreement_id}:{month:%Y-%m}:{owner_id}"


def report_link(agreement_id: object, month: dt.date) -> str:
    """The owner's page of this report."""
    path = reverse("keeping:owner_report", args=[agreement_id, f"{month:%Y-%m}"])
    return settings.SITE_URL.rstrip("/") + path


def queue_owner_reports(today: dt.date | None = None) -> int:
    """Queue last month's report for every owner of every agreement that ran in that month.

    Returns the number of messages queued now. Marks the month done only when every agreement
    went through, so a failing one is tried again on a later loop.
    """
    queued, _finished = _queue_owner_reports(today, seconds=None)
    return queued


def owner_reports_turn(today: dt.date) -> object:
    """The worker's periodic job: as ``queue_owner_reports``, for one turn of the worker
    (``periodic.TURN_SECONDS``). An agreement whose owners have their message already is passed
    over, so the next turn goes on where this one stopped; ``periodic.MORE`` when it did."""
    _queued, finished = _queue_owner_reports(today, seconds=periodic.TURN_SECONDS)
    return None if finished else periodic.MORE


def _queue_owner_reports(today: dt.date | None, *, seconds: float | None) -> tuple[int, bool]:
    """(messages queued, whether every agreement was gone through)."""
    started = time.monotonic()
    month = previous_month(today or timezone.localdate())
    period = f"{month:%Y-%m}"
    if ScheduledRun.objects.filter(job=OWNER_REPORTS, period=period).exists():
        return 0, True
    ids = list(
        KeepingAgreement.objects.filter(start__lte=month_end(month))
        .filter(Q(end__isnull=True) | Q(end__gte=month))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    queued = failed = printed = unreachable = 0
    for agreement in _agreements_in_batches(ids):
        # At least one report in a turn, however short: each turn gets on with the month.
        if seconds is not None and printed and time.monotonic() - started >= seconds:
            logger.info("owner reports %s: %s queued in this turn, more to come", period, queued)
            return queued, False
        # An owner with no address in the channel they chose gets no message, so nothing
        # would ever say their report is done: printed anyway, it was printed again on every
        # turn, before any other (and with no time in a turn, the month never went on).
        chose = [owner for owner in agreement.owners.all() if owner.channel != Channel.NONE]
        reachable = [owner for owner in chose if address_of(owner)]
        unreachable += len(chose) - len(reachable)
        owners = [
            owner
            for owner in reachable
            if not Message.objects.filter(
                dedupe_key=owner_report_key(agreement.pk, month, owner.pk)
            ).exists()
        ]
        if not owners:
            continue
        printed += 1
        try:
            # The report is read and printed outside the transaction: on SQLite a write
            # transaction holds the database's one write lock (BEGIN IMMEDIATE), and printing
            # a PDF for every agreement inside it kept the pages' own writes (signing in, a
            # visit) waiting until they gave up with "busy" right after `make demo` started.
            report = build_owner_report(agreement, month)
            pdfs = {
                language: render_owner_report_pdf(report, language)
                for language in sorted({owner.language for owner in owners})
            }
            with transaction.atomic():
                for owner in owners:
                    message = do_queue_message(
                        recipient=owner,
                        template="owner_report_monthly",
                        context={
                            "house": str(agreement.house),
                            "month": month,
                            "link": report_link(agreement.pk, month),
                        },
                        dedupe_key=owner_report_key(agreement.pk, month, owner.pk),
                        attachments=[
                            (f"report-{period}.pdf", pdfs[owner.language], "application/pdf")
                        ],
                    )
                    queued += message is not None
        except Exception:
            failed += 1
            logger.exception("owner report %s for agreement %s failed", period, agreement.pk)
    if not failed:
        ScheduledRun.objects.get_or_create(job=OWNER_REPORTS, period=period)
    logger.info(
        "owner reports %s: %s queued, %s agreements failed, %s owners without an address "
        "in their channel",
        period,
        queued,
        failed,
        unreachable,
    )
    return queued, True


def _agreements_in_batches(ids: list[Any], size: int = 200) -> Iterator[KeepingAgreement]:
    """The agreements, read a batch at a time and each batch read whole before any write.

    A cursor left open across the writes (``iterator()``) keeps SQLite's read snapshot of its
    start: once the web server has written anything since, the next write transaction of
    this loop fails at once with "database is locked" (a stale snapshot cannot become a
    writer), and on the demo a third of the month's reports failed that way.
    """
    for start in range(0, len(ids), size):
        yield from list(
            KeepingAgreement.objects.filter(pk__in=ids[start : start + size])
            .prefetch_related("owners")
            .order_by("pk")
        )
