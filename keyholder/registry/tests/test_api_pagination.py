"""Lists page through with an opaque cursor, in a stable order, with a bounded query count.

The query count of a page does not grow with its size: statuses of a page's persons come from
one events query, garden trees from one prefetch, so an N+1 cannot creep in unnoticed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from keyholder.registry.models import GardenTree
from keyholder.registry.tests.apiworld import get
from keyholder.testing import make_event, make_household, make_person

# Authentication (token lookup; on a token's first use in the hour, as each fresh test token's
# is, its stamp and its audit row; the user's area), the page itself (count, rows, and at most
# two for statuses or trees; on PostgreSQL a sorted page of a state reads its ids first,
# ``queries.LISTED_IDS``) and the page's one audit row (a person's events page also writes
# the read of the person).
MAX_QUERIES = 11


@pytest.fixture(scope="module", autouse=True)
def crowded(_module_cast, module_db) -> None:
    """24 households of the cast's village, made once for the module (every test's world)."""
    cast = _module_cast
    assert cast is not None, "the module shares one cast"
    with module_db.unblock():
        _crowd(cast)


def _crowd(cast) -> None:
    for number in range(24):
        household = make_household(cast.village, f"Family{number:02d}")
        house = household.house
        assert house is not None
        GardenTree.objects.create(house=house, kind="apricot", count=number + 1)
        GardenTree.objects.create(house=house, kind="walnut", count=2)
        for given in ("Ali", "Vali"):
            person = make_person(household, given, birth_year=1980 + number)
            make_event(person, "departed", dt.date(2018, 1, 1 + number % 28))
            if number % 2:
                make_event(person, "returned", dt.date(2020, 1, 1))


def _walk(client, user, url: str, django_assert_max_num_queries) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    cursor = ""
    counts = set()
    while True:
        separator = "&" if "?" in url else "?"
        with django_assert_max_num_queries(MAX_QUERIES):
            response = get(client, f"{url}{separator}limit=7&cursor={cursor}", user)
        assert response.status_code == 200, response.content
        body = response.json()
        counts.add(body["count"])
        assert len(body["results"]) <= 7
        seen += body["results"]
        if body["next"] is None:
            break
        cursor = body["next"]
    # Every page carries the same total, and the pages add up to it with no repeats.
    assert counts == {len(seen)}
    assert len({item["id"] for item in seen}) == len(seen)
    return seen


@pytest.mark.parametrize(
    ("url", "expected", "key"),
    [
        ("/api/v1/households", 25, lambda item: item["name"]),
        ("/api/v1/houses", 25, lambda item: (item["street"], item["number"])),
        ("/api/v1/persons", 48, lambda item: (item["family_name"], item["given_name"])),
        ("/api/v1/persons?status=abroad&on=2021-01-01", 24, lambda item: item["family_name"]),
        ("/api/v1/persons?place=TJ-SU-ASHT-PONGHOZ", 48, lambda item: item["family_name"]),
    ],
)
def test_it_pages_through_a_list(
    client, cast, crowded, django_assert_max_num_queries, url, expected, key
):
    seen = _walk(client, cast.officer, url, django_assert_max_num_queries)
    assert len(seen) == expected
    assert [key(item) for item in seen] == sorted(key(item) for item in seen)


def test_each_item_carries_its_status_or_trees(
    client, cast, crowded, django_assert_max_num_queries
):
    persons = _walk(
        client, cast.admin, "/api/v1/persons?on=2021-01-01", django_assert_max_num_queries
    )
    states = {p["given_name"] + p["family_name"]: p["status"]["state"] for p in persons}
    assert states["AliFamily00"] == "abroad"
    assert states["AliFamily01"] == "returned"
    houses = _walk(client, cast.officer, "/api/v1/houses", django_assert_max_num_queries)
    assert sorted(h["trees"].get("apricot", 0) for h in houses) == list(range(25))


def test_a_persons_events_page_oldest_first(client, cast, django_assert_max_num_queries):
    person = make_person(cast.household, "Aziz", birth_year=1980)
    for year in range(2000, 2020, 2):
        make_event(person, "departed", dt.date(year, 3, 1))
        make_event(person, "returned", dt.date(year + 1, 3, 1))
    url = f"/api/v1/persons/{person.pk}/events"
    events = _walk(client, cast.enumerator, url, django_assert_max_num_queries)
    assert [e["date"] for e in events] == sorted(e["date"] for e in events)
    assert len(events) == 20


@pytest.mark.parametrize(
    ("url", "cursor"),
    [
        # Not base64, a list of the wrong length, an object, nulls: in either kind of list.
        *(
            (url, cursor)
            for url in ("/api/v1/persons?", "/api/v1/persons?status=abroad&")
            for cursor in ("garbage!", "WzFd", "eyJhIjoxfQ", "W251bGwsbnVsbCxudWxsXQ")
        ),
        # A value that does not fit its field: the database path checks it (["x","y","not-a-uuid"]).
        ("/api/v1/persons?", "WyJ4IiwieSIsIm5vdC1hLXV1aWQiXQ"),
        ("/api/v1/households?", "WyJ4IiwibmVpdGhlciJd"),
    ],
)
def test_it_refuses_a_cursor_it_did_not_make(client, cast, url, cursor):
    response = get(client, f"{url}cursor={cursor}", cast.officer)
    assert response.status_code == 400, response.content
    assert (response.json()["code"], response.json()["field"]) == ("invalid.cursor", "cursor")
