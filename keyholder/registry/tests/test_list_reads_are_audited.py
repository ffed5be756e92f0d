"""A list of persons is a read of each of them: one audit row per request names the filter, the
number of persons shown and their ids (issue 13: 500 deportees were read and nothing was
written). The row costs one INSERT, whatever the length of the page."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from keyholder.accounts.models import AuditLog
from keyholder.registry.models import Person
from keyholder.testing import Cast, bearer, make_event, make_household, make_person, signed_in


def _deportees(cast: Cast, count: int) -> list[Person]:
    household = make_household(cast.village, "Saidov")
    people = []
    for n in range(count):
        person = make_person(household, f"Deportee{n}", birth_year=1980 + n)
        make_event(person, "departed", dt.date(2020, 1, 1))
        make_event(person, "deported", dt.date(2023, 5, 1))
        people.append(person)
    return people


def _lists() -> list[AuditLog]:
    return list(AuditLog.objects.filter(action=AuditLog.Action.READ_LIST).order_by("pk"))


def test_it_audits_the_deportees_an_officer_lists(client: Client, cast: Cast) -> None:
    deportees = _deportees(cast, 12)
    # Someone away but not deported: on no deportee list.
    abroad = make_person(cast.household, "Aziz")
    make_event(abroad, "departed", dt.date(2021, 3, 1))

    officer = bearer(cast.officer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/persons?status=deported&limit=500", **officer)
    assert response.status_code == 200
    shown = [p["id"] for p in response.json()["results"]]
    assert sorted(shown) == sorted(str(p.pk) for p in deportees)
    # One INSERT into the audit log for the whole page (and the token's first use).
    inserts = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "accounts_auditlog"')]
    assert len(inserts) == 2

    [row] = _lists()
    assert (row.user, row.object_type) == (cast.officer, "person")
    assert row.detail["filter"] == {"status": "deported", "limit": "500"}
    assert row.detail["count"] == 12
    assert row.shown_ids == shown
    assert str(abroad.pk) not in row.object_ids

    # The outsider's list of Asht deportees is empty, and its row says so.
    client.get(
        f"/api/v1/persons?status=deported&place={cast.district.code}", **bearer(cast.outsider)
    )
    last = _lists()[-1]
    assert (last.user, last.detail["count"], last.object_ids) == (cast.outsider, 0, "")
    assert last.detail["filter"] == {"status": "deported", "place": cast.district.code}


def test_it_audits_the_household_house_and_event_lists(client: Client, cast: Cast) -> None:
    [person] = _deportees(cast, 1)
    officer = bearer(cast.officer)
    for url, object_type, expected in (
        ("/api/v1/households", "household", {str(cast.household.pk), str(person.household_id)}),
        (
            f"/api/v1/persons/{person.pk}/events",
            "migration_event",
            {str(e.pk) for e in person.events.all()},
        ),
    ):
        assert client.get(url, **officer).status_code == 200
        row = _lists()[-1]
        assert row.object_type == object_type, url
        assert set(row.shown_ids) == expected, url
        assert row.detail["count"] == len(expected)
    assert client.get("/api/v1/houses", {"junk": "x" * 5000}, **officer).status_code == 200
    houses = _lists()[-1]
    assert houses.object_type == "house"
    # The query string is the client's to fill: each value is kept to 200 characters.
    assert houses.detail["filter"] == {"junk": "x" * 200}


def test_the_village_page_audits_the_households_and_the_persons_it_names(cast: Cast) -> None:
    away = make_person(cast.household, "Aziz")
    make_event(away, "departed", dt.date(2021, 3, 1))
    home = make_person(cast.household, "Malika")
    page = signed_in(cast.officer).get(f"/places/{cast.village.code}/")
    assert page.status_code == 200
    assert "Aziz" in page.content.decode()

    [row] = _lists()
    assert (row.user, row.object_type, row.object_id) == (
        cast.officer,
        "village_page",
        cast.village.code,
    )
    # The households listed by name and the one person named as away; not the one at home.
    assert set(row.shown_ids) == {str(cast.household.pk), str(away.pk)}
    assert str(home.pk) not in row.object_ids
    assert (row.detail["households"], row.detail["persons"]) == (1, 1)


def test_a_search_on_a_place_page_audits_what_it_found(cast: Cast) -> None:
    found = make_person(cast.household, "Aziz", family_name="Раҳимов")
    other = make_household(cast.village, "Saidov")
    not_found = make_person(other, "Malika", family_name="Саидова")
    page = signed_in(cast.enumerator).get(f"/places/{cast.village.code}/", {"q": "рахимов"})
    assert page.status_code == 200
    assert "Aziz" in page.content.decode()

    [row] = _lists()
    assert (row.user, row.object_type, row.object_id) == (
        cast.enumerator,
        "place_search",
        cast.village.code,
    )
    assert row.detail["filter"] == {"q": "рахимов"}
    # The person found by name; the other household's member is not named.
    assert str(found.pk) in row.shown_ids and str(not_found.pk) not in row.object_ids
    assert row.detail["persons"] == 1
