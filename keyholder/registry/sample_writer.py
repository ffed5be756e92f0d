"""Generate the sample registry of a district: place the villages, plan them, write in bulk.

The per-row services are bypassed on purpose: the histories are valid by construction (the
tests replay every generated person through ``status.validate_history``), and bulk inserts
in one transaction are what makes a whole district build in well under a minute.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely
from django.db import connection, models, transaction
from django.utils import timezone
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from tqdm import tqdm

from keyholder.accounts.models import AuditLog
from keyholder.accounts.services import audit
from keyholder.core import effects
from keyholder.core.db import analyze
from keyholder.core.text import search_key
from keyholder.places.models import Place, PlaceKind, district_of, subtree_q
from keyholder.registry import sample_names as words
from keyholder.registry.models import (
    GardenTree,
    House,
    Household,
    HouseholdWord,
    HouseWord,
    MigrationEvent,
    Person,
    PersonWord,
    StatusSpan,
    house_key,
    person_key,
    search_words,
)
from keyholder.registry.sample import (
    CALIBRATION,
    START,
    SampleVillage,
    largest_remainder,
    plan_village,
)
from keyholder.registry.signals import REGISTRY_CHANGED
from keyholder.registry.spans import SpanWriter

PERSONS_PER_VILLAGE = 2000
# Where people who move within the country go: Khujand's district, the capital's belt, the
# district seat.
MOVED_TO = ("TJ-SU-GHAFUROV", "TJ-RA-RUDAKI", "TJ-SU-ISTARAVSHAN", "TJ-SU-ASHT-SHAYDON")
FLUSH_EVERY = 20000
VILLAGE_POINT_SOURCE = "approximate: sample village placed near other villages of its jamoat"


@dataclass
class GenerateResult:
    villages: int = 0
    houses: int = 0
    trees: int = 0
    households: int = 0
    persons: int = 0
    events: int = 0
    targets: dict[dt.date, int] = field(default_factory=dict)
    abroad: dict[dt.date, int] = field(default_factory=dict)
    seconds: float = 0.0
    skipped: bool = False


def find_district(name_or_code: str) -> Place | None:
    query = Place.objects.filter(kind=PlaceKind.DISTRICT)
    return (
        query.filter(code__iexact=name_or_code).first()
        or query.filter(name_en__iexact=name_or_code).first()
    )


def district_has_households(district: Place) -> bool:
    return Household.objects.filter(subtree_q(district, "village__")).exists()


# --- where the villages and houses go --------------------------------------------------


class Layout:
    """Random points inside the district outline: jamoat centres spread apart, villages near
    their jamoat's centre, houses near their village."""

    def __init__(
        self,
        rng: random.Random,
        boundary: dict[str, Any] | None,
        fallback: tuple[float, float] = (0.0, 0.0),
    ) -> None:
        self.rng, self.fallback = rng, fallback
        self.shape: BaseGeometry | None = shape(boundary) if boundary else None
        if self.shape is not None:
            shapely.prepare(self.shape)
            parts = getattr(self.shape, "geoms", [self.shape])
            # Centres go in the main part (for Asht, not in the Sarvak exclave).
            self.main = max(parts, key=lambda g: g.area)
            shapely.prepare(self.main)

    def inside(self, lat: float, lon: float, geom: BaseGeometry | None = None) -> bool:
        target = geom if geom is not None else self.shape
        return target is None or bool(shapely.contains_xy(target, lon, lat))

    def _random_in_main(self) -> tuple[float, float]:
        assert self.shape is not None
        min_x, min_y, max_x, max_y = self.main.bounds
        while True:
            lon, lat = self.rng.uniform(min_x, max_x), self.rng.uniform(min_y, max_y)
            if self.inside(lat, lon, self.main):
                return lat, lon

    def centres(self, jamoats: Sequence[Place]) -> dict[str, tuple[float, float]]:
        known = {
            j.code: (j.latitude, j.longitude)
            for j in jamoats
            if j.latitude is not None
            and j.longitude is not None
            and self.inside(j.latitude, j.longitude)
        }
        centres: dict[str, tuple[float, float]] = {
            k: (float(a), float(b)) for k, (a, b) in known.items()
        }
        for jamoat in jamoats:
            if jamoat.code in centres:
                continue
            if self.shape is None:
                centres[jamoat.code] = self.fallback
                continue
            candidates = [self._random_in_main() for _ in range(200)]
            # The candidate farthest from the centres already chosen spreads the jamoats out.
            centres[jamoat.code] = max(
                candidates,
                key=lambda c: min(
                    ((c[0] - a) ** 2 + (c[1] - b) ** 2 for a, b in centres.values()), default=0.0
                ),
            )
        return centres

    def near(self, centre: tuple[float, float], radius: float) -> tuple[float, float]:
        for _ in range(100):
            lat = centre[0] + self.rng.uniform(-radius, radius)
            lon = centre[1] + self.rng.uniform(-radius, radius)
            if self.inside(lat, lon):
                return lat, lon
        return centre

    def house(self, rng: random.Random, lat: float, lon: float) -> tuple[float, float]:
        for _ in range(10):
            point = (lat + rng.uniform(-0.004, 0.004), lon + rng.uniform(-0.004, 0.004))
            if self.inside(*point):
                return point
        return lat, lon


def village_names(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    """Distinct invented names: the plain list first, then "upper" and "lower" variants."""
    base = list(words.VILLAGE_NAMES)
    rng.shuffle(base)
    names = base[:]
    for tg_part, ru_part, en_part in words.UPPER_LOWER:
        names += [(f"{tg} {tg_part}", f"{ru} {ru_part}", f"{en} {en_part}") for tg, ru, en in base]
    return names[:count]


@dataclass
class VillageSpec:
    code: str
    jamoat: Place
    names: tuple[str, str, str]
    point: tuple[float, float]
    population: int
    targets: dict[dt.date, int] = field(default_factory=dict)


def village_specs(
    district: Place, jamoats: Sequence[Place], seed: int, scale: float
) -> list[VillageSpec]:
    """Villages of each jamoat sized by its real 2015 population, with calibration targets."""
    rng = random.Random(f"{seed}:{district.code}:layout")
    layout = Layout(rng, district.boundary, (district.latitude or 0.0, district.longitude or 0.0))
    centres = layout.centres(jamoats)
    counts = {
        j.code: max(
            1,
            min(
                max(2, round((j.population or 0) / PERSONS_PER_VILLAGE)),
                round((j.population or 0) * scale) // 10,
            ),
        )
        for j in jamoats
    }
    names = village_names(rng, sum(counts.values()))
    specs: list[VillageSpec] = []
    for jamoat in jamoats:
        size = round((jamoat.population or 0) * scale)
        weights = [rng.uniform(0.5, 1.5) for _ in range(counts[jamoat.code])]
        for index, population in enumerate(largest_remainder(size, weights), start=1):
            tg, ru, en = names[len(specs)]
            if jamoat.kind == PlaceKind.TOWN:
                tg, ru, en = (
                    f"{words.MAHALLA[0]} {tg}",
                    f"{words.MAHALLA[1]} {ru}",
                    f"{en} {words.MAHALLA[2]}",
                )
            point = layout.near(centres[jamoat.code], 0.035)
            specs.append(
                VillageSpec(f"{jamoat.code}-V{index:02d}", jamoat, (tg, ru, en), point, population)
            )
    for date, figure in CALIBRATION:
        shares = largest_remainder(round(figure * scale), [s.population for s in specs])
        for spec, share in zip(specs, shares, strict=True):
            spec.targets[date] = share
    return specs


# --- writing -----------------------------------------------------------------------------


class _Table:
    """Rows for one table, inserted with ``executemany``.

    Going around the ORM's per-object machinery is what makes 500,000 rows take seconds
    rather than minutes. The SQL is a plain portable INSERT, and every value goes through the
    backend's own adapters, so SQLite and PostgreSQL both take it. Fields that the generator
    does not set get their model default, so a field added later with a default still works.
    """

    def __init__(self, model: type[models.Model], now: dt.datetime) -> None:
        ops = connection.ops
        self.fields = [
            f
            for f in model._meta.concrete_fields
            if not isinstance(f, models.AutoField | models.BigAutoField | models.SmallAutoField)
        ]
        columns = ", ".join(ops.quote_name(f.column) for f in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        self.sql = (
            f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({marks})"
        )
        stamp = ops.adapt_datetimefield_value(now)
        self.defaults: dict[str, Any] = {}
        self.converters: list[Any] = []
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = stamp
                self.converters.append(None)
                continue
            self.defaults[f.attname] = f.get_default()
            self.converters.append(_converter(f.target_field if f.is_relation else f))  # type: ignore[attr-defined]
        self.names = [f.attname for f in self.fields]
        self.rows: list[tuple[Any, ...]] = []

    def add(self, **values: Any) -> None:
        row = []
        for name, convert in zip(self.names, self.converters, strict=True):
            value = values[name] if name in values else self.defaults[name]
            row.append(convert(value) if convert is not None and value is not None else value)
        self.rows.append(tuple(row))

    def flush(self) -> int:
        count = len(self.rows)
        with connection.cursor() as cursor:
            for start in range(0, count, 5000):
                cursor.executemany(self.sql, self.rows[start : start + 5000])
        self.rows = []
        return count


def _converter(field: models.Field[Any, Any]) -> Any:
    ops = connection.ops
    if isinstance(field, models.UUIDField):
        if connection.features.has_native_uuid_field:
            return None
        return lambda value: value.hex
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


class _Buffer:
    def __init__(self) -> None:
        now = timezone.now()
        self.houses = _Table(House, now)
        self.trees = _Table(GardenTree, now)
        self.households = _Table(Household, now)
        self.persons = _Table(Person, now)
        self.events = _Table(MigrationEvent, now)
        # The words of each search key, as ``models.save_with_words`` writes them.
        self.house_words = _Table(HouseWord, now)
        self.household_words = _Table(HouseholdWord, now)
        self.person_words = _Table(PersonWord, now)
        self.spans = SpanWriter()

    def add(self, place: Place, village: SampleVillage) -> None:
        district = district_of(place)
        for plan in village.households:
            house = plan.house
            key = house_key(house.street, house.number)
            self.houses.add(
                id=house.id,
                village_id=place.pk,
                street=house.street,
                number=house.number,
                latitude=house.latitude,
                longitude=house.longitude,
                garden_area_m2=house.garden_area_m2,
                search_name=key,
                is_sample=True,
            )
            for word in search_words(key):
                self.house_words.add(word=word, house_id=house.id, village_id=place.pk)
            for kind, count in house.trees:
                self.trees.add(house_id=house.id, kind=kind, count=count)
            key = search_key(plan.name)
            self.households.add(
                id=plan.id,
                village_id=place.pk,
                house_id=house.id,
                name=plan.name,
                search_name=key,
                is_sample=True,
            )
            for word in search_words(key):
                self.household_words.add(
                    word=word, household_id=plan.id, village_id=place.pk, name=plan.name
                )
            for person in plan.members:
                key = person_key(person.given_name, person.family_name)
                # The sample has no phones, so no phone words.
                for word in search_words(key):
                    self.person_words.add(
                        word=word,
                        person_id=person.id,
                        village_id=place.pk,
                        family_name=person.family_name,
                        given_name=person.given_name,
                        search_name=key,
                    )
                self.persons.add(
                    id=person.id,
                    household_id=plan.id,
                    given_name=person.given_name,
                    family_name=person.family_name,
                    sex=person.sex,
                    birth_year=person.birth_year,
                    relation=person.relation,
                    search_name=key,
                    district_id=district,
                    is_sample=True,
                )
                for index, e in enumerate(person.events):
                    self.events.add(
                        # Event ids derive from the person's, so a seed gives the same ids.
                        id=uuid.uuid5(person.id, str(index)),
                        person_id=person.id,
                        kind=e.kind,
                        date=e.date,
                        country=e.country,
                        destination=e.destination,
                        purpose=e.purpose,
                        until=e.until,
                        moved_to_id=e.moved_to_id,
                        is_sample=True,
                    )
                self.spans.add_history(
                    person.id, plan.id, place.pk, person.sex, person.birth_year, person.events
                )

    def pending(self) -> int:
        return len(self.persons.rows)

    def flush(self, result: GenerateResult) -> None:
        # Parents before children, for databases that check foreign keys at once.
        result.houses += self.houses.flush()
        result.trees += self.trees.flush()
        result.households += self.households.flush()
        result.persons += self.persons.flush()
        result.events += self.events.flush()
        self.house_words.flush()
        self.household_words.flush()
        self.person_words.flush()
        self.spans.flush()


def _village_place(spec: VillageSpec, seed: int) -> Place:
    place, _ = Place.objects.update_or_create(
        code=spec.code,
        defaults={
            "kind": PlaceKind.VILLAGE,
            "parent": spec.jamoat,
            "name_tg": spec.names[0],
            "name_ru": spec.names[1],
            "name_en": spec.names[2],
            "latitude": round(spec.point[0], 5),
            "longitude": round(spec.point[1], 5),
            "point_source": VILLAGE_POINT_SOURCE,
            "boundary": None,
            "population": spec.population,
            "population_year": 2015,
            "population_source": "sample: a share of the jamoat's 2015 population",
            "source": f"sample: invented by 'keyholder generate' (seed {seed}); not a real village",
            "is_sample": True,
        },
    )
    return place


def generate_district(
    district: Place, *, seed: int = 1, scale: float = 1.0, progress: bool = True
) -> GenerateResult:
    started = time.monotonic()
    result = GenerateResult()
    jamoats = list(
        Place.objects.filter(
            parent=district, kind__in=(PlaceKind.JAMOAT, PlaceKind.TOWN), population__isnull=False
        ).order_by("code")
    )
    if not jamoats:
        raise ValueError(f"{district.code} has no jamoats with a population to size villages by")
    moved_to_ids = list(
        Place.objects.filter(code__in=MOVED_TO).order_by("code").values_list("pk", flat=True)
    )
    specs = village_specs(district, jamoats, seed, scale)
    houses = Layout(random.Random(seed), district.boundary)
    village_ids: list[int] = []
    carry = dict.fromkeys(specs[0].targets, 0) if specs else {}
    with transaction.atomic():
        buffer = _Buffer()
        bar = tqdm(
            total=sum(s.population for s in specs),
            unit="person",
            disable=not progress,
            desc=f"sample registry of {district.name_en or district.code}",
        )
        for spec in specs:
            rng = random.Random(f"{seed}:{spec.code}")
            targets = {d: n + carry[d] for d, n in spec.targets.items()}
            village = plan_village(
                rng,
                code=spec.code,
                names=spec.names,
                population=spec.population,
                targets=targets,
                point=spec.point,
                house_point=houses.house,
                moved_to_ids=moved_to_ids,
            )
            # A village short of working-age people hands what it could not reach onward.
            for date in carry:
                carry[date] = targets[date] - village.abroad[date]
                result.abroad[date] = result.abroad.get(date, 0) + village.abroad[date]
                result.targets[date] = result.targets.get(date, 0) + spec.targets[date]
            place = _village_place(spec, seed)
            village_ids.append(place.pk)
            buffer.add(place, village)
            if buffer.pending() >= FLUSH_EVERY:
                buffer.flush(result)
            bar.update(spec.population)
        buffer.flush(result)
        bar.close()
        analyze(
            Place,
            House,
            GardenTree,
            Household,
            Person,
            MigrationEvent,
            StatusSpan,
            HouseWord,
            HouseholdWord,
            PersonWord,
        )
        result.villages = len(specs)
        audit(
            None,
            AuditLog.Action.CREATE,
            "sample_registry",
            district.code,
            seed=seed,
            scale=scale,
            households=result.households,
            persons=result.persons,
        )
        effects.announce(REGISTRY_CHANGED, village_ids, since=START.replace(year=2014))
    result.seconds = time.monotonic() - started
    return result
