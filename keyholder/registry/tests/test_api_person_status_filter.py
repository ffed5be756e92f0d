"""``GET /api/v1/persons?status=S&on=D`` lists exactly the persons whose replayed status on D
is S, for every state and across bans, their ends, moves, leaving and late births."""

from __future__ import annotations

import datetime as dt

import pytest

from keyholder.registry.queries import statuses_on
from keyholder.registry.status import State
from keyholder.registry.tests.apiworld import get
from keyholder.testing import make_event, make_person

D = dt.date

# Histories chosen so that every state occurs on some of the dates below, including the cases
# where the last event alone does not decide: a ban that ends, a ban laid while abroad, a ban
# before a leave and a re-join, a move and a return from it.
HISTORIES: list[tuple[int, list[tuple[str, dt.date, dict[str, object]]]]] = [
    (1980, []),
    (1980, [("departed", D(2019, 1, 1), {})]),
    (1980, [("departed", D(2019, 1, 1), {}), ("returned", D(2020, 6, 1), {})]),
    (1982, [("departed", D(2019, 1, 1), {}), ("deported", D(2021, 2, 1), {})]),
    (
        1983,
        [
            ("departed", D(2019, 1, 1), {}),
            ("deported", D(2020, 2, 1), {}),
            ("entry_ban", D(2020, 2, 1), {"country": "RU", "until": D(2022, 2, 1)}),
        ],
    ),
    (
        1984,
        [
            ("departed", D(2019, 1, 1), {}),
            ("entry_ban", D(2019, 6, 1), {"country": "RU", "until": D(2030, 1, 1)}),
            ("returned", D(2021, 1, 1), {}),
        ],
    ),
    (1985, [("entry_ban", D(2020, 1, 1), {"country": "RU", "until": D(2021, 1, 1)})]),
    (1986, [("moved", D(2019, 5, 1), {"moved_to": "V02"}), ("returned", D(2021, 5, 1), {})]),
    (1987, [("left", D(2020, 3, 1), {})]),
    (
        1988,
        [
            ("entry_ban", D(2019, 1, 1), {"country": "RU", "until": D(2030, 1, 1)}),
            ("left", D(2019, 6, 1), {}),
            ("joined", D(2020, 6, 1), {}),
        ],
    ),
    (1940, [("died", D(2020, 8, 1), {})]),
    (2020, [("born", D(2020, 9, 1), {})]),
    (1999, [("joined", D(2021, 3, 1), {}), ("departed", D(2022, 3, 1), {"country": "KZ"})]),
]
DATES = [
    D(2018, 12, 31),
    D(2019, 7, 1),
    D(2020, 6, 1),
    D(2020, 12, 31),
    D(2021, 6, 1),
    D(2023, 1, 1),
]


@pytest.fixture
def people(cast):
    persons = []
    for number, (birth_year, events) in enumerate(HISTORIES):
        person = make_person(cast.household, f"P{number:02d}", birth_year=birth_year)
        for kind, date, extra in events:
            if extra.get("moved_to") == "V02":
                extra = {**extra, "moved_to": cast.village2}
            make_event(person, kind, date, **extra)
        persons.append(person)
    return persons


@pytest.mark.parametrize("on", DATES)
def test_every_state_lists_exactly_the_replayed_ones(client, cast, people, on):
    expected = statuses_on(people, on)
    total = 0
    for state in State.ALL:
        response = get(client, f"/api/v1/persons?status={state}&on={on}", cast.enumerator)
        assert response.status_code == 200, response.content
        body = response.json()
        listed = {item["id"] for item in body["results"]}
        wanted = {str(pk) for pk, status in expected.items() if status.state == state}
        assert listed == wanted, (state, on)
        assert body["count"] == len(wanted)
        assert all(item["status"]["state"] == state for item in body["results"])
        total += body["count"]
    # Each person is listed under exactly one state.
    assert total == len(people)


def test_the_histories_cover_every_state(cast, people):
    seen = {status.state for on in DATES for status in statuses_on(people, on).values()}
    assert seen == set(State.ALL)
