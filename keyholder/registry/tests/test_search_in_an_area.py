"""A search in an area is counted and ordered from the word rows, which carry their record's
village, sort names and phone (issue 11): those copies follow every move and change, the count
is the number of records (each once, whichever ways it is found) inside the user's area, and a
page is the records in name order, by cursor in the API and by number on the place pages."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from keyholder.accounts.models import AuditLog
from keyholder.registry.models import House, Household, Person, PersonWord
from keyholder.testing import Cast, bearer, make_house, make_household, make_person, signed_in


def listed(client: Client, user: Any, kind: str, q: str, **extra: Any) -> dict[str, Any]:
    response = client.get(f"/api/v1/{kind}", {"q": q, **extra}, **bearer(user))
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def ids(client: Client, user: Any, kind: str, q: str, **extra: Any) -> list[str]:
    return [row["id"] for row in listed(client, user, kind, q, **extra)["results"]]


def test_a_household_that_moves_village_is_found_in_the_new_one_only(
    client: Client, cast: Cast
) -> None:
    house = make_house(cast.village, street="кӯчаи Сомонӣ", number="7")
    household = make_household(cast.village, "Раҳимов", house=house)
    person = make_person(household, "Ҷамшед", family_name="Раҳимов", phone="+992931234567")
    v1, v2 = cast.village.code, cast.village2.code
    assert ids(client, cast.officer, "persons", "rahimov", place=v1) == [str(person.pk)]

    # The household and its house move to the second village (the person is not saved).
    household = Household.objects.get(pk=household.pk)
    household.village = cast.village2
    household.save()
    house = House.objects.get(pk=house.pk)
    house.village = cast.village2
    house.save()

    # By name, phone and address (a household by its own name, not its members').
    for q in ("rahimov", "jamshed", "4567", "somoni 7"):
        assert ids(client, cast.officer, "persons", q, place=v1) == [], q
        assert ids(client, cast.officer, "persons", q, place=v2) == [str(person.pk)], q
        assert ids(client, cast.officer, "households", q, place=v1) == [], q
        expected = [] if q == "jamshed" else [str(household.pk)]
        assert ids(client, cast.officer, "households", q, place=v2) == expected, q
    # The enumerator of the first village no longer finds them; the word rows say so too.
    assert listed(client, cast.enumerator, "persons", "rahimov")["count"] == 0
    assert set(PersonWord.objects.filter(person=person).values_list("village_id", flat=True)) == {
        cast.village2.pk
    }
    # On the village pages as in the API.
    page = signed_in(cast.officer)
    assert str(person.pk) not in page.get(f"/places/{v1}/", {"q": "rahimov"}).content.decode()
    assert str(person.pk) in page.get(f"/places/{v2}/", {"q": "rahimov"}).content.decode()


def test_a_person_who_moves_household_or_changes_phone_is_found_where_and_as_they_are_now(
    client: Client, cast: Cast
) -> None:
    there = make_household(cast.village2, "Қодиров")
    person = make_person(cast.household, "Фарҳод", family_name="Каримов", phone="+992931234567")
    person = Person.objects.get(pk=person.pk)
    person.household = there
    person.phone = "+992900007777"
    person.save()
    v1, v2 = cast.village.code, cast.village2.code
    assert ids(client, cast.officer, "persons", "farhod", place=v1) == []
    assert ids(client, cast.officer, "persons", "farhod", place=v2) == [str(person.pk)]
    # By the new phone in any form (national, international, its end), not by the old one.
    for phone in ("90 000 7777", "900007777", "+992 900 00 77 77", "7777"):
        assert ids(client, cast.officer, "persons", phone) == [str(person.pk)], phone
        assert ids(client, cast.officer, "households", phone) == [str(there.pk)], phone
    assert ids(client, cast.officer, "persons", "93 123 45 67") == []
    assert ids(client, cast.officer, "households", "4567") == []


def test_the_count_is_each_record_once_inside_the_area_and_pages_walk_them_in_name_order(
    client: Client, cast: Cast
) -> None:
    # "rah" starts two words of Раҳим Раҳимов, and the house's street too: found three ways,
    # counted once.
    house = make_house(cast.village, street="Rahmon", number="1")
    home = make_household(cast.village, "Раҳимов", house=house)
    twice = make_person(home, "Раҳим", family_name="Раҳимов", phone="+992931230001")
    others = [make_person(home, name, family_name="Раҳимов") for name in ("Азиз", "Ҷамшед")]
    elsewhere = make_person(
        make_household(cast.village2, "Раҳмонов"), "Бобо", family_name="Раҳмонов"
    )
    make_person(cast.other_household, "Rustam", family_name="Rahimov")  # another district

    expected = [str(p.pk) for p in (others[0], twice, others[1], elsewhere)]
    officer = listed(client, cast.officer, "persons", "rah")
    assert officer["count"] == 4
    assert [row["id"] for row in officer["results"]] == expected
    assert listed(client, cast.enumerator, "persons", "rah")["count"] == 3
    assert listed(client, cast.officer, "households", "rah")["count"] == 2
    assert listed(client, cast.admin, "persons", "rah")["count"] == 5
    assert listed(client, cast.outsider, "persons", "rah")["count"] == 1
    assert listed(client, cast.keyholder, "persons", "rah")["count"] == 0
    # The owner's household holds none of them.
    assert listed(client, cast.owner, "persons", "rah")["count"] == 0

    # A page at a time by cursor: every record once, in order, the count on every page.
    walked: list[str] = []
    cursor = None
    while True:
        extra = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = listed(client, cast.officer, "persons", "rah", **extra)
        assert page["count"] == 4
        walked += [row["id"] for row in page["results"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert walked == expected
    response = client.get(
        "/api/v1/persons", {"q": "rah", "cursor": "bm90IGEgY3Vyc29y"}, **bearer(cast.officer)
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid.cursor"
    # Each page read is one audit row naming what it showed.
    shown = AuditLog.objects.filter(object_type="person", user=cast.officer).order_by("pk")
    assert [row.object_ids for row in shown][-4:] == expected


def test_the_place_pages_number_the_pages_of_a_search(cast: Cast) -> None:
    home = make_household(cast.village, "Раҳимов")
    people = [make_person(home, f"Азиз{n:02}", family_name="Раҳимов") for n in range(25)]
    client = signed_in(cast.officer)
    first = client.get("/places/TJ-SU-ASHT/", {"q": "rahimov"}).content.decode()
    second = client.get("/places/TJ-SU-ASHT/", {"q": "rahimov", "persons": "2"}).content.decode()
    on_first = [p for p in people if f"#person-{p.pk}" in first]
    on_second = [p for p in people if f"#person-{p.pk}" in second]
    assert on_first and on_second
    assert on_first + on_second == people[: len(on_first) + len(on_second)]
    assert not set(on_first) & set(on_second)


def test_a_search_reads_as_many_queries_for_thirty_matches_as_for_one(
    client: Client, cast: Cast
) -> None:
    home = make_household(cast.village, "Раҳимов")
    make_person(home, "Азиз", family_name="Раҳимов")
    headers = bearer(cast.officer)

    def queries(kind: str) -> int:
        with CaptureQueriesContext(connection) as seen:
            response = client.get(f"/api/v1/{kind}", {"q": "rahimov"}, **headers)
        assert response.status_code == 200
        return len(seen.captured_queries)

    queries("persons")  # the token's first use is written down once
    one = {kind: queries(kind) for kind in ("persons", "households")}
    for n in range(29):
        make_person(make_household(cast.village2, "Раҳимов"), f"Азиз{n}", family_name="Раҳимов")
    assert listed(client, cast.officer, "persons", "rahimov")["count"] == 30
    assert {kind: queries(kind) for kind in ("persons", "households")} == one
