"""Turn the event histories of one village into monthly series, replaying each person once.

The status rules are those of ``keyholder.registry.status`` (``apply``, the same function
``replay`` uses), so the store cannot disagree with the registry. Each person's history becomes
a few *segments*: from month ``a`` on, their status at month end is ``s``. Contributions are
added over month ranges with difference arrays, so the cost is per event, not per month.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from keyholder.core.errors import ServiceError
from keyholder.indicators.catalogue import (
    AGE,
    AGE_BAND_LABELS,
    AGE_BANDS,
    COUNTRY,
    ELDERLY_AGE,
    SEX,
)
from keyholder.indicators.months import expiry_index, january_index, month_index, year_of
from keyholder.registry.status import State, Status, apply, initial_status, sort_key

logger = logging.getLogger(__name__)

Key = tuple[str, str]
Series = dict[Key, np.ndarray]

IN_VILLAGE = State.IN_VILLAGE
MEMBER = State.MEMBER
ABROAD = State.ABROAD
FLOW_KINDS = {"departed": "departures", "returned": "returns", "deported": "deportations"}
SEX_KEYS = {"f": ("abroad", f"{SEX}:f"), "m": ("abroad", f"{SEX}:m")}
PRESENT = Status(State.PRESENT)
AGE_KEYS = tuple(("abroad", f"{AGE}:{label}") for label in AGE_BAND_LABELS)


@dataclass(slots=True)
class Ev:
    """An event as the status rules need it (the ``EventLike`` protocol)."""

    kind: str
    date: dt.date
    country: str = ""
    until: dt.date | None = None
    destination: str = ""


@dataclass
class Member:
    sex: str
    birth_year: int
    events: list[Ev] = field(default_factory=list)


@dataclass
class HouseholdHistory:
    house_id: object
    members: list[Member] = field(default_factory=list)


def _band(age: int) -> int:
    for position, (_low, high) in enumerate(AGE_BANDS):
        if high is None or age <= high:
            return position
    return len(AGE_BANDS) - 1


class Accumulator:
    """Difference arrays per (indicator, dimension) for one village over ``months`` months."""

    def __init__(self, months: int) -> None:
        self.months = months
        self.diff: dict[Key, list[int]] = {}

    def add(self, key: Key, start: int, stop: int, weight: int = 1) -> None:
        if start >= stop:
            return
        array = self.diff.get(key)
        if array is None:
            array = self.diff[key] = [0] * (self.months + 1)
        array[start] += weight
        array[stop] -= weight

    def series(self) -> Series:
        out: Series = {}
        for key, diff in self.diff.items():
            values = np.cumsum(np.asarray(diff[:-1], dtype=np.int64))
            if values.any():
                out[key] = values
        return out


def person_segments(member: Member, months: int) -> list[tuple[int, Status]]:
    """[(first month, status at the end of it and of following months until the next)].

    Raises ``ServiceError`` for an impossible history, exactly as ``replay`` would.
    """
    ordered = sorted(member.events, key=sort_key)
    status = initial_status(ordered, member.birth_year)
    birth_start = dt.date(member.birth_year, 1, 1)
    segments = [(0, status)]
    for index, event in enumerate(ordered):
        status = apply(status, event, index, birth_start)
        month = month_index(event.date)
        if month >= months:
            break
        month = max(month, 0)
        # Several events in one month: the status at month end is the one after the last.
        if segments[-1][0] == month:
            segments[-1] = (month, status)
        else:
            segments.append((month, status))
    return segments


def _person(acc: Accumulator, member: Member, segments: Sequence[tuple[int, Status]]) -> None:
    months = acc.months
    for event in member.events:
        name = FLOW_KINDS.get(event.kind)
        if name is None:
            continue
        month = month_index(event.date)
        if 0 <= month < months:
            acc.add((name, ""), month, month + 1)
            if name == "departures" and event.country:
                acc.add((name, f"{COUNTRY}:{event.country.upper()}"), month, month + 1)
    sex_key = SEX_KEYS.get(member.sex)
    for position, (start, status) in enumerate(segments):
        stop = segments[position + 1][0] if position + 1 < len(segments) else months
        if start >= stop:
            continue
        state = status.state
        if state in MEMBER:
            acc.add(("residents", ""), start, stop)
        if status.ban_until is not None:
            acc.add(("entry_bans_active", ""), start, min(stop, expiry_index(status.ban_until)))
        if state == ABROAD:
            acc.add(("abroad", ""), start, stop)
            acc.add(("abroad", f"{COUNTRY}:{status.country}"), start, stop)
            if sex_key is not None:
                acc.add(sex_key, start, stop)
            _age_ranges(acc, member.birth_year, start, stop)


def _age_ranges(acc: Accumulator, birth_year: int, start: int, stop: int) -> None:
    """Split a stay abroad at the Januaries where the person changes age band."""
    current = start
    while current < stop:
        band = _band(year_of(current) - birth_year)
        high = AGE_BANDS[band][1]
        end = stop if high is None else min(stop, january_index(birth_year + high + 1))
        acc.add(AGE_KEYS[band], current, end)
        current = end


def _household(
    acc: Accumulator,
    members: Sequence[Member],
    segments: Sequence[Sequence[tuple[int, Status]]],
    quiet_birth_years: Sequence[int] = (),
) -> list[tuple[int, int]]:
    """Add the household figures; return the month ranges in which the household is vacant.

    ``quiet_birth_years`` are the members without events: present in every month, so they
    are counted once rather than in each piece of the household's history.
    """
    months = acc.months
    bounds = sorted({0, *(start for segs in segments for start, _s in segs if start < months)})
    pointers = [0] * len(segments)
    vacant: list[tuple[int, int]] = []
    quiet = len(quiet_birth_years)
    quiet_youngest = max(quiet_birth_years, default=-1)
    for position, start in enumerate(bounds):
        stop = bounds[position + 1] if position + 1 < len(bounds) else months
        present = alive = quiet
        abroad = 0
        youngest_present = quiet_youngest
        for m, segs in enumerate(segments):
            pointer = pointers[m]
            while pointer + 1 < len(segs) and segs[pointer + 1][0] <= start:
                pointer += 1
            pointers[m] = pointer
            state = segs[pointer][1].state
            if state in MEMBER:
                alive += 1
                if state in IN_VILLAGE:
                    present += 1
                    if members[m].birth_year > youngest_present:
                        youngest_present = members[m].birth_year
                elif state == ABROAD:
                    abroad += 1
        if alive:
            acc.add(("households", ""), start, stop)
        if present:
            elderly_from = max(start, january_index(youngest_present + ELDERLY_AGE))
            acc.add(("elderly_only_households", ""), elderly_from, stop)
            continue
        if abroad:
            acc.add(("households_fully_abroad", ""), start, stop)
        if vacant and vacant[-1][1] == start:
            vacant[-1] = (vacant[-1][0], stop)
        else:
            vacant.append((start, stop))
    return vacant


def _intersect(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, stop = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < stop:
            out.append((start, stop))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _subtract(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, stop in a:
        current = start
        for b_start, b_stop in b:
            if b_stop <= current or b_start >= stop:
                continue
            if b_start > current:
                out.append((current, b_start))
            current = max(current, b_stop)
        if current < stop:
            out.append((current, stop))
    return out


@dataclass
class VillageResult:
    series: Series
    skipped_persons: int = 0


def compute_village(
    households: Iterable[HouseholdHistory],
    months: int,
    kept: dict[object, list[tuple[int, int]]] | None = None,
) -> VillageResult:
    """All series of one village from its households' histories.

    ``kept`` maps a house id to the month ranges in which a keeping agreement is in force.
    A person whose history is impossible is left out (and counted), as ``replay`` would refuse
    it; the registry's services never store such a history.
    """
    acc = Accumulator(months)
    skipped = 0
    house_vacancy: dict[object, list[tuple[int, int]]] = {}
    # Persons without events are present from the first month to the last (``replay`` of no
    # events): they are counted in bulk, and so are households where nobody has events.
    quiet_persons = 0
    elderly_from: dict[int, int] = {}
    for household in households:
        if household.members and not any(m.events for m in household.members):
            quiet_persons += len(household.members)
            start = max(
                january_index(max(m.birth_year for m in household.members) + ELDERLY_AGE), 0
            )
            elderly_from[start] = elderly_from.get(start, 0) + 1
            if household.house_id is not None:
                house_vacancy[household.house_id] = []
            continue
        members: list[Member] = []
        segments: list[list[tuple[int, Status]]] = []
        quiet_years: list[int] = []
        for member in household.members:
            if not member.events:
                quiet_persons += 1
                quiet_years.append(member.birth_year)
                continue
            try:
                segs = person_segments(member, months)
            except ServiceError as exc:
                skipped += 1
                logger.warning("impossible history left out of the indicators: %s", exc)
                continue
            members.append(member)
            segments.append(segs)
            _person(acc, member, segs)
        vacant = _household(acc, members, segments, quiet_years)
        if household.house_id is None:
            continue
        if household.house_id in house_vacancy:
            house_vacancy[household.house_id] = _intersect(
                house_vacancy[household.house_id], vacant
            )
        else:
            house_vacancy[household.house_id] = vacant
    acc.add(("residents", ""), 0, months, quiet_persons)
    for start, count in elderly_from.items():
        acc.add(("households", ""), 0, months, count)
        acc.add(("elderly_only_households", ""), min(start, months), months, count)
    kept = kept or {}
    for house_id, ranges in house_vacancy.items():
        acc.add(("houses", ""), 0, months)
        care = kept.get(house_id, [])
        for start, stop in ranges:
            acc.add(("vacant_houses", ""), start, stop)
        for start, stop in _intersect(ranges, care):
            acc.add(("vacant_houses_kept", ""), start, stop)
        for start, stop in _subtract(ranges, care):
            acc.add(("vacant_houses_unkept", ""), start, stop)
    return VillageResult(acc.series(), skipped)
