"""Shared setup for the indicators tests: a few Asht families with migration histories."""

from __future__ import annotations

import datetime as dt

from keyholder.indicators.store import build_all
from keyholder.places.models import Place
from keyholder.registry.models import Household, MigrationEvent, Person
from keyholder.registry.spans import rebuild_village
from keyholder.testing import Cast, make_household

D = dt.date


def abroad_family(
    village: Place, name: str, size: int, left: dt.date, country: str = "RU"
) -> Household:
    """A household whose ``size`` members all departed on ``left``. The departures are stored
    as an import stores them, around the services: ``populate`` then makes the villages'
    status spans from the events, as ``keyholder rebuild_spans`` does."""
    household = make_household(village, name)
    persons = [
        Person.objects.create(
            household=household,
            given_name=f"P{index}",
            family_name=name,
            sex="mf"[index % 2],
            birth_year=1980 + index,
            relation="head",
        )
        for index in range(size)
    ]
    MigrationEvent.objects.bulk_create(
        MigrationEvent(person=person, kind="departed", date=left, country=country)
        for person in persons
    )
    return household


def populate(cast: Cast) -> None:
    """Asht: 25 abroad at the end of 2023 (23 of V01, 2 of V02 since 2022), 3 more leave V01
    in May 2024; Ghafurov: 7 abroad since 2021."""
    abroad_family(cast.village, "Saidov", 12, D(2023, 3, 10))
    abroad_family(cast.village, "Nazarov", 11, D(2023, 11, 2), country="KZ")
    abroad_family(cast.village, "Umarov", 3, D(2024, 5, 20))
    abroad_family(cast.village2, "Aliev", 2, D(2022, 6, 1))
    abroad_family(cast.other_village, "Sharipov", 7, D(2021, 4, 4))
    for village in (cast.village, cast.village2, cast.other_village):
        rebuild_village(village.pk)
    build_all()
