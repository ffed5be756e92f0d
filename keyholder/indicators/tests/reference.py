"""Direct recomputation of indicators by replaying events with ``registry.status``.

The slow, obvious way: for a village and a month, take every person of the village and ask
``replay`` for their status on the month's last day. The store must agree with it.

Every figure counts persons, events, households or houses, and each of those is in exactly one
village: a place's figure is the sum of its villages' (``direct_tree``), as a census adds up
its enumeration areas. The store is built and aggregated its own way; the reference replays
each village once and adds.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import Counter, defaultdict
from functools import reduce

from keyholder.indicators.months import month_end, month_index
from keyholder.keeping.care import house_care
from keyholder.keeping.schedule import Interval, is_active_on
from keyholder.places.models import Place, PlaceKind, subtree_q
from keyholder.registry.models import Household, Person
from keyholder.registry.status import State, household_status, replay


def direct(place: Place, month: int) -> dict[tuple[str, str], int]:
    return direct_months(place, [month])[month]


def direct_tree(
    places: list[Place], months: list[int]
) -> dict[str, dict[int, dict[tuple[str, str], int]]]:
    """The figures of each of ``places`` (by code) for each month: every village under them
    replayed once (``direct_months``), a place's figures the sum of its villages'."""
    villages = Place.objects.filter(kind=PlaceKind.VILLAGE).filter(
        reduce(operator.or_, (subtree_q(place) for place in places))
    )
    by_village = {village.path: direct_months(village, months) for village in villages}
    out: dict[str, dict[int, dict[tuple[str, str], int]]] = {}
    for place in places:
        inside = [
            figures
            for path, figures in by_village.items()
            if path == place.path or path.startswith(place.path + "/")
        ]
        totals: dict[int, dict[tuple[str, str], int]] = {}
        for month in months:
            summed: Counter[tuple[str, str]] = Counter()
            for figures in inside:
                summed.update(figures[month])
            totals[month] = {k: v for k, v in summed.items() if v}
        out[place.code] = totals
    return out


def direct_months(place: Place, months: list[int]) -> dict[int, dict[tuple[str, str], int]]:
    """The figures of ``place`` for each month, from one read of its persons and events."""
    persons = list(
        Person.objects.filter(subtree_q(place, "household__village__")).prefetch_related("events")
    )
    households = list(Household.objects.filter(subtree_q(place, "village__")))
    # When a house is under care is keeping's one rule, asked here of the day itself.
    care = house_care(house_ids={h.house_id for h in households if h.house_id is not None})
    return {m: _direct(persons, households, care, m) for m in months}


def _direct(
    persons: list[Person],
    households: list[Household],
    care: dict[object, list[Interval]],
    month: int,
) -> dict[tuple[str, str], int]:
    on = month_end(month)
    out: dict[tuple[str, str], int] = defaultdict(int)
    by_household: dict[object, list] = defaultdict(list)
    for person in persons:
        events = list(person.events.all())
        status = replay(events, person.birth_year, on=on)
        by_household[person.household_id].append((person, status))
        for event in events:
            if month_index(event.date) != month:
                continue
            name = {"departed": "departures", "returned": "returns", "deported": "deportations"}
            if event.kind in name:
                out[(name[event.kind], "")] += 1
                if event.kind == "departed":
                    out[("departures", f"country:{event.country}")] += 1
        if status.alive_member:
            out[("residents", "")] += 1
        if status.ban_until is not None and on <= status.ban_until:
            out[("entry_bans_active", "")] += 1
        if status.state == State.ABROAD:
            age = on.year - person.birth_year
            band = next(
                label
                for label, high in [
                    ("0-14", 14),
                    ("15-24", 24),
                    ("25-34", 34),
                    ("35-44", 44),
                    ("45-54", 54),
                    ("55-64", 64),
                    ("65+", 10_000),
                ]
                if age <= high
            )
            for dim in ("", f"country:{status.country}", f"sex:{person.sex}", f"age:{band}"):
                out[("abroad", dim)] += 1
    houses: dict[object, list[bool]] = defaultdict(list)
    for household in households:
        members = by_household.get(household.pk, [])
        hs = household_status(s for _p, s in members)
        if hs.members_total:
            out[("households", "")] += 1
        if hs.state == "fully_abroad":
            out[("households_fully_abroad", "")] += 1
        present = [p for p, s in members if s.alive_member and s.in_village]
        if present and all(on.year - p.birth_year >= 65 for p in present):
            out[("elderly_only_households", "")] += 1
        if household.house_id is not None:
            houses[household.house_id].append(hs.vacant)
    for house_id, vacancies in houses.items():
        out[("houses", "")] += 1
        if all(vacancies):
            out[("vacant_houses", "")] += 1
            kept = is_active_on(care.get(house_id, []), on)
            out[("vacant_houses_kept" if kept else "vacant_houses_unkept", "")] += 1
    return {k: v for k, v in out.items() if v}


def stored(place: Place, month: int) -> dict[tuple[str, str], int]:
    return stored_months(place, [month])[month]


def stored_months(place: Place, months: list[int]) -> dict[int, dict[tuple[str, str], int]]:
    from keyholder.indicators.models import IndicatorSeries

    rows = list(IndicatorSeries.objects.filter(place=place))
    out: dict[int, dict[tuple[str, str], int]] = {}
    for month in months:
        values = {(r.indicator, r.dimension): r.value_at(month) for r in rows}
        out[month] = {k: v for k, v in values.items() if v}
    return out


def last_day(year: int, month: int) -> dt.date:
    return month_end(month_index(dt.date(year, month, 1)))
