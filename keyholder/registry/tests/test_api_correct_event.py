"""PATCH and DELETE /api/v1/events/{id}: a correction or removal with a reason, refused with
the catalogue's code where the history would break, audited and listed in the person's
corrections."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import translation

from keyholder.accounts.models import AuditLog
from keyholder.core.errors import Code, ServiceError
from keyholder.registry.models import EventCorrection, MigrationEvent
from keyholder.registry.queries import statuses_on
from keyholder.registry.spans import differences
from keyholder.registry.status import State
from keyholder.testing import Cast, bearer, make_event, make_person

D = dt.date


def patch(user: Any, event: MigrationEvent, body: dict[str, Any], **extra: Any) -> Any:
    return Client().patch(
        f"/api/v1/events/{event.pk}", body, content_type="application/json", **bearer(user), **extra
    )


def delete(user: Any, event: MigrationEvent, body: dict[str, Any]) -> Any:
    return Client().delete(
        f"/api/v1/events/{event.pk}", body, content_type="application/json", **bearer(user)
    )


def test_it_corrects_an_event_and_refuses_an_impossible_history(cast: Cast) -> None:
    aziz = make_person(cast.household, "Aziz", birth_year=1990)
    departed = make_event(aziz, "departed", D(2023, 1, 10), country="RU", destination="Moscow")
    make_event(aziz, "returned", D(2023, 6, 1))
    enumerator = cast.enumerator

    # The departure moved after the return: refused in the request's language, nothing saved.
    response = patch(
        enumerator, departed, {"date": "2023-07-01", "reason": "x"}, HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "history.return_without_departure"
    with translation.override("ru"):
        expected = ServiceError(Code.HISTORY_RETURN_WITHOUT_DEPARTURE, date=D(2023, 6, 1))
        assert response.json()["message"] == expected.message
    # A detail the kind does not have, and a missing or empty reason.
    response = patch(enumerator, departed, {"until": "2024-01-01", "reason": "x"})
    assert (response.status_code, response.json()["code"]) == (400, "event.detail_not_of_kind")
    assert patch(enumerator, departed, {"date": "2023-01-11"}).status_code == 400
    response = patch(enumerator, departed, {"date": "2023-01-11", "reason": " "})
    assert (response.status_code, response.json()["code"]) == (400, "event.reason_required")
    response = patch(enumerator, departed, {"country": "XYZ", "reason": "x"})
    assert (response.status_code, response.json()["code"]) == (400, "invalid.country")
    departed.refresh_from_db()
    assert departed.date == D(2023, 1, 10)
    assert not EventCorrection.objects.exists()

    # Only what is sent changes.
    body = {"date": "2023-01-20", "destination": "Kazan", "reason": "Misheard"}
    response = patch(enumerator, departed, body)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["date"], answer["country"], answer["destination"]) == (
        "2023-01-20",
        "RU",
        "Kazan",
    )
    assert statuses_on([aziz], D(2023, 1, 15))[aziz.pk].state == State.PRESENT
    assert statuses_on([aziz], D(2023, 1, 25))[aziz.pk].destination == "Kazan"
    assert differences(cast.village.pk) == []
    row = AuditLog.objects.get(action="update", object_type="migration_event")
    assert (row.detail["before"]["date"], row.detail["after"]["date"]) == (
        "2023-01-10",
        "2023-01-20",
    )
    assert (row.detail["before"]["destination"], row.detail["after"]["destination"]) == (
        "Moscow",
        "Kazan",
    )
    # A resend changes nothing and records nothing.
    assert patch(enumerator, departed, body).status_code == 200
    assert AuditLog.objects.filter(action="update").count() == 1
    assert EventCorrection.objects.count() == 1

    # A change of kind clears the details the new kind has not: a departure corrected into a
    # move keeps no country; the move needs its place.
    response = patch(enumerator, departed, {"kind": "moved", "reason": "Moved to Khujand"})
    assert (response.status_code, response.json()["code"]) == (400, "history.moved_to_required")
    response = patch(
        enumerator,
        departed,
        {"kind": "moved", "moved_to": cast.village2.code, "reason": "Moved, not abroad"},
    )
    # A return follows: from a move that is possible (back home).
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["kind"], answer["country"], answer["destination"], answer["moved_to"]) == (
        "moved",
        "",
        "",
        cast.village2.code,
    )

    # The person's corrections, oldest first, read by anyone who may see the person.
    response = Client().get(f"/api/v1/persons/{aziz.pk}/corrections", **bearer(cast.officer))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["action"], r["reason"], r["by"]) for r in results] == [
        ("corrected", "Misheard", "enumerator"),
        ("corrected", "Moved, not abroad", "enumerator"),
    ]
    assert results[1]["before"]["kind"] == "departed"
    assert results[1]["after"]["moved_to"] == cast.village2.code


def test_it_removes_an_event_and_refuses_to_leave_a_return_without_departure(
    cast: Cast,
) -> None:
    aziz = make_person(cast.household, "Aziz", birth_year=1990)
    departed = make_event(aziz, "departed", D(2023, 1, 10), country="RU")
    returned = make_event(aziz, "returned", D(2023, 6, 1))

    response = delete(cast.enumerator, departed, {"reason": "Never left"})
    assert (response.status_code, response.json()["code"]) == (
        400,
        "history.return_without_departure",
    )
    response = delete(cast.enumerator, returned, {"reason": ""})
    assert (response.status_code, response.json()["code"]) == (400, "event.reason_required")
    response = delete(cast.enumerator, returned, {"reason": "x" * 501})
    assert response.status_code == 400
    assert MigrationEvent.objects.count() == 2

    response = delete(cast.enumerator, returned, {"reason": "Wrong person"})
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["action"], answer["event"], answer["after"]) == (
        "removed",
        str(returned.pk),
        None,
    )
    assert answer["before"]["kind"] == "returned" and answer["before"]["date"] == "2023-06-01"
    assert not MigrationEvent.objects.filter(pk=returned.pk).exists()
    assert statuses_on([aziz], D(2024, 1, 1))[aziz.pk].state == State.ABROAD
    row = AuditLog.objects.get(action="delete", object_type="migration_event")
    assert row.detail["reason"] == "Wrong person" and row.detail["before"]["kind"] == "returned"
    # Gone: a second removal answers as for any unknown event.
    assert delete(cast.enumerator, returned, {"reason": "again"}).status_code == 404


def test_only_writers_of_the_village_correct_and_outsiders_learn_nothing(cast: Cast) -> None:
    aziz = make_person(cast.household, "Aziz", birth_year=1990)
    departed = make_event(aziz, "departed", D(2023, 1, 10), country="RU")
    body = {"date": "2023-01-11", "reason": "x"}
    for reader in (cast.officer, cast.owner):
        response = patch(reader, departed, body)
        assert (response.status_code, response.json()["code"]) == (403, "auth.forbidden")
        assert delete(reader, departed, {"reason": "x"}).status_code == 403
    # The keyholder sees no registry beyond the houses in their care: an outsider here.
    for outsider in (cast.outsider, cast.keyholder):
        assert patch(outsider, departed, body).status_code == 404
        assert delete(outsider, departed, {"reason": "x"}).status_code == 404
    response = Client().get(f"/api/v1/persons/{aziz.pk}/corrections", **bearer(cast.outsider))
    assert response.status_code == 404
    anonymous = Client().patch(
        f"/api/v1/events/{departed.pk}", body, content_type="application/json"
    )
    assert anonymous.status_code == 401
    departed.refresh_from_db()
    assert departed.date == D(2023, 1, 10)
    # An administrator may correct anywhere.
    assert patch(cast.admin, departed, body).status_code == 200
