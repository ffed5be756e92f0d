"""Incidents resolved from the keyholder's page, and a visit asked for from the owner's page.

Resolving needs a note of what was done; the owners are told through the outbox, each in their
language. An owner's "Ask for a visit" makes exactly one one-off task for the keyholder and a
message to them in the keyholder's language; asking again before the visit is refused.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from keyholder.accounts.models import AuditLog
from keyholder.keeping import services
from keyholder.keeping.models import Duty, DutyKind, IncidentStatus, Task, TaskStatus
from keyholder.keeping.tests.conftest import Kept
from keyholder.notify.models import Message
from keyholder.testing import Cast, signed_in


def test_it_resolves_an_incident_from_the_page_and_tells_the_owner_in_their_language(
    cast: Cast, kept: Kept
) -> None:
    cast.owner.language = "ru"
    cast.owner.save()
    incident, _ = services.do_report_incident(
        actor=cast.keyholder,
        agreement=kept.agreement,
        occurred_on=kept.today,
        kind="leak",
        severity="moderate",
        notes="Течёт кран.",
    )
    keyholder = signed_in(cast.keyholder)
    house = keyholder.get(reverse("keeping:house", args=[kept.agreement.pk]))
    url = reverse("keeping:incident_resolve", args=[incident.pk])
    assert url in house.content.decode()

    # Without a note it is refused, and what was typed stays in the form.
    refused = keyholder.post(url, {"note": "", "cost_amount": "80", "cost_currency": "TJS"})
    assert refused.status_code == 400
    assert 'value="80"' in refused.content.decode()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN

    done = keyholder.post(
        url, {"note": "Кран заменён.", "cost_amount": "80", "cost_currency": "TJS"}
    )

    assert done.status_code == 302
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED
    assert incident.resolution_note == "Кран заменён."
    assert incident.resolved_at is not None and str(incident.cost_amount) == "80.00"
    message = Message.objects.get(template="incident_resolved")
    assert message.recipient == cast.owner and message.language == "ru"
    assert "Кран заменён." in message.body and "80.00 TJS" in message.body
    assert "устранено" in message.subject
    assert AuditLog.objects.filter(object_type="incident", object_id=str(incident.pk)).count() == 2
    # Once resolved, the page offers it no more and a second try is refused.
    assert keyholder.post(url, {"note": "Снова."}).status_code == 400
    assert Message.objects.filter(template="incident_resolved").count() == 1
    # An owner may read the house but not resolve.
    assert signed_in(cast.owner).post(url, {"note": "x"}).status_code == 403


def test_an_owner_asks_for_a_visit_once_and_the_keyholder_gets_a_task_and_a_message(
    cast: Cast, kept: Kept
) -> None:
    cast.keyholder.language = "ru"
    cast.keyholder.email = "keyholder@example.org"
    cast.keyholder.first_name, cast.keyholder.last_name = "Зафар", "Юсупов"
    cast.keyholder.phone = "+992 92 123 45 67"
    cast.keyholder.save()
    owner = signed_in(cast.owner)
    house = owner.get(reverse("keeping:house", args=[kept.agreement.pk])).content.decode()
    # The owner sees who keeps the house, and how to call them.
    assert "Зафар Юсупов" in house
    assert 'href="tel:+992921234567"' in house
    url = reverse("keeping:ask_visit", args=[kept.agreement.pk])
    assert url in house
    due = kept.today + dt.timedelta(days=2)

    asked = owner.post(url, {"due_date": due.isoformat(), "note": "Посмотрите крышу."})

    assert asked.status_code == 302
    duty = Duty.objects.get(requested_by=cast.owner)
    assert duty.kind == DutyKind.OTHER and duty.due_date == due
    assert Task.objects.filter(duty=duty, status=TaskStatus.DUE).count() == 1
    message = Message.objects.get(template="visit_requested")
    assert message.recipient == cast.keyholder and message.language == "ru"
    assert "Посмотрите крышу." in message.body and "визит" in message.subject.lower()
    assert AuditLog.objects.filter(object_type="visit_request").count() == 1

    again = owner.post(url, {"due_date": kept.today.isoformat(), "note": "Ещё раз"})
    assert again.status_code == 400
    assert "Ещё раз" in again.content.decode()
    assert Duty.objects.filter(requested_by=cast.owner).count() == 1
    assert Message.objects.filter(template="visit_requested").count() == 1
    page = owner.get(reverse("keeping:house", args=[kept.agreement.pk])).content.decode()
    assert "data-asked" in page
    # Only an owner of the house asks; the keyholder and an outsider cannot.
    assert signed_in(cast.keyholder).post(url, {"due_date": due.isoformat()}).status_code == 403
    assert signed_in(cast.outsider).post(url, {"due_date": due.isoformat()}).status_code == 404
