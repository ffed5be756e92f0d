"""A synthetic but plausible registry for one village: households, gardens, lives, migrations.

Everything here is pure (no database): ``plan_village`` turns a random generator, a population
and the number of residents that must be abroad on the calibration dates into plain records.
``keyholder.registry.sample_writer`` places the villages of a district and writes them in bulk.

Calibration is by construction, not by chance: whole families are picked first and their
members counted exactly, then individual migrants are drawn in exact quotas for "abroad on
both dates", "abroad on the first only" and "abroad on the second only"; everybody else's
trips are laid so that they cover neither date. Histories are valid by construction too: trips
never overlap, nobody leaves before 18 or travels after death, and no departure goes to a
country while an entry ban to it runs.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate as _accumulate

from keyholder.registry import sample_names as words
from keyholder.registry.status import State, replay

START = dt.date(2015, 1, 1)
# The histories run to this day whatever the clock says, so that a seed always gives the same
# registry.
END = dt.date(2026, 11, 30)
# Migration Service figures for Asht: 17,500 residents in labour migration at the end of 2023,
# about 24,000 in July 2024.
D1 = dt.date(2023, 12, 31)
D2 = dt.date(2024, 7, 15)
CALIBRATION = ((D1, 17500), (D2, 24000))

# Yearly rates on the living population. Asht grew from 146,143 (2015) to about 168,100
# (2020): 2.8% a year, mostly natural growth.
BIRTH_RATE = 0.0325
DEATH_RATE = 0.0045
WEDDING_RATE = 0.007
MOVE_RATE = 0.002
# Shares of the calibration counts made by whole families, and of those abroad at the end of
# 2023 who came back (or were deported) before July 2024.
FAMILY_SHARE_D1 = 0.08
FAMILY_SHARE_D2 = 0.13
D1_ONLY_SHARE = 0.12
WOMEN_SHARE = 0.12  # 13% of departures in 2018 were women (MoLME)
# Chance of a seasonal trip in a year for someone who migrates; 2020 is the closed-border year.
TRIP_CHANCE = {2014: 0.3, 2015: 0.55, 2020: 0.12, 2021: 0.35, 2024: 0.5, 2026: 0.45}

HEAD, SPOUSE, CHILD, PARENT, GRANDCHILD, IN_LAW = (
    "head",
    "spouse",
    "child",
    "parent",
    "grandchild",
    "in_law",
)


@dataclass(slots=True)
class SampleEvent:
    kind: str
    date: dt.date
    country: str = ""
    destination: str = ""
    purpose: str = ""
    until: dt.date | None = None
    moved_to_id: int | None = None


@dataclass(slots=True, eq=False)
class SamplePerson:
    id: uuid.UUID
    given_name: str
    family_name: str
    sex: str
    birth_year: int
    relation: str
    events: list[SampleEvent] = field(default_factory=list)
    # Bookkeeping while planning: when membership starts (birth or joining) and stops (death
    # or leaving), whether other plans already use this life, and the last birth given.
    start: dt.date | None = None
    stop: dt.date | None = None
    busy: bool = False
    last_birth: int = 0
    married: bool = False


@dataclass(slots=True, eq=False)
class SampleHouse:
    id: uuid.UUID
    street: str
    number: str
    latitude: float
    longitude: float
    garden_area_m2: int
    trees: list[tuple[str, int]]


@dataclass(slots=True, eq=False)
class SampleHousehold:
    id: uuid.UUID
    name: str
    house: SampleHouse
    members: list[SamplePerson]
    migration: str = ""  # the whole-family plan, if any


@dataclass(eq=False)
class SampleVillage:
    code: str
    name_tg: str
    name_ru: str
    name_en: str
    latitude: float
    longitude: float
    population: int
    households: list[SampleHousehold] = field(default_factory=list)
    abroad: dict[dt.date, int] = field(default_factory=dict)

    def persons(self) -> list[SamplePerson]:
        return [p for h in self.households for p in h.members]


def new_id(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    span = (last - first).days
    return first + dt.timedelta(days=rng.randint(0, span)) if span > 0 else first


def largest_remainder(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` that sum exactly to it."""
    weight_sum = sum(weights) or 1.0
    raw = [total * w / weight_sum for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


# --- households as they were on 1 January 2015 ------------------------------------------


def _person(
    rng: random.Random, sex: str, birth_year: int, relation: str, family: str
) -> SamplePerson:
    given = rng.choice(words.MALE_NAMES if sex == "m" else words.FEMALE_NAMES)
    surname = family if sex == "m" else words.female_family_name(family)
    return SamplePerson(new_id(rng), given, surname, sex, birth_year, relation)


def _children(
    rng: random.Random, mother_year: int, family: str, relation: str, first: int = 1988
) -> list[SamplePerson]:
    low, high = max(mother_year + 19, first), min(mother_year + 42, 2014)
    if low > high:
        return []
    count = min(rng.choices((0, 1, 2, 3, 4, 5, 6), (3, 8, 18, 26, 22, 14, 9))[0], high - low + 1)
    years = sorted(rng.sample(range(low, high + 1), count), reverse=True)
    kids = []
    for year in years:
        sex = rng.choice("mf")
        # Daughters over 21 have mostly married into other households by 2015.
        if sex == "f" and year < 1994:
            continue
        kids.append(_person(rng, sex, year, relation, family))
    return kids


def make_household_members(rng: random.Random) -> tuple[str, list[SamplePerson]]:
    """The family name (male form) and the members of one household as of 2015."""
    family = rng.choice(words.FAMILY_NAMES)
    band = rng.choices(((1942, 1959), (1960, 1974), (1975, 1992)), (18, 34, 48))[0]
    head_year = rng.randint(*band)
    if rng.random() < 0.1:
        # A widow heads the household.
        head = _person(rng, "f", min(head_year, 1975), HEAD, family)
        return family, [head, *_children(rng, head.birth_year, family, CHILD)]
    head = _person(rng, "m", head_year, HEAD, family)
    members = [head]
    mother_year = min(head_year + rng.randint(1, 7), 1996)
    members.append(_person(rng, "f", mother_year, SPOUSE, rng.choice(words.FAMILY_NAMES)))
    kids = _children(rng, mother_year, family, CHILD)
    members.extend(kids)
    sons = [k for k in kids if k.sex == "m" and k.birth_year <= 1993]
    if sons and rng.random() < 0.6:
        # The married son and his family live in the parents' house.
        son = sons[-1]
        son.married = True
        wife_year = min(son.birth_year + rng.randint(1, 5), 1996)
        members.append(_person(rng, "f", wife_year, IN_LAW, rng.choice(words.FAMILY_NAMES)))
        members.extend(_children(rng, wife_year, family, GRANDCHILD, first=2006))
    if head_year >= 1962 and rng.random() < 0.18:
        sex = "f" if rng.random() < 0.7 else "m"
        members.append(
            _person(
                rng, sex, head_year - rng.randint(20, 32), PARENT, rng.choice(words.FAMILY_NAMES)
            )
        )
    return family, members


def make_house(rng: random.Random, number: int, latitude: float, longitude: float) -> SampleHouse:
    trees = [
        (kind, rng.randint(low, high))
        for kind, chance, low, high in words.TREES
        if rng.random() < chance
    ]
    return SampleHouse(
        id=new_id(rng),
        street=rng.choice(words.STREETS),
        number=str(number),
        latitude=round(latitude, 6),
        longitude=round(longitude, 6),
        garden_area_m2=rng.randint(15, 250) * 10,
        trees=trees,
    )


# --- births, deaths, weddings and moves, 2015 to END -------------------------------------


def _member_on(person: SamplePerson, date: dt.date) -> bool:
    return (person.start is None or person.start <= date) and (
        person.stop is None or person.stop > date
    )


class _Quota:
    """Whole events from a fractional yearly rate, without rounding every village to zero."""

    def __init__(self, rate: float) -> None:
        self.rate, self.carry = rate, 0.0

    def take(self, population: int) -> int:
        self.carry += population * self.rate
        whole = int(self.carry)
        self.carry -= whole
        return whole


def live_the_years(
    rng: random.Random, households: list[SampleHousehold], moved_to_ids: Sequence[int]
) -> None:
    """Add births, deaths, weddings (a daughter leaves, a bride joins) and moves in the country."""
    owner: dict[uuid.UUID, SampleHousehold] = {p.id: h for h in households for p in h.members}
    people = [p for h in households for p in h.members]
    births, deaths = _Quota(BIRTH_RATE), _Quota(DEATH_RATE)
    weddings, moves = _Quota(WEDDING_RATE), _Quota(MOVE_RATE)
    for year in range(START.year, END.year + 1):
        first, last = dt.date(year, 1, 1), min(dt.date(year, 12, 31), END)
        alive = [p for p in people if _member_on(p, first)]
        mothers = [
            p
            for p in alive
            if p.sex == "f"
            and p.relation in (SPOUSE, IN_LAW)
            and 19 <= year - p.birth_year <= 42
            and p.last_birth <= year - 2
            and (p.start is None or p.start.year < year)
            # A woman who moved away gives birth where she lives now.
            and not any(e.kind == "moved" for e in p.events)
        ]
        for mother in rng.sample(mothers, min(births.take(len(alive)), len(mothers))):
            household = owner[mother.id]
            sex = rng.choice("mf")
            relation = CHILD if mother.relation == SPOUSE else GRANDCHILD
            child = _person(rng, sex, year, relation, household.name)
            born = day(rng, first, last)
            child.events.append(SampleEvent("born", born))
            child.start, child.busy = born, True
            mother.last_birth = year
            household.members.append(child)
            owner[child.id] = household
            people.append(child)
        old = [
            p for p in alive if not p.busy and year - p.birth_year >= 62 and p.last_birth < year - 1
        ]
        for person in rng.sample(old, min(deaths.take(len(alive)), len(old))):
            died = day(rng, first, last)
            person.events.append(SampleEvent("died", died))
            person.stop, person.busy = died, True
        count = weddings.take(len(alive))
        daughters = [
            p
            for p in alive
            if not p.busy
            and p.sex == "f"
            and p.relation == CHILD
            and 18 <= year - p.birth_year <= 26
        ]
        for person in rng.sample(daughters, min(count, len(daughters))):
            left = day(rng, first, last)
            person.events.append(SampleEvent("left", left))
            person.stop, person.busy = left, True
        grooms = [
            p
            for p in alive
            if not p.married
            and p.sex == "m"
            and p.relation == CHILD
            and 20 <= year - p.birth_year <= 32
        ]
        for groom in rng.sample(grooms, min(count, len(grooms))):
            household = owner[groom.id]
            bride = _person(
                rng, "f", year - rng.randint(18, 24), IN_LAW, rng.choice(words.FAMILY_NAMES)
            )
            joined = day(rng, first, last)
            bride.events.append(SampleEvent("joined", joined))
            bride.start, bride.busy = joined, True
            groom.married = True
            household.members.append(bride)
            owner[bride.id] = household
            people.append(bride)
        if moved_to_ids:
            movers = [p for p in alive if not p.busy and 18 <= year - p.birth_year <= 40]
            for person in rng.sample(movers, min(moves.take(len(alive)), len(movers))):
                person.events.append(
                    SampleEvent(
                        "moved", day(rng, first, last), moved_to_id=rng.choice(moved_to_ids)
                    )
                )
                person.busy = True


# --- migration ---------------------------------------------------------------------------


_COUNTRY_WEIGHTS = {
    banned: (
        [d for d in words.DESTINATIONS if d[0] != banned],
        list(_accumulate(d[1] for d in words.DESTINATIONS if d[0] != banned)),
    )
    for banned in ("", *(d[0] for d in words.DESTINATIONS))
}
_CITY_WEIGHTS = {
    country: ([c for c, _ in cities], list(_accumulate(w for _, w in cities)))
    for country, _, cities in words.DESTINATIONS
}


def _destination(rng: random.Random, banned: str = "") -> tuple[str, str]:
    """A destination country and city, never the country of a running entry ban."""
    choices, weights = _COUNTRY_WEIGHTS[banned]
    country = rng.choices(choices, cum_weights=weights)[0][0]
    cities, city_weights = _CITY_WEIGHTS[country]
    return country, rng.choices(cities, cum_weights=city_weights)[0]


@dataclass(slots=True)
class _Trip:
    depart: dt.date
    end: dt.date | None  # None: still abroad at END
    end_kind: str = "returned"


def _covers(trip: _Trip, date: dt.date) -> bool:
    return trip.depart <= date and (trip.end is None or trip.end > date)


def _seasonal_trips(
    rng: random.Random,
    first: dt.date,
    last: dt.date,
    avoid: Sequence[dt.date],
    after: dt.date | None = None,
) -> list[_Trip]:
    """Spring-to-autumn stays (sometimes longer) between ``first`` and ``last``.

    No trip covers a date of ``avoid``; a trip that would run past END stays open.
    """
    trips: list[_Trip] = []
    free_from = after or first
    for year in range(first.year, last.year + 1):
        if rng.random() >= TRIP_CHANCE.get(year, 0.58):
            continue
        depart = day(rng, dt.date(year, 2, 20), dt.date(year, 4, 30))
        if depart < free_from:
            depart = free_from + dt.timedelta(days=rng.randint(0, 45))
        if depart > last or depart.month > 9:
            continue
        # Many stay through one or two winters rather than coming home every autumn.
        stay_years = rng.choices((0, 1, 2), (50, 32, 18))[0]
        back = day(rng, dt.date(year + stay_years, 10, 15), dt.date(year + stay_years, 12, 20))
        if back <= depart + dt.timedelta(days=60):
            back = depart + dt.timedelta(days=rng.randint(60, 150))
        if back <= END and back > last:
            continue
        end = back if back <= END else None
        trip = _Trip(depart, end)
        if any(_covers(trip, date) for date in avoid):
            continue
        trips.append(trip)
        if end is None:
            break
        free_from = end + dt.timedelta(days=30)
    return trips


def _anchor(rng: random.Random, earliest: dt.date, category: str) -> _Trip:
    """The stay that puts a person abroad on the calibration dates their category asks for."""
    if category in ("both", "d1"):
        # Some left in the spring of 2023; the others have been away for years.
        if rng.random() < 0.35 and earliest <= dt.date(2023, 5, 31):
            depart = day(rng, max(earliest, dt.date(2023, 2, 15)), dt.date(2023, 5, 31))
        else:
            depart = day(rng, max(earliest, dt.date(2018, 3, 1)), dt.date(2023, 11, 30))
        if category == "d1":
            if rng.random() < 0.65:
                return _Trip(depart, day(rng, dt.date(2024, 1, 2), dt.date(2024, 3, 31)))
            # The spring 2024 wave of deportations from Russia.
            return _Trip(depart, day(rng, dt.date(2024, 3, 25), dt.date(2024, 7, 10)), "deported")
        roll = rng.random()
        if roll < 0.5:
            return _Trip(depart, None)
        if roll < 0.85:
            return _Trip(depart, day(rng, D2 + dt.timedelta(days=45), END))
        return _Trip(depart, day(rng, dt.date(2024, 8, 1), END), "deported")
    depart = day(rng, max(earliest, dt.date(2024, 1, 10)), dt.date(2024, 7, 10))
    roll = rng.random()
    if roll < 0.55:
        return _Trip(depart, None)
    if roll < 0.9:
        return _Trip(
            depart, day(rng, max(depart + dt.timedelta(days=120), D2 + dt.timedelta(days=1)), END)
        )
    return _Trip(depart, day(rng, dt.date(2025, 1, 1), END), "deported")


def _trip_events(rng: random.Random, trips: list[_Trip], purpose: str) -> list[SampleEvent]:
    """Events of non-overlapping trips, in order; countries avoid any running entry ban."""
    events: list[SampleEvent] = []
    ban_country, ban_until = "", dt.date.min
    for trip in sorted(trips, key=lambda t: t.depart):
        banned = ban_country if trip.depart <= ban_until else ""
        country, city = _destination(rng, banned)
        events.append(SampleEvent("departed", trip.depart, country, city, purpose))
        if trip.end is None:
            break
        if trip.end_kind == "deported" and country == "RU":
            events.append(SampleEvent("deported", trip.end, country))
            if rng.random() < 0.6:
                ban_country = country
                years = rng.choice((3, 5, 5, 10))
                try:
                    ban_until = trip.end.replace(year=trip.end.year + years)
                except ValueError:  # a ban from 29 February runs to 28 February
                    ban_until = trip.end.replace(year=trip.end.year + years, day=28)
                events.append(SampleEvent("entry_ban", trip.end, country, until=ban_until))
        else:
            events.append(SampleEvent("returned", trip.end))
    return events


def individual_history(rng: random.Random, person: SamplePerson, category: str) -> None:
    """Give a labour migrant trips from 2014 to END; ``category`` fixes the calibration dates."""
    earliest = max(dt.date(2014, 3, 1), dt.date(person.birth_year + 18, 3, 1))
    young = person.birth_year >= 2000
    purpose = "study" if young and rng.random() < 0.06 else "work"
    trips: list[_Trip] = []
    if category == "neither":
        trips += _seasonal_trips(rng, earliest, D1, (D1, D2))
        if not (trips and trips[-1].end is None):
            after = max(earliest, D2 + dt.timedelta(days=1))
            trips += _seasonal_trips(rng, after, END, (D1, D2), after=after)
    else:
        anchor = _anchor(rng, earliest, category)
        before = anchor.depart - dt.timedelta(days=30)
        if before > earliest:
            trips += _seasonal_trips(rng, earliest, before, (D1, D2))
        trips.append(anchor)
        if anchor.end is not None:
            after = max(anchor.end + dt.timedelta(days=30), D2 + dt.timedelta(days=1))
            trips += _seasonal_trips(rng, after, END, (D1, D2), after=after)
    # A few stays end in deportation outside the calibration window too.
    for trip in trips:
        if trip.end is not None and trip.end_kind == "returned" and rng.random() < 0.04:
            trip.end_kind = "deported"
    person.events.extend(_trip_events(rng, trips, purpose))
    person.busy = True


def family_trip(rng: random.Random, household: SampleHousehold, kind: str) -> None:
    """The whole household leaves together; children born abroad leave on their birth day."""
    end: dt.date | None
    if kind == "early":
        depart = day(rng, dt.date(2015, 3, 1), dt.date(2018, 12, 31))
        end = day(rng, depart + dt.timedelta(days=365), dt.date(2021, 6, 30))
    elif kind == "both":
        depart = day(rng, dt.date(2019, 3, 1), dt.date(2023, 10, 31))
        end = None if rng.random() < 0.65 else day(rng, dt.date(2024, 11, 1), END)
    elif kind == "d2":
        depart = day(rng, dt.date(2024, 1, 10), dt.date(2024, 7, 10))
        end = None if rng.random() < 0.8 else day(rng, dt.date(2025, 10, 1), END)
    else:  # "late"
        depart = day(rng, dt.date(2024, 8, 1), dt.date(2026, 10, 31))
        end = None
    country, city = _destination(rng)
    for person in household.members:
        if person.start is None or person.start <= depart:
            leaves = depart
        elif end is None or person.start < end:
            leaves = person.start
        else:
            continue
        purpose = "work" if person.relation == HEAD else "family"
        person.events.append(SampleEvent("departed", leaves, country, city, purpose))
        if end is not None:
            person.events.append(SampleEvent("returned", end))
        person.busy = True
    household.migration = kind


def _family_size_on(household: SampleHousehold, date: dt.date) -> int:
    return sum(1 for p in household.members if p.start is None or p.start <= date)


def _can_leave_together(household: SampleHousehold) -> bool:
    members = household.members
    return (
        len(members) >= 2
        and members[0].sex == "m"
        and all(p.birth_year >= 1962 and p.stop is None for p in members)
        and all(e.kind == "born" for p in members for e in p.events)
    )


def migrate(
    rng: random.Random, households: list[SampleHousehold], targets: dict[dt.date, int]
) -> None:
    """Lay migration histories so that exactly ``targets[D1]`` and ``targets[D2]`` are abroad."""
    target1, target2 = targets.get(D1, 0), targets.get(D2, 0)
    families = [h for h in households if _can_leave_together(h)]
    rng.shuffle(families)
    # One family per village leaves after the calibration window, so that every village has a
    # fully-abroad household and an empty house today.
    if families:
        family_trip(rng, families.pop(), "late")
    family1 = family2 = 0
    goal1, goal2 = round(FAMILY_SHARE_D1 * target1), round(FAMILY_SHARE_D2 * target2)
    for household in list(families):
        size1, size2 = _family_size_on(household, D1), _family_size_on(household, D2)
        if family1 + size1 <= goal1 and family2 + size2 <= goal2:
            family_trip(rng, household, "both")
            family1, family2 = family1 + size1, family2 + size2
        elif family2 + size2 <= goal2 and family1 >= goal1 * 0.8:
            family_trip(rng, household, "d2")
            family2 += size2
        elif rng.random() < 0.03:
            family_trip(rng, household, "early" if rng.random() < 0.5 else "late")

    rest1, rest2 = max(0, target1 - family1), max(0, target2 - family2)
    d1_only = round(D1_ONLY_SHARE * rest1)
    both = rest1 - d1_only
    d2_only = rest2 - both
    if d2_only < 0:
        both, d1_only, d2_only = rest2, rest1 - rest2, 0

    candidates = [p for h in households if not h.migration for p in h.members]
    free = [p for p in candidates if not p.busy and p.last_birth == 0 and p.stop is None]
    men = [p for p in free if p.sex == "m" and 1966 <= p.birth_year <= 2005]
    women = [
        p for p in free if p.sex == "f" and 1975 <= p.birth_year <= 2004 and p.relation != PARENT
    ]
    rng.shuffle(men)
    rng.shuffle(women)
    needed = both + d1_only + d2_only
    n_women = min(len(women), round(WOMEN_SHARE * needed))
    n_men = min(len(men), needed - n_women)
    n_women = min(len(women), needed - n_men)
    chosen = men[:n_men] + women[:n_women]
    rng.shuffle(chosen)
    categories = ["both"] * both + ["d2"] * d2_only + ["d1"] * d1_only
    for person, category in zip(chosen, categories, strict=False):
        individual_history(rng, person, category)
    # Others went abroad some years and not others, never on the calibration dates.
    others = men[n_men:] + women[n_women:]
    others += [p for p in free if p.sex == "m" and 2006 <= p.birth_year <= 2008]
    for person in others:
        if rng.random() < (0.45 if person.sex == "m" else 0.08):
            individual_history(rng, person, "neither")


def count_abroad(persons: Sequence[SamplePerson], on: dt.date) -> int:
    return sum(1 for p in persons if replay(p.events, p.birth_year, on=on).state == State.ABROAD)


def plan_village(
    rng: random.Random,
    *,
    code: str,
    names: tuple[str, str, str],
    population: int,
    targets: dict[dt.date, int],
    point: tuple[float, float],
    house_point: object = None,
    moved_to_ids: Sequence[int] = (),
) -> SampleVillage:
    """One village: ``population`` persons on 1 January 2015, their lives to END, and exactly
    ``targets[date]`` of them abroad on each calibration date when the village has enough
    working-age people (``village.abroad`` says what was reached).

    ``house_point(rng, lat, lon)`` places a house near the village point (default: jitter).
    """
    village = SampleVillage(code, *names, point[0], point[1], population)
    remaining, number = population, 0
    while remaining > 0:
        family, members = make_household_members(rng)
        members = members[:remaining]
        remaining -= len(members)
        number += 1
        if callable(house_point):
            lat, lon = house_point(rng, *point)
        else:
            lat = point[0] + rng.uniform(-0.004, 0.004)
            lon = point[1] + rng.uniform(-0.004, 0.004)
        house = make_house(rng, number, lat, lon)
        village.households.append(SampleHousehold(new_id(rng), family, house, members))
    live_the_years(rng, village.households, moved_to_ids)
    migrate(rng, village.households, targets)
    persons = village.persons()
    village.abroad = {date: count_abroad(persons, date) for date in targets}
    return village
