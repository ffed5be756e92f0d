"""The keyholder's iCalendar feed parses with the icalendar library and holds the due tasks."""

from __future__ import annotations

from django.urls import reverse
from icalendar import Calendar

from keyholder.keeping.models import CalendarFeed, TaskStatus
from keyholder.keeping.tests.conftest import STREET, Kept
from keyholder.testing import Cast, signed_in


def test_the_feed_holds_the_due_tasks_and_a_new_token_revokes_the_old(
    cast: Cast, kept: Kept, client
) -> None:
    keyholder = signed_in(cast.keyholder)
    assert keyholder.post(reverse("keeping:calendar_link")).status_code == 302
    token = CalendarFeed.objects.get(user=cast.keyholder).token
    assert token in keyholder.get(reverse("keeping:today")).content.decode()

    # A calendar app fetches it without a session.
    response = client.get(reverse("keeping:calendar_feed", args=[token]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    due = kept.agreement.tasks.filter(status=TaskStatus.DUE)
    assert due.count() >= 2
    for task in due:
        event = events[f"{task.pk}@keyholder"]
        assert event.decoded("dtstart") == task.due_date
        assert STREET in str(event["summary"])
    done_or_missed = kept.agreement.tasks.exclude(status=TaskStatus.DUE)
    assert done_or_missed.exists()
    assert all(f"{t.pk}@keyholder" not in events for t in done_or_missed)

    keyholder.post(reverse("keeping:calendar_link"), {"renew": "1"})
    assert client.get(reverse("keeping:calendar_feed", args=[token])).status_code == 404


def test_owners_have_no_feed(cast: Cast, kept: Kept) -> None:
    assert signed_in(cast.owner).post(reverse("keeping:calendar_link")).status_code == 403
    assert not CalendarFeed.objects.exists()
