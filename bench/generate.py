"""A synthetic Tajikistan for the benchmark: villages in every real district, families, and
migration histories from 2015 to today at rates like Asht's.

This is not the demo's sample generator (``keyholder.registry.sample``): that one calibrates
each village to the Asht figures exactly and writes about 150,000 persons a minute, which is
an hour for the country. Here each person is drawn once with simple seasonal-migration rules,
and rows go to the database with ``executemany`` (SQLite) or ``COPY`` (PostgreSQL), ids made
in village order so that indexes fill sequentially. Every history is valid by construction
(the rules below never produce an overlap, a return without a departure, a departure during a
ban or an event after death), and ``check_sample`` replays a sample with ``registry.status``.

Rates (per year unless said): about 55% of men and 6% of women aged 18-55 are migrants; a
migrant leaves in 65% of years (12% in 2020), in February to May, for 6 to 11 months, a
quarter of trips lasting 1 to 3 years; 4% of trips end in deportation, 40% of those after an
entry ban of 5 years (then no trip to Russia until it ends); 2% of households leave as a whole
family; 2% of people over 70 die. Destinations: Russia 86%, Kazakhstan 8%, Türkiye 3%,
Korea 2%, the Emirates 1%.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from keyholder.places.models import Place, PlaceKind, districts_of
from keyholder.registry.models import (
    House,
    Household,
    HouseholdWord,
    HouseWord,
    MigrationEvent,
    Person,
    PersonWord,
)
from keyholder.registry.spans import EventRow, SpanWriter

NATIONAL_PERSONS = 10_000_000
NATIONAL_VILLAGES = 4_500
PERSONS_PER_VILLAGE = NATIONAL_PERSONS // NATIONAL_VILLAGES
VILLAGES_PER_JAMOAT = 8
COUNTRIES = (("RU", 86), ("KZ", 8), ("TR", 3), ("KR", 2), ("AE", 1))
TRIP_CHANCE = {2020: 0.12, 2021: 0.4}
START_YEAR = 2015
VILLAGE_SOURCE = "bench: synthetic village"


@dataclass
class Stats:
    villages: int = 0
    households: int = 0
    persons: int = 0
    events: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _country(rng: random.Random, banned: bool) -> str:
    roll = rng.randrange(100)
    for code, weight in COUNTRIES:
        if roll < weight:
            return "KZ" if banned and code == "RU" else code
        roll -= weight
    return "RU"


def _date(year: int, day_of_year: int) -> dt.date:
    return dt.date(year, 1, 1) + dt.timedelta(days=day_of_year)


def migrant_events(rng: random.Random, birth_year: int, today: dt.date) -> list[tuple[Any, ...]]:
    """(kind, date, country, until) of one migrant's trips, valid by construction."""
    events: list[tuple[Any, ...]] = []
    free_from = max(dt.date(START_YEAR, 1, 1), dt.date(birth_year + 18, 1, 1))
    ban_until: dt.date | None = None
    for year in range(free_from.year, today.year + 1):
        if year > birth_year + 55 or rng.random() > TRIP_CHANCE.get(year, 0.65):
            continue
        leave = _date(year, rng.randint(31, 150))
        if leave <= free_from or leave > today:
            continue
        banned = ban_until is not None and leave <= ban_until
        country = _country(rng, banned)
        if banned and country == "RU":
            continue
        long_stay = rng.random() < 0.25
        back = leave + dt.timedelta(
            days=rng.randint(400, 1100) if long_stay else rng.randint(180, 330)
        )
        events.append(("departed", leave, country, None))
        if back > today:
            return events
        if rng.random() < 0.04:
            if country == "RU" and rng.random() < 0.4:
                ban_day = back - dt.timedelta(days=rng.randint(1, 30))
                ban_day = max(ban_day, leave + dt.timedelta(days=1))
                ban_until = ban_day + dt.timedelta(days=5 * 365)
                events.append(("entry_ban", ban_day, "RU", ban_until))
            events.append(("deported", back, "", None))
        else:
            events.append(("returned", back, "", None))
        free_from = back + dt.timedelta(days=20)
    return events


@dataclass
class Rows:
    houses: list[tuple[Any, ...]] = field(default_factory=list)
    households: list[tuple[Any, ...]] = field(default_factory=list)
    persons: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)


def plan_village(
    rng: random.Random,
    village_id: int,
    persons: int,
    today: dt.date,
    rows: Rows,
    ids: Iterator[int],
) -> Stats:
    stats = Stats(villages=1)
    remaining = persons
    while remaining > 0:
        size = min(remaining, max(1, int(rng.gauss(5.0, 1.8))))
        remaining -= size
        house_id = next(ids)
        household_id = next(ids)
        rows.houses.append((house_id, village_id))
        rows.households.append((household_id, village_id, house_id))
        stats.households += 1
        whole_family = rng.random() < 0.02
        family_leave = _date(rng.randint(2016, today.year - 1), rng.randint(0, 364))
        family_back = family_leave + dt.timedelta(days=rng.randint(365, 1100))
        family_country = _country(rng, False)
        for index in range(size):
            if index == 0:
                birth_year = rng.randint(1945, 1992)
                sex = "m" if rng.random() < 0.9 else "f"
            else:
                birth_year = min(2026, START_YEAR - int(rng.expovariate(1 / 22)))
                birth_year = max(birth_year, 1935)
                sex = rng.choice("mf")
            person_id = next(ids)
            rows.persons.append((person_id, household_id, sex, birth_year))
            stats.persons += 1
            events: list[tuple[Any, ...]] = []
            if whole_family and birth_year <= family_leave.year:
                events.append(("departed", family_leave, family_country, None))
                if family_back <= today and rng.random() < 0.3:
                    events.append(("returned", family_back, "", None))
            else:
                age_2015 = START_YEAR - birth_year
                chance = 0.55 if sex == "m" else 0.06
                if -3 <= age_2015 <= 50 and rng.random() < chance:
                    events = migrant_events(rng, birth_year, today)
                elif age_2015 >= 70:
                    for year in range(START_YEAR, today.year + 1):
                        if rng.random() < 0.02:
                            died = _date(year, rng.randint(0, 364))
                            if died <= today:
                                events.append(("died", died, "", None))
                            break
            for kind, date, country, until in events:
                rows.events.append((next(ids), person_id, kind, date, country, until))
            stats.events += len(events)
    return stats


# --- places ------------------------------------------------------------------------------


def ensure_villages(count: int, seed: int) -> list[int]:
    """``count`` sample villages spread over the real districts, with jamoats where the place
    loader has none (codes ``<district>-J01`` and ``<jamoat>-V01``, all flagged sample)."""
    existing = list(
        Place.objects.filter(kind=PlaceKind.VILLAGE, source=VILLAGE_SOURCE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if len(existing) == count:
        return existing
    if existing:
        raise RuntimeError("the bench database holds another scale: use --regenerate")
    rng = random.Random(seed)
    districts = list(Place.objects.filter(kind=PlaceKind.DISTRICT).order_by("code"))
    if not districts:
        raise RuntimeError("no districts: run `keyholder load_places` first")
    weights = [rng.uniform(0.5, 1.5) for _ in districts]
    total = sum(weights)
    shares = [int(count * w / total) for w in weights]
    for i in range(count - sum(shares)):
        shares[i % len(shares)] += 1
    ids: list[int] = []
    with transaction.atomic():
        for district, share in zip(districts, shares, strict=True):
            if share == 0:
                continue
            jamoats = list(
                Place.objects.filter(
                    parent=district, kind__in=(PlaceKind.JAMOAT, PlaceKind.TOWN)
                ).order_by("code")
            )
            needed = max(1, -(-share // VILLAGES_PER_JAMOAT))
            for number in range(len(jamoats) + 1, needed + 1):
                code = f"{district.code}-J{number:02d}"
                jamoats.append(
                    Place.objects.create(
                        code=code,
                        kind=PlaceKind.JAMOAT,
                        parent=district,
                        name_tg=code,
                        name_en=code,
                        is_sample=True,
                        source="bench: synthetic jamoat",
                    )
                )
            for number in range(share):
                jamoat = jamoats[number % len(jamoats)]
                code = f"{jamoat.code}-V{number // len(jamoats) + 1:02d}"
                village = Place.objects.create(
                    code=code,
                    kind=PlaceKind.VILLAGE,
                    parent=jamoat,
                    name_tg=code,
                    name_en=code,
                    is_sample=True,
                    source=VILLAGE_SOURCE,
                )
                ids.append(village.pk)
    return ids


# --- writing -----------------------------------------------------------------------------


def _uuid(n: int) -> uuid.UUID:
    return uuid.UUID(int=n)


class Writer:
    """Raw inserts of the four registry tables, portable between SQLite and PostgreSQL."""

    def __init__(self, districts: dict[int, int | None]) -> None:
        # The district of each village, copied onto its persons (``Person.district``).
        self.districts = districts
        self.vendor = connection.vendor
        now = timezone.now()
        self.now = (
            now if self.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)
        )

    def _id(self, n: int) -> Any:
        return _uuid(n) if self.vendor == "postgresql" else _uuid(n).hex

    def _day(self, d: dt.date | None) -> Any:
        if d is None:
            return None
        return d if self.vendor == "postgresql" else d.isoformat()

    def _insert(
        self, model: type[models.Model], columns: list[str], rows: list[tuple[Any, ...]]
    ) -> None:
        if not rows:
            return
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                raw = cursor.cursor  # the psycopg cursor, for COPY
                with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    def write(self, rows: Rows) -> None:
        stamp, i, d = self.now, self._id, self._day
        district = self.districts
        village_of = {h: v for h, v, _house in rows.households}
        common = ["id", "created_at", "updated_at", "is_sample"]
        self._insert(
            House,
            [*common, "village_id", "street", "number", "notes", "search_name"],
            [
                (i(h), stamp, stamp, True, v, "", str(h % 1000), "", str(h % 1000))
                for h, v in rows.houses
            ],
        )
        self._insert(
            Household,
            [*common, "village_id", "house_id", "name", "notes", "search_name"],
            [
                (i(h), stamp, stamp, True, v, i(house), f"H{h}", "", f"h{h}")
                for h, v, house in rows.households
            ],
        )
        self._insert(
            Person,
            [
                *common,
                "household_id",
                "given_name",
                "family_name",
                "sex",
                "birth_year",
                "relation",
                "phone",
                "search_name",
                "district_id",
            ],
            [
                (
                    i(p),
                    stamp,
                    stamp,
                    True,
                    i(h),
                    f"P{p}",
                    "",
                    sex,
                    by,
                    "other",
                    "",
                    f"p{p}",
                    district[village_of[h]],
                )
                for p, h, sex, by in rows.persons
            ],
        )
        self._insert(
            MigrationEvent,
            [
                *common,
                "person_id",
                "kind",
                "date",
                "country",
                "destination",
                "purpose",
                "until",
                "note",
            ],
            [
                (i(e), stamp, stamp, True, i(p), kind, d(date), country, "", "", d(until), "")
                for e, p, kind, date, country, until in rows.events
            ],
        )
        # The one word of each search key above, with its village and names, as
        # ``models.write_words`` writes them, so that search finds "P123" here as well.
        self._insert(
            HouseWord,
            ["word", "house_id", "village_id"],
            [(str(h % 1000), i(h), v) for h, v in rows.houses],
        )
        self._insert(
            HouseholdWord,
            ["word", "household_id", "village_id", "name"],
            [(f"h{h}", i(h), v, f"H{h}") for h, v, _ in rows.households],
        )
        self._insert(
            PersonWord,
            ["word", "person_id", "village_id", "family_name", "given_name", "search_name"],
            [(f"p{p}", i(p), village_of[h], "", f"P{p}", f"p{p}") for p, h, *_ in rows.persons],
        )
        self.write_spans(rows)

    def write_spans(self, rows: Rows) -> None:
        """The status spans of these persons, from the same rows (as import and the sample
        generator write them)."""
        village_of = {h: v for h, v, _house in rows.households}
        histories: dict[int, list[EventRow]] = {}
        for _e, p, kind, date, country, until in rows.events:
            histories.setdefault(p, []).append(EventRow(kind, date, country, "", until))
        spans = SpanWriter()
        for p, h, sex, birth_year in rows.persons:
            spans.add_history(
                _uuid(p), _uuid(h), village_of[h], sex, birth_year, histories.get(p, [])
            )
            if len(spans) >= 200_000:
                spans.flush()
        spans.flush()


def generate(
    scale: float, seed: int = 1, progress: Any = None, today: dt.date | None = None
) -> Stats:
    today = today or timezone.localdate()
    villages = max(1, round(NATIONAL_VILLAGES * scale))
    village_ids = ensure_villages(villages, seed)
    total = Stats()
    writer = Writer(districts_of(Place.objects.filter(pk__in=village_ids)))
    counter = iter(range(1, 1 << 62))
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-400000")
    rows = Rows()
    with transaction.atomic():
        for position, village_id in enumerate(village_ids):
            rng = random.Random(f"{seed}:{village_id}")
            persons = int(PERSONS_PER_VILLAGE * rng.uniform(0.7, 1.3))
            stats = plan_village(rng, village_id, persons, today, rows, counter)
            total.villages += 1
            total.households += stats.households
            total.persons += stats.persons
            total.events += stats.events
            if len(rows.persons) >= 100_000 or position == len(village_ids) - 1:
                writer.write(rows)
                rows = Rows()
            if progress is not None:
                progress(stats.persons)
    return total
