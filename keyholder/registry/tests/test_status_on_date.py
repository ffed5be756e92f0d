"""A person's and a household's status on a date follow from their events."""

import datetime as dt

import pytest

from keyholder.core.errors import ServiceError
from keyholder.registry.status import (
    HouseholdState,
    State,
    Status,
    household_status,
    replay,
    validate_history,
)

D = dt.date
TODAY = D(2026, 11, 30)


class E:
    """A bare event: the status rules need only these attributes."""

    def __init__(self, kind: str, date: dt.date, country: str = "", until: dt.date | None = None):
        self.kind, self.date, self.country, self.until = kind, date, country, until
        self.destination = "Moscow" if kind == "departed" else ""


def dep(d: dt.date, country: str = "RU") -> E:
    return E("departed", d, country)


CASES = [
    # (events, birth year, date asked, expected state, expected since)
    ([], 1990, D(2024, 1, 1), State.PRESENT, D(1990, 1, 1)),
    ([dep(D(2020, 3, 1))], 1990, D(2020, 2, 29), State.PRESENT, D(1990, 1, 1)),
    ([dep(D(2020, 3, 1))], 1990, D(2020, 3, 1), State.ABROAD, D(2020, 3, 1)),
    (
        [dep(D(2020, 3, 1)), E("returned", D(2021, 5, 1))],
        1990,
        D(2021, 4, 30),
        State.ABROAD,
        D(2020, 3, 1),
    ),
    (
        [dep(D(2020, 3, 1)), E("returned", D(2021, 5, 1))],
        1990,
        D(2022, 1, 1),
        State.RETURNED,
        D(2021, 5, 1),
    ),
    (
        [dep(D(2020, 3, 1)), E("deported", D(2022, 1, 10))],
        1990,
        D(2022, 2, 1),
        State.DEPORTED,
        D(2022, 1, 10),
    ),
    (
        [
            dep(D(2020, 3, 1)),
            E("entry_ban", D(2022, 1, 9), "RU", D(2027, 1, 9)),
            E("deported", D(2022, 1, 10)),
        ],
        1990,
        D(2023, 1, 1),
        State.BANNED,
        D(2022, 1, 10),
    ),
    (
        [
            dep(D(2020, 3, 1)),
            E("entry_ban", D(2022, 1, 9), "RU", D(2024, 1, 9)),
            E("deported", D(2022, 1, 10)),
        ],
        1990,
        D(2024, 6, 1),
        State.RETURNED,
        D(2022, 1, 10),
    ),
    ([E("died", D(2019, 5, 5))], 1940, D(2020, 1, 1), State.DEAD, D(2019, 5, 5)),
    (
        [dep(D(2018, 1, 1)), E("died", D(2019, 5, 5))],
        1960,
        D(2019, 1, 1),
        State.ABROAD,
        D(2018, 1, 1),
    ),
    ([E("born", D(2017, 6, 1))], 2017, D(2017, 5, 1), State.NOT_YET, None),
    ([E("born", D(2017, 6, 1))], 2017, D(2017, 6, 1), State.PRESENT, D(2017, 6, 1)),
    ([E("left", D(2019, 9, 1))], 1995, D(2020, 1, 1), State.LEFT, D(2019, 9, 1)),
]


@pytest.mark.parametrize(("events", "birth_year", "on", "state", "since"), CASES)
def test_it_derives_status_from_events(events, birth_year, on, state, since):
    status = replay(events, birth_year, on=on)
    assert status.state == state
    assert status.since == since


def test_departure_carries_country_and_destination():
    status = replay([dep(D(2023, 2, 1), "KZ")], 1990, on=D(2023, 3, 1))
    assert (status.country, status.destination) == ("KZ", "Moscow")


IMPOSSIBLE = [
    ([E("returned", D(2020, 1, 1))], "history.return_without_departure"),
    ([E("deported", D(2020, 1, 1))], "history.deportation_without_departure"),
    ([dep(D(2020, 1, 1)), dep(D(2020, 6, 1))], "history.overlapping_stay_abroad"),
    ([dep(D(1989, 1, 1))], "history.before_birth"),
    ([E("died", D(2020, 1, 1)), dep(D(2021, 1, 1))], "history.after_death"),
    ([dep(D(2027, 1, 1))], "history.date_in_future"),
    ([E("entry_ban", D(2020, 1, 1), "RU", D(2019, 1, 1))], "history.ban_end_before_start"),
    (
        [E("entry_ban", D(2020, 1, 1), "RU", D(2025, 1, 1)), dep(D(2021, 1, 1), "RU")],
        "history.departure_during_ban",
    ),
    ([dep(D(2020, 1, 1), "")], "history.destination_required"),
    ([dep(D(2020, 1, 1)), E("moved", D(2020, 2, 1))], "history.moved_while_abroad"),
    ([E("left", D(2020, 1, 1)), dep(D(2021, 1, 1))], "history.not_a_member"),
]


@pytest.mark.parametrize(("events", "code"), IMPOSSIBLE)
def test_it_refuses_impossible_histories_with_their_own_code(events, code):
    with pytest.raises(ServiceError) as caught:
        validate_history(events, 1990, TODAY)
    assert caught.value.code == code


def test_a_ban_on_russia_does_not_stop_a_departure_to_kazakhstan():
    events = [E("entry_ban", D(2020, 1, 1), "RU", D(2025, 1, 1)), dep(D(2021, 1, 1), "KZ")]
    assert validate_history(events, 1990, TODAY).state == State.ABROAD


def test_household_is_fully_abroad_when_no_living_member_is_present():
    abroad, dead = Status(State.ABROAD), Status(State.DEAD)
    whole_family = household_status([abroad, abroad, dead])
    assert whole_family.state == HouseholdState.FULLY_ABROAD
    assert whole_family.vacant
    one_home = household_status([abroad, Status(State.DEPORTED)])
    assert one_home.state == HouseholdState.PRESENT
    assert not one_home.vacant
    assert household_status([dead]).state == HouseholdState.EMPTY
