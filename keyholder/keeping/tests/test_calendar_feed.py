"""The keyholder's iCalendar feed: the due tasks, behind a token kept only as its hash.

The address is shown once when made; renewing it revokes the old one; every read is audited;
and the feed names no street or number, so a leaked address leads nobody to an empty house.
"""

from __future__ import annotations

import hashlib
import re

from django.urls import reverse
from icalendar import Calendar

from keyholder.accounts.models import AuditLog
from keyholder.keeping.models import CalendarFeed, TaskStatus
from keyholder.keeping.tests.conftest import STREET, Kept
from keyholder.testing import Cast, signed_in


def _make_address(keyholder) -> str:
    page = keyholder.post(reverse("keeping:calendar_link"))
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    match = re.search(r'value="(http[^"]+/keeping/calendar/([^"/]+)\.ics)"', page.content.decode())
    assert match, page.content.decode()
    return match.group(2)


def test_the_feed_holds_the_due_tasks_and_a_new_token_revokes_the_old(
    cast: Cast, kept: Kept, client
) -> None:
    cast.owner.first_name = "Karim"
    cast.owner.save()
    keyholder = signed_in(cast.keyholder)
    token = _make_address(keyholder)
    feed = CalendarFeed.objects.get(user=cast.keyholder)
    # Only the hash is kept, and the address is never shown again.
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in keyholder.get(reverse("keeping:today")).content.decode()

    # A calendar app fetches it without a session; the read is audited.
    reads = AuditLog.objects.filter(object_type="calendar_feed", action=AuditLog.Action.READ)
    response = client.get(reverse("keeping:calendar_feed", args=[token]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert reads.filter(user=cast.keyholder, object_id=str(feed.pk)).count() == 1
    assert STREET not in response.content.decode()
    calendar = Calendar.from_ical(response.content)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    due = kept.agreement.tasks.filter(status=TaskStatus.DUE)
    assert due.count() >= 2
    for task in due:
        event = events[f"{task.pk}@keyholder"]
        assert event.decoded("dtstart") == task.due_date
        summary = str(event["summary"])
        assert "Karim" in summary and STREET not in summary and "12" not in summary
    done_or_missed = kept.agreement.tasks.exclude(status=TaskStatus.DUE)
    assert done_or_missed.exists()
    assert all(f"{t.pk}@keyholder" not in events for t in done_or_missed)

    # Renewing revokes the old address; the new one works. A wrong token is not audited.
    new = _make_address(keyholder)
    assert new != token
    assert client.get(reverse("keeping:calendar_feed", args=[token])).status_code == 404
    assert client.get(reverse("keeping:calendar_feed", args=[new])).status_code == 200
    assert reads.count() == 2
    assert CalendarFeed.objects.get().renewed_at is not None


def test_owners_have_no_feed(cast: Cast, kept: Kept) -> None:
    assert signed_in(cast.owner).post(reverse("keeping:calendar_link")).status_code == 403
    assert not CalendarFeed.objects.exists()
