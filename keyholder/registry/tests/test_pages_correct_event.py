"""Correcting and removing events through the household page: each with a reason, refused
where the history would break, audited, kept visible in the person's history."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.test import Client
from django.utils import translation
from django.utils.html import escape

from keyholder.accounts.models import AuditLog
from keyholder.core.errors import Code, ServiceError
from keyholder.registry.models import EventCorrection, MigrationEvent, Person
from keyholder.registry.queries import statuses_on
from keyholder.registry.spans import differences
from keyholder.registry.status import State
from keyholder.testing import Cast, make_event, make_person

D = dt.date


def household_url(cast: Cast) -> str:
    return f"/registry/households/{cast.household.pk}/"


def prefix(event: MigrationEvent) -> str:
    return f"e{event.pk.hex[:12]}"


def form(event: MigrationEvent, **fields: str) -> dict[str, str]:
    return {f"{prefix(event)}-{name}": value for name, value in fields.items()}


def tajik(code: Code, **params: Any) -> str:
    with translation.override("tg"):
        return escape(ServiceError(code, **params).message)


def aziz_abroad_and_back(cast: Cast) -> tuple[Person, MigrationEvent, MigrationEvent]:
    aziz = make_person(cast.household, "Aziz", birth_year=1990)
    departed = make_event(aziz, "departed", D(2023, 1, 10), country="RU", destination="Moscow")
    returned = make_event(aziz, "returned", D(2023, 6, 1))
    return aziz, departed, returned


def test_it_corrects_an_event_and_refuses_a_date_after_the_next_one(
    client: Client, cast: Cast
) -> None:
    aziz, departed, returned = aziz_abroad_and_back(cast)
    client.force_login(cast.enumerator)
    page = client.get(household_url(cast)).content.decode()
    assert f'href="?correct={departed.pk}#event-{departed.pk}"' in page
    assert f'href="?remove={returned.pk}#event-{returned.pk}"' in page
    page = client.get(f"{household_url(cast)}?correct={departed.pk}").content.decode()
    assert page.count(f'action="/registry/events/{departed.pk}/correct/"') == 1
    # The form is drawn with the event as it is.
    assert 'value="Moscow"' in page
    url = f"/registry/events/{departed.pk}/correct/"
    correction = {
        "kind": "departed",
        "date": "2023-02-10",
        "country": "KZ",
        "destination": "Almaty",
        "purpose": "work",
        "reason": "The family gave the wrong month and country",
    }

    # A departure moved after the return leaves the return without a departure: refused with
    # the catalogue's code in the user's language, and nothing changes.
    response = client.post(url, form(departed, **{**correction, "date": "2023-07-01"}))
    assert response.status_code == 400
    html = response.content.decode()
    assert tajik(Code.HISTORY_RETURN_WITHOUT_DEPARTURE, date=D(2023, 6, 1)) in html
    # The refused form stays open with what was typed.
    assert 'value="Almaty"' in html
    # Without a reason, refused too.
    response = client.post(url, form(departed, **{**correction, "reason": "  "}))
    assert response.status_code == 400
    assert tajik(Code.EVENT_REASON_REQUIRED) in response.content.decode()
    departed.refresh_from_db()
    assert (departed.date, departed.country) == (D(2023, 1, 10), "RU")
    assert not EventCorrection.objects.exists()
    assert not AuditLog.objects.filter(action="update").exists()

    response = client.post(url, form(departed, **correction))
    assert response.status_code == 302
    assert response["Location"] == f"{household_url(cast)}#person-{aziz.pk}"
    departed.refresh_from_db()
    assert (departed.date, departed.country, departed.destination, departed.purpose) == (
        D(2023, 2, 10),
        "KZ",
        "Almaty",
        "work",
    )
    # The spans follow: abroad in Kazakhstan from the new date, at home before it.
    assert statuses_on([aziz], D(2023, 1, 20))[aziz.pk].state == State.PRESENT
    status = statuses_on([aziz], D(2023, 3, 1))[aziz.pk]
    assert (status.state, status.country, status.since) == (State.ABROAD, "KZ", D(2023, 2, 10))
    assert differences(cast.village.pk) == []

    # Audited with the event before and after, and the reason.
    row = AuditLog.objects.get(action="update", object_type="migration_event")
    assert row.user == cast.enumerator and row.object_id == str(departed.pk)
    assert row.detail["before"]["date"] == "2023-01-10"
    assert row.detail["before"]["country"] == "RU"
    assert row.detail["after"]["date"] == "2023-02-10"
    assert row.detail["after"]["destination"] == "Almaty"
    assert row.detail["reason"] == correction["reason"]
    kept = EventCorrection.objects.get()
    assert (kept.action, kept.event_id, kept.by) == ("corrected", departed.pk, cast.enumerator)

    # The person's timeline shows that the event was corrected, when, by whom and why.
    page = client.get(household_url(cast)).content.decode()
    assert 'class="badge corrected"' in page
    assert 'class="corrections"' in page
    assert escape(correction["reason"]) in page
    assert cast.enumerator.username in page

    # The same values again change nothing and record nothing.
    response = client.post(url, form(departed, **correction))
    assert response.status_code == 302
    assert EventCorrection.objects.count() == 1
    assert AuditLog.objects.filter(action="update").count() == 1


def test_it_removes_an_event_and_refuses_to_leave_a_return_without_departure(
    client: Client, cast: Cast
) -> None:
    aziz, departed, returned = aziz_abroad_and_back(cast)
    client.force_login(cast.enumerator)
    page = client.get(f"{household_url(cast)}?remove={departed.pk}").content.decode()
    assert page.count(f'action="/registry/events/{departed.pk}/remove/"') == 1

    response = client.post(
        f"/registry/events/{departed.pk}/remove/", form(departed, reason="Never left")
    )
    assert response.status_code == 400
    assert tajik(Code.HISTORY_RETURN_WITHOUT_DEPARTURE, date=D(2023, 6, 1)) in (
        response.content.decode()
    )
    assert MigrationEvent.objects.filter(pk=departed.pk).exists()
    response = client.post(f"/registry/events/{returned.pk}/remove/", form(returned, reason=""))
    assert response.status_code == 400
    assert tajik(Code.EVENT_REASON_REQUIRED) in response.content.decode()
    assert MigrationEvent.objects.count() == 2
    assert not EventCorrection.objects.exists()

    reason = "Recorded for the wrong brother"
    response = client.post(f"/registry/events/{returned.pk}/remove/", form(returned, reason=reason))
    assert response.status_code == 302
    assert not MigrationEvent.objects.filter(pk=returned.pk).exists()
    assert statuses_on([aziz], D(2024, 1, 1))[aziz.pk].state == State.ABROAD
    assert differences(cast.village.pk) == []
    row = AuditLog.objects.get(action="delete", object_type="migration_event")
    assert row.detail["before"] == {
        "kind": "returned",
        "date": "2023-06-01",
        "country": "",
        "destination": "",
        "purpose": "",
        "until": None,
        "moved_to": None,
        "note": "",
    }
    assert row.detail["after"] is None and row.detail["reason"] == reason
    # The removed event's facts stay in the person's history of corrections.
    kept = EventCorrection.objects.get()
    assert (kept.action, kept.before["date"], kept.reason) == ("removed", "2023-06-01", reason)
    html = client.get(household_url(cast)).content.decode()
    assert f'id="event-{returned.pk}"' not in html
    corrections = html[html.index('class="corrections"') :]
    assert re.search(r'class="removed">[^<]*2023', corrections)
    assert escape(reason) in corrections

    # With the return gone, the departure may go too.
    response = client.post(
        f"/registry/events/{departed.pk}/remove/", form(departed, reason="Never left")
    )
    assert response.status_code == 302
    assert not MigrationEvent.objects.exists()
    assert statuses_on([aziz], D(2024, 1, 1))[aziz.pk].state == State.PRESENT
    assert EventCorrection.objects.count() == 2


def test_the_form_shows_and_keeps_only_the_fields_of_the_kind(client: Client, cast: Cast) -> None:
    aziz, _departed, returned = aziz_abroad_and_back(cast)
    client.force_login(cast.enumerator)

    # A new event is drawn as a departure: its details shown, the other kinds' hidden.
    page = client.get(f"{household_url(cast)}?record={aziz.pk}").content.decode()
    assert "data-event-kind" in page and "registry/event_form" in page
    assert re.search(r'<div data-kinds="departed deported entry_ban">\s*<div class="field', page)
    assert re.search(r'<div data-kinds="entry_ban" hidden>', page)
    assert re.search(r'<div data-kinds="moved" hidden>', page)

    # Correcting the return into a deportation: without JavaScript "show the fields" draws the
    # form again for the new kind, keeping what was typed and saving nothing.
    url = f"/registry/events/{returned.pk}/correct/"
    typed = form(returned, kind="deported", date="2023-06-01", reason="It was a deportation")
    response = client.post(url, {**typed, "show_kind": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<div data-kinds="departed deported entry_ban">\s*<div class="field', html)
    assert re.search(r'<div data-kinds="departed" hidden>', html)
    assert 'value="It was a deportation"' in html
    assert 'class="form-error"' not in html
    returned.refresh_from_db()
    assert returned.kind == "returned"

    # A destination left over from another kind is ignored: a deportation has none.
    response = client.post(url, {**typed, **form(returned, country="RU", destination="Tver")})
    assert response.status_code == 302
    returned.refresh_from_db()
    assert (returned.kind, returned.country, returned.destination) == ("deported", "RU", "")
    assert statuses_on([aziz], D(2024, 1, 1))[aziz.pk].state == State.DEPORTED

    # Recording a return with a ban's end typed in a hidden field saves the return alone.
    person = make_person(cast.household, "Nigina", sex="f", birth_year=1992)
    make_event(person, "departed", D(2024, 1, 1), country="RU")
    record = f"p{person.pk.hex[:12]}"
    response = client.post(
        f"/registry/persons/{person.pk}/events/",
        {f"{record}-kind": "returned", f"{record}-date": "2024-05-01", f"{record}-until": "x"},
    )
    assert response.status_code == 302
    event = MigrationEvent.objects.get(person=person, kind="returned")
    assert event.until is None


def test_it_offers_no_correction_to_readers_and_hides_events_from_outsiders(
    client: Client, cast: Cast
) -> None:
    _aziz, departed, returned = aziz_abroad_and_back(cast)
    correct = form(departed, kind="departed", date="2023-01-11", country="RU", reason="x")
    for reader in (cast.officer, cast.owner):
        client.force_login(reader)
        page = client.get(f"{household_url(cast)}?correct={departed.pk}&remove={returned.pk}")
        assert page.status_code == 200, reader.username
        html = page.content.decode()
        assert 'href="?correct=' not in html and 'href="?remove=' not in html
        assert 'action="/registry/events/' not in html
        assert client.post(f"/registry/events/{departed.pk}/correct/", correct).status_code == 403
        response = client.post(
            f"/registry/events/{returned.pk}/remove/", form(returned, reason="x")
        )
        assert response.status_code == 403
    # The keyholder sees no registry beyond the houses in their care: to them, as to an
    # outsider, the event does not exist.
    for outsider in (cast.outsider, cast.keyholder):
        client.force_login(outsider)
        assert client.post(f"/registry/events/{departed.pk}/correct/", correct).status_code == 404
        response = client.post(
            f"/registry/events/{returned.pk}/remove/", form(returned, reason="x")
        )
        assert response.status_code == 404
    client.logout()
    response = client.post(f"/registry/events/{departed.pk}/correct/", correct)
    assert response.status_code == 302 and "/signin/" in response["Location"]
    departed.refresh_from_db()
    assert departed.date == D(2023, 1, 10)
    assert MigrationEvent.objects.count() == 2
    assert not EventCorrection.objects.exists()
