"""A list of persons by state answers the same pages and count whichever plan reads it (walking
the name index or sorting the matching spans' persons), and counts only the user's area."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from keyholder.registry import queries
from keyholder.registry.models import Person
from keyholder.registry.tests.apiworld import get
from keyholder.testing import make_event, make_household, make_person

ON = dt.date(2024, 7, 15)


@pytest.fixture
def registry(cast):
    """Twelve persons in V01 (every third abroad, one deported), four in V02 (two abroad)
    and three in the outsider's village (all abroad)."""
    for number in range(12):
        person = make_person(cast.household, f"A{number:02d}", family_name=f"F{number % 4}")
        if number % 3 == 0:
            make_event(person, "departed", dt.date(2023, 1, 1))
        if number == 3:
            make_event(person, "deported", dt.date(2024, 1, 1))
    v02 = make_household(cast.village2, "Nazarov")
    for number in range(4):
        person = make_person(v02, f"B{number}")
        if number % 2:
            make_event(person, "departed", dt.date(2022, 5, 1))
    for number in range(3):
        make_event(make_person(cast.other_household, f"C{number}"), "departed", ON)
    return cast


def _all_pages(client, user, url):
    names, cursor, counts = [], None, set()
    while True:
        response = get(client, url + (f"&cursor={cursor}" if cursor else ""), user)
        assert response.status_code == 200, response.content
        body = response.json()
        counts.add(body["count"])
        names += [(item["family_name"], item["given_name"]) for item in body["results"]]
        cursor = body["next"]
        if cursor is None:
            return names, counts


@pytest.mark.parametrize("state", ["present", "abroad", "deported", "not_yet"])
@pytest.mark.parametrize("place", ["", "&place=TJ-SU-ASHT", "&place=TJ-SU-ASHT-PONGHOZ-V02"])
def test_both_plans_answer_the_same_pages(client, registry, monkeypatch, state, place):
    url = f"/api/v1/persons?status={state}&on={ON}&limit=2{place}"
    pages = {}
    # PROBE_COST 0: every page walks the name index, probing each person's spans (LIST_COST
    # 0) or, on SQLite, checking them against the list of matching ids (a huge LIST_COST);
    # a huge PROBE_COST: every page sorts the spans' persons.
    for probe_cost, list_cost in ((0, 0), (0, 10**12), (10**12, 0)):
        monkeypatch.setattr(queries, "PROBE_COST", probe_cost)
        monkeypatch.setattr(queries, "LIST_COST", list_cost)
        # A place's few matches are sorted whatever the costs say (SORT_ROWS): none here,
        # so that the walks are tested under a place too.
        monkeypatch.setattr(queries, "SORT_ROWS", -1)
        pages[probe_cost, list_cost] = _all_pages(client, registry.admin, url)
    assert pages[0, 0] == pages[0, 10**12] == pages[10**12, 0]
    names, counts = pages[0, 0]
    assert names == sorted(names)
    assert counts == {len(names)}
    expected = {
        ("present", ""): 12 - 4 + 2,
        ("abroad", ""): 3 + 2 + 3,
        ("abroad", "&place=TJ-SU-ASHT"): 3 + 2,
        ("abroad", "&place=TJ-SU-ASHT-PONGHOZ-V02"): 2,
        ("deported", ""): 1,
        ("present", "&place=TJ-SU-ASHT-PONGHOZ-V02"): 2,
    }
    if (state, place) in expected:
        assert len(names) == expected[(state, place)]
    if state == "not_yet":
        assert names == []


def test_the_count_covers_only_the_users_area(client, registry):
    # The enumerator of V01 asks for the whole country and for a district: V01 alone counts.
    for place in ("", "&place=TJ-SU-ASHT", "&place=TJ"):
        body = get(
            client, f"/api/v1/persons?status=abroad&on={ON}{place}", registry.enumerator
        ).json()
        assert body["count"] == 3
        assert {item["given_name"] for item in body["results"]} == {"A00", "A06", "A09"}
    # The owner of the cast's household sees their household's persons only.
    body = get(client, f"/api/v1/persons?status=deported&on={ON}", registry.owner).json()
    assert body["count"] == 1
    assert [item["given_name"] for item in body["results"]] == ["A03"]
    # The officer of another district counts their district's three, none of Asht's.
    for place in ("", "&place=TJ-SU-ASHT"):
        body = get(
            client, f"/api/v1/persons?status=abroad&on={ON}{place}", registry.outsider
        ).json()
        assert body["count"] == (0 if place else 3)
        assert {item["given_name"] for item in body["results"]} == (
            set() if place else {"C0", "C1", "C2"}
        )


@pytest.mark.parametrize(("probe_cost", "list_cost"), [(0, 0), (0, 10**12), (10**12, 0)])
def test_spans_ending_after_the_day_count_and_list_as_the_open_ones(
    client, cast, monkeypatch, probe_cost, list_cost
):
    """The spans holding on a day are read as two ranges (open, and ending after the day):
    a stay abroad that ended after the day counts on it, one begun after it does not, in
    the count, the pages (both plans) and count_states."""
    monkeypatch.setattr(queries, "PROBE_COST", probe_cost)
    monkeypatch.setattr(queries, "LIST_COST", list_cost)
    monkeypatch.setattr(queries, "SORT_ROWS", -1)
    back_later = make_person(cast.household, "Back", family_name="Later")
    make_event(back_later, "departed", dt.date(2024, 3, 1))
    make_event(back_later, "returned", dt.date(2024, 11, 1))
    still_away = make_person(cast.household, "Still", family_name="Away")
    make_event(still_away, "departed", dt.date(2024, 3, 1))
    gone_after = make_person(cast.household, "Gone", family_name="After")
    make_event(gone_after, "departed", dt.date(2024, 8, 1))
    make_event(gone_after, "returned", dt.date(2024, 10, 1))
    for place in ("", "&place=TJ-SU-ASHT", f"&place={cast.village.code}"):
        body = get(client, f"/api/v1/persons?status=abroad&on={ON}{place}", cast.admin).json()
        assert body["count"] == 2
        assert {item["given_name"] for item in body["results"]} == {"Back", "Still"}
        body = get(client, f"/api/v1/persons?status=present&on={ON}{place}", cast.admin).json()
        assert "Gone" in {item["given_name"] for item in body["results"]}
        assert "Back" not in {item["given_name"] for item in body["results"]}
    counts = queries.count_states(cast.village, ON)
    assert counts["abroad"] == 2
    assert sum(counts.values()) == Person.objects.filter(household__village=cast.village).count()


def test_a_small_part_of_the_registry_sorts_its_few_matches_even_where_a_walk_looks_cheaper(
    registry, monkeypatch
):
    """Family names cluster by village, so a walk of the name index for a village's or a
    district's persons can probe far more than its estimate: up to SORT_ROWS matches, a place
    holding a small part of the registry sorts them; one holding most of it walks."""
    monkeypatch.setattr(queries, "PROBE_COST", 0)  # every walk looks free
    for name in ("Empty", "Houses"):
        make_household(registry.village, name)
    village = registry.village2
    assert queries.walk_for(village).share < queries.SMALL_SHARE  # of its district
    assert queries.walk_for(None).share == 1
    assert queries.walk_for(registry.district.parent.parent).share == 1  # the country
    assert queries.walk_for(registry.district).share == 1
    spans = queries.spans_in(queries.StatusSpan.objects.all(), state="present", place=village)
    persons = Person.objects.all()

    # The village's district's names are walked when the place does not sort.
    in_district = persons.filter(district_id=registry.district.pk)
    walked = queries.persons_in_state(in_district, spans, ON, 2)[0]
    count = queries.count_on(spans, ON)
    sorted_, same_count = queries.persons_in_state(persons, spans, ON, 2, place=village)
    assert count == same_count == 2
    # The sort reads the matching spans' persons (id IN the spans' ids); the walk probes
    # each person's spans (or on SQLite checks the unindexed id against their list).
    holding: Any = queries.persons_holding(spans, ON)
    if connection.vendor == "postgresql":  # the ids first (queries.LISTED_IDS)
        holding = [row["person_id"] for row in holding]
    sort_plan = str(in_district.filter(pk__in=holding).query)
    assert str(sorted_.query) == sort_plan
    assert str(walked.query) != sort_plan
    assert list(sorted_.order_by("family_name", "given_name", "id")) == list(
        walked.order_by("family_name", "given_name", "id")
    )

    # A place holding most of the registry, or more matches than SORT_ROWS: the costs decide.
    monkeypatch.setattr(queries, "SMALL_SHARE", 0)
    assert str(queries.persons_in_state(persons, spans, ON, 2, place=village)[0].query) == str(
        walked.query
    )
    monkeypatch.setattr(queries, "SMALL_SHARE", 1.01)
    monkeypatch.setattr(queries, "SORT_ROWS", count - 1)
    assert str(queries.persons_in_state(persons, spans, ON, 2, place=village)[0].query) == str(
        walked.query
    )
