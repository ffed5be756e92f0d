"""The keyholder's iCalendar feed: every open task as an all-day event.

A calendar app subscribes to ``/keeping/calendar/<token>.ics``; the token is the only secret,
so the feed shows the street and number of a house but no owner's name and no notes.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from keyholder.accounts.models import User
from keyholder.keeping.access import tasks_for
from keyholder.keeping.models import AgreementStatus, DutyKind, TaskStatus

# Overdue tasks older than this have been superseded or forgotten; the feed stays short.
LOOKBACK = dt.timedelta(days=30)


def keyholder_calendar(user: User, today: dt.date | None = None) -> bytes:
    today = today or timezone.localdate()
    tasks = (
        tasks_for(user)
        .filter(status=TaskStatus.DUE, due_date__gte=today - LOOKBACK)
        .exclude(agreement__status=AgreementStatus.ENDED)
        .select_related("duty", "agreement__house__village")
        .order_by("due_date")
    )
    site = settings.SITE_URL.rstrip("/")
    with translation.override(user.language or settings.LANGUAGE_CODE):
        cal = Calendar()
        cal.add("prodid", "-//keyholder//keeping tasks//")
        cal.add("version", "2.0")
        cal.add("x-wr-calname", _("Keyholder tasks"))
        stamp = timezone.now()
        for task in tasks:
            house = task.agreement.house
            what = task.duty.title or str(DutyKind(task.kind).label)
            event = Event()
            event.add("uid", f"{task.pk}@keyholder")
            event.add("dtstamp", stamp)
            event.add("dtstart", task.due_date)
            event.add("dtend", task.due_date + dt.timedelta(days=1))
            event.add(
                "summary",
                _("%(task)s: %(house)s, %(village)s")
                % {"task": what, "house": str(house), "village": house.village.name},
            )
            event.add("url", f"{site}/keeping/houses/{task.agreement_id}/visit/")
            event.add("categories", [task.kind])
            cal.add_component(event)
        return cal.to_ical()
