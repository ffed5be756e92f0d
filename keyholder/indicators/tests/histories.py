"""Random possible histories for the property tests, built with the registry's own rules.

Candidate events are drawn at random and kept only when ``registry.status`` accepts the
history with them, so every history stored is one the services would have accepted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hypothesis import strategies as st

from keyholder.core.errors import ServiceError
from keyholder.registry.status import validate_history

KINDS = ["departed", "returned", "deported", "entry_ban", "moved", "left", "joined", "died", "born"]
COUNTRIES = ["RU", "KZ", "TR"]


@dataclass
class Event:
    kind: str
    date: dt.date
    country: str = ""
    until: dt.date | None = None
    destination: str = ""


@dataclass
class PersonPlan:
    sex: str
    birth_year: int
    events: list[Event]


@st.composite
def person_plans(draw: st.DrawFn, today: dt.date) -> PersonPlan:
    birth_year = draw(st.integers(1945, 2016))
    sex = draw(st.sampled_from(["f", "m"]))
    start = max(dt.date(birth_year, 1, 1), dt.date(2013, 6, 1))
    span = (today - start).days
    offsets = sorted(draw(st.lists(st.integers(0, span), max_size=7)))
    events: list[Event] = []
    for offset in offsets:
        date = start + dt.timedelta(days=offset)
        kind = draw(st.sampled_from(KINDS))
        country = draw(st.sampled_from(COUNTRIES)) if kind in ("departed", "entry_ban") else ""
        until = None
        if kind == "entry_ban":
            until = date + dt.timedelta(days=draw(st.integers(1, 2000)))
        candidate = Event(kind, date, country, until)
        try:
            validate_history([*events, candidate], birth_year, today)
        except ServiceError:
            continue
        events.append(candidate)
    return PersonPlan(sex, birth_year, events)


@dataclass
class HouseholdPlan:
    village: int
    house: int
    members: list[PersonPlan]


def household_plans(today: dt.date) -> st.SearchStrategy[list[HouseholdPlan]]:
    household = st.builds(
        HouseholdPlan,
        village=st.integers(0, 2),
        house=st.integers(0, 5),
        members=st.lists(person_plans(today), max_size=4),
    )
    return st.lists(household, min_size=1, max_size=6)
