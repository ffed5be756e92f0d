"""The keyholder's iCalendar feed: every open task as an all-day event.

A calendar app subscribes to ``/keeping/calendar/<token>.ics``; the token is the only secret,
and an address passed on or leaked must not lead anyone to an empty house. So the feed names a
house by its owners' first names and its village ("Watering: Karim's house, Deh 1"), never by
street and number, and carries no notes. The keyholder knows the house by its family; a
stranger holding the address learns no place to go. Only the token's hash is stored, and every
read is audited (``keeping.access.calendar_feed_by_token``).
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
        .prefetch_related("agreement__owners")
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
            village = task.agreement.house.village.name
            names = sorted({o.first_name or o.username for o in task.agreement.owners.all()})
            what = task.duty.title or str(DutyKind(task.kind).label)
            event = Event()
            event.add("uid", f"{task.pk}@keyholder")
            event.add("dtstamp", stamp)
            event.add("dtstart", task.due_date)
            event.add("dtend", task.due_date + dt.timedelta(days=1))
            if names:
                summary = _("%(task)s: the house of %(owners)s, %(village)s") % {
                    "task": what,
                    "owners": ", ".join(names),
                    "village": village,
                }
            else:
                summary = _("%(task)s: a house in %(village)s") % {"task": what, "village": village}
            event.add("summary", summary)
            event.add("url", f"{site}/keeping/houses/{task.agreement_id}/visit/")
            event.add("categories", [task.kind])
            cal.add_component(event)
        return cal.to_ical()
