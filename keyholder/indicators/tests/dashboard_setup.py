"""Shared setup for the dashboard and export tests: the cast's Asht with a small registry,
shapes for the map, the two official figures, and the analytics store built."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from keyholder.indicators.tests.helpers import populate
from keyholder.places.models import OfficialFigure, PlaceKind
from keyholder.testing import Cast, make_place

SOURCE = "Migration Service office, Sughd province"
ASHT_BOUNDARY = {
    "type": "Polygon",
    "coordinates": [[[70.0, 40.5], [70.6, 40.5], [70.6, 41.0], [70.0, 41.0], [70.0, 40.5]]],
}


def asht(cast: Cast) -> None:
    """Asht with a boundary, Ponghoz's villages as points, a second jamoat (Oshoba, with no
    point: the map puts it at the middle of its village) and the official figures."""
    cast.district.boundary = ASHT_BOUNDARY
    cast.district.name_ru = "Ашт"
    cast.district.save()
    cast.jamoat.name_ru, cast.jamoat.name_en = "Понгоз", "Ponghoz"
    cast.jamoat.save()
    for index, village in enumerate((cast.village, cast.village2)):
        village.latitude, village.longitude = 40.7 + index / 20, 70.2 + index / 20
        village.save()
    oshoba = make_place(
        "TJ-SU-ASHT-OSHOBA", PlaceKind.JAMOAT, cast.district, name_tg="Ошоба", name_en="Oshoba"
    )
    make_place(
        "TJ-SU-ASHT-OSHOBA-V01",
        PlaceKind.VILLAGE,
        oshoba,
        is_sample=True,
        latitude=40.9,
        longitude=70.5,
    )
    OfficialFigure.objects.create(
        place=cast.district,
        indicator="residents_in_labour_migration",
        value=Decimal(17500),
        unit="persons",
        as_of=dt.date(2023, 12, 31),
        source=SOURCE,
    )
    OfficialFigure.objects.create(
        place=cast.district,
        indicator="residents_in_labour_migration",
        value=Decimal(24000),
        qualifier="about",
        unit="persons",
        as_of=dt.date(2024, 7, 15),
        period="2024-07",
        source=SOURCE,
    )
    populate(cast)
