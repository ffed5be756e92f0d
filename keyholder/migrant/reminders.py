"""Reminders 7, 3 and 1 days before each deadline, through the notification outbox.

A periodic job (registered in ``apps.py``): once a day (a ``ScheduledRun`` row per day makes
later turns one query), it assesses every calendar and queues one ``migrant_deadline``
message per deadline and reminder day. The dedupe key is a hash, so the outbox (which an
administrator may read) does not name the deadline; the text is neutral unless the migrant
chose detailed reminders, since a phone's lock screen is seen by others.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from keyholder.migrant.labels import DEADLINE_LABELS
from keyholder.migrant.models import MigrantProfile
from keyholder.migrant.record import assessment_of
from keyholder.notify.models import ScheduledRun
from keyholder.notify.services import do_queue_message

logger = logging.getLogger(__name__)

JOB = "migrant-reminders"
REMIND_DAYS_BEFORE = (7, 3, 1)
TEMPLATE = "migrant_deadline"


def dedupe_key(profile: MigrantProfile, deadline_key: str, days: int) -> str:
    digest = hashlib.sha256(f"{profile.pk}:{deadline_key}:{days}".encode()).hexdigest()
    return f"migrant-reminder:{digest[:40]}"


def queue_reminders(today: dt.date) -> int:
    """Queue the reminders due on ``today``; returns how many were queued (or found queued).

    Idempotent: each reminder's dedupe key, and the day's ``ScheduledRun`` once all went
    through. A calendar that fails is logged and tried again on a later turn.
    """
    period = today.isoformat()
    if ScheduledRun.objects.filter(job=JOB, period=period).exists():
        return 0
    link = settings.SITE_URL.rstrip("/") + reverse("migrant:home")
    queued, failed = 0, False
    profiles = MigrantProfile.objects.select_related("user").filter(user__is_active=True)
    # Read whole before the writes: a cursor left open across them keeps SQLite's read snapshot,
    # and once the web server has written since, every write transaction here fails at once.
    for profile in list(profiles):
        try:
            with transaction.atomic():
                for deadline in assessment_of(profile, today).deadlines:
                    days = (deadline.due - today).days
                    if days not in REMIND_DAYS_BEFORE:
                        continue
                    message = do_queue_message(
                        recipient=profile.user,
                        template=TEMPLATE,
                        context={
                            "days": days,
                            "detailed": profile.detailed_reminders,
                            "what": DEADLINE_LABELS.get(deadline.kind, deadline.kind),
                            "due": deadline.due,
                            "link": link,
                        },
                        dedupe_key=dedupe_key(profile, deadline.key, days),
                    )
                    queued += message is not None
        except Exception:
            failed = True
            logger.exception("migrant reminders failed for calendar %s", profile.pk)
    if not failed:
        ScheduledRun.objects.get_or_create(job=JOB, period=period)
    return queued
