"""Through the API, every impossible history is refused with its own code and nothing is saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from keyholder.registry.models import MigrationEvent
from keyholder.testing import bearer, make_event, make_person

D = dt.date
IN_A_MONTH = (timezone.localdate() + dt.timedelta(days=30)).isoformat()

# (events already recorded, the event sent, the code refusing it, text the message names)
CASES: list[tuple[list[tuple[str, dt.date, dict[str, Any]]], dict[str, Any], str, str]] = [
    (
        [],
        {"kind": "returned", "date": "2020-01-01"},
        "history.return_without_departure",
        "2020-01-01",
    ),
    (
        [],
        {"kind": "deported", "date": "2020-01-01"},
        "history.deportation_without_departure",
        "2020-01-01",
    ),
    (
        [("departed", D(2020, 1, 1), {})],
        {"kind": "departed", "date": "2020-06-01", "country": "RU"},
        "history.overlapping_stay_abroad",
        "2020-01-01",
    ),
    (
        [],
        {"kind": "departed", "date": "1989-12-31", "country": "RU"},
        "history.before_birth",
        "1990",
    ),
    (
        [("died", D(2020, 1, 1), {})],
        {"kind": "departed", "date": "2021-01-01", "country": "RU"},
        "history.after_death",
        "2021-01-01",
    ),
    (
        [],
        {"kind": "departed", "date": IN_A_MONTH, "country": "RU"},
        "history.date_in_future",
        IN_A_MONTH,
    ),
    (
        [],
        {"kind": "entry_ban", "date": "2020-01-01", "country": "RU", "until": "2019-01-01"},
        "history.ban_end_before_start",
        "2020-01-01",
    ),
    (
        [("entry_ban", D(2020, 1, 1), {"country": "RU", "until": D(2025, 1, 1)})],
        {"kind": "departed", "date": "2021-01-01", "country": "RU"},
        "history.departure_during_ban",
        "2025-01-01",
    ),
    ([], {"kind": "departed", "date": "2021-01-01"}, "history.destination_required", ""),
    (
        [("departed", D(2020, 1, 1), {})],
        {"kind": "moved", "date": "2020-02-01", "moved_to": "TJ-SU-ASHT-PONGHOZ-V02"},
        "history.moved_while_abroad",
        "2020-02-01",
    ),
    ([], {"kind": "moved", "date": "2020-02-01"}, "history.moved_to_required", ""),
    (
        [("left", D(2020, 1, 1), {})],
        {"kind": "departed", "date": "2021-01-01", "country": "RU"},
        "history.not_a_member",
        "2021-01-01",
    ),
    (
        [("departed", D(2010, 1, 1), {})],
        {"kind": "born", "date": "2012-06-01"},
        "history.born_not_first",
        "2012-06-01",
    ),
    ([], {"kind": "born", "date": "1991-03-01"}, "history.birth_year_mismatch", "1990"),
    (
        [("joined", D(2000, 1, 1), {})],
        {"kind": "joined", "date": "2005-01-01"},
        "history.already_member",
        "2005-01-01",
    ),
]


@pytest.mark.parametrize(("earlier", "sent", "code", "named"), CASES, ids=[c[2] for c in CASES])
def test_it_refuses_an_impossible_history(client, cast, earlier, sent, code, named):
    person = make_person(cast.household, "Farrukh", birth_year=1990)
    for kind, date, extra in earlier:
        make_event(person, kind, date, **extra)
    response = client.post(
        f"/api/v1/persons/{person.pk}/events",
        sent,
        content_type="application/json",
        **bearer(cast.enumerator),
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == code
    assert named in body["message"]
    assert MigrationEvent.objects.filter(person=person).count() == len(earlier)


def test_it_names_a_field_that_does_not_parse(client, cast):
    person = make_person(cast.household, "Farrukh")
    response = client.post(
        f"/api/v1/persons/{person.pk}/events",
        {"kind": "departed", "date": "2021-02-30", "country": "RU"},
        content_type="application/json",
        **bearer(cast.enumerator),
    )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("invalid", "date")
    assert "Traceback" not in response.content.decode()
    response = client.post(
        f"/api/v1/persons/{person.pk}/events",
        {"kind": "teleported", "date": "2021-02-01"},
        content_type="application/json",
        **bearer(cast.enumerator),
    )
    assert (response.json()["code"], response.json()["field"]) == ("invalid.field", "kind")
