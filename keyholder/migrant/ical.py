"""The migrant's deadlines as an iCalendar feed, at an address whose token is its secret.

Events are named as neutrally as the reminders unless the migrant chose detailed text: a
calendar app shows them on a lock screen too.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from keyholder.migrant.labels import DEADLINE_LABELS
from keyholder.migrant.models import MigrantProfile
from keyholder.migrant.record import assessment_of


def migrant_calendar(profile: MigrantProfile, today: dt.date | None = None) -> bytes:
    today = today or timezone.localdate()
    assessment = assessment_of(profile, today)
    link = settings.SITE_URL.rstrip("/") + reverse("migrant:home")
    with translation.override(profile.user.language or settings.LANGUAGE_CODE):
        cal = Calendar()
        cal.add("prodid", "-//keyholder//migrant deadlines//")
        cal.add("version", "2.0")
        cal.add("x-wr-calname", _("My deadlines"))
        stamp = timezone.now()
        for deadline in assessment.deadlines:
            event = Event()
            # A stable id that does not name the deadline.
            uid = hashlib.sha256(f"{profile.pk}:{deadline.key}".encode()).hexdigest()[:32]
            event.add("uid", f"{uid}@keyholder-migrant")
            event.add("dtstamp", stamp)
            event.add("dtstart", deadline.due)
            event.add("dtend", deadline.due + dt.timedelta(days=1))
            if profile.detailed_reminders:
                event.add("summary", str(DEADLINE_LABELS.get(deadline.kind, deadline.kind)))
            else:
                event.add("summary", _("A deadline: open keyholder"))
            event.add("url", link)
            cal.add_component(event)
        return bytes(cal.to_ical())
