"""``keyholder load_places`` loads the real places and official figures from the shipped data."""

import datetime as dt
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from shapely.geometry import shape

from keyholder.places.models import OfficialFigure, Place, PlaceKind

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def summary(module_db: Any) -> str:
    """The places loaded once for the module's tests (each reads them in its own savepoint);
    what the command printed."""
    out = StringIO()
    with module_db.unblock():
        call_command("load_places", stdout=out)
    return out.getvalue()


def test_it_loads_the_country_regions_districts_and_asht_jamoats(summary: str) -> None:
    assert "district: 58 created" in summary
    assert Place.objects.filter(kind=PlaceKind.COUNTRY).count() == 1
    regions = Place.objects.filter(kind=PlaceKind.REGION)
    assert sorted(r.code for r in regions) == ["TJ-DU", "TJ-GB", "TJ-KT", "TJ-RA", "TJ-SU"]
    assert Place.objects.filter(kind=PlaceKind.DISTRICT).count() == 58
    asht = Place.objects.get(code="TJ-SU-ASHT")
    assert asht.parent is not None and asht.parent.code == "TJ-SU"
    assert asht.path == "TJ/TJ-SU/TJ-SU-ASHT"
    assert (asht.name_tg, asht.name_ru, asht.name_en) == ("Ашт", "Ашт", "Asht")
    assert asht.population == 146143 and asht.population_year == 2015
    assert Place.objects.filter(code="TJ-GB-ROSHTQALA").exists()

    under_asht = Place.objects.filter(parent=asht)
    assert under_asht.filter(kind=PlaceKind.JAMOAT).count() == 8
    assert list(under_asht.filter(kind=PlaceKind.TOWN).values_list("code", flat=True)) == [
        "TJ-SU-ASHT-SHAYDON"
    ]
    assert sum(p.population or 0 for p in under_asht) == 146143
    ponghoz = Place.objects.get(code="TJ-SU-ASHT-PONGHOZ")
    assert (ponghoz.name_tg, ponghoz.name_ru, ponghoz.population) == ("Понғоз", "Понгоз", 28532)
    assert ponghoz.population_year == 2015 and "TajStat" in ponghoz.population_source
    assert (ponghoz.latitude, ponghoz.longitude) == (40.75, 70.25)
    assert ponghoz.point_source.startswith("approximate")
    assert ponghoz.boundary is None
    shaydon = Place.objects.get(code="TJ-SU-ASHT-SHAYDON")
    assert "GeoNames 1514921" in shaydon.point_source
    # No public source gives a point for the other jamoats.
    assert Place.objects.get(code="TJ-SU-ASHT-PUNUK").latitude is None


@pytest.mark.usefixtures("summary")
def test_every_boundary_is_valid_geojson_containing_its_point() -> None:
    bounded = Place.objects.exclude(boundary=None)
    assert bounded.count() == 1 + 5 + 58
    for place in bounded:
        assert place.boundary is not None
        geometry = shape(place.boundary)
        assert geometry.is_valid, place.code
        assert place.boundary["type"] in ("Polygon", "MultiPolygon")
        assert place.latitude is not None and place.longitude is not None
        if place.kind == PlaceKind.DISTRICT:
            assert geometry.buffer(0.01).contains(
                shape({"type": "Point", "coordinates": [place.longitude, place.latitude]})
            )
        assert "OpenStreetMap" in place.source and place.point_source
    for place in Place.objects.filter(kind__in=[PlaceKind.REGION, PlaceKind.DISTRICT]):
        assert place.name_tg and place.name_ru and place.name_en, place.code


@pytest.mark.usefixtures("summary")
def test_it_keeps_the_official_figures_with_their_source() -> None:
    asht = OfficialFigure.objects.filter(
        place__code="TJ-SU-ASHT", indicator="residents_in_labour_migration"
    ).order_by("as_of")
    end_2023, july_2024 = asht
    assert (end_2023.as_of, end_2023.value, end_2023.qualifier) == (
        dt.date(2023, 12, 31),
        Decimal("17500"),
        "",
    )
    assert (july_2024.as_of, july_2024.period, july_2024.value, july_2024.qualifier) == (
        dt.date(2024, 7, 15),
        "2024-07",
        Decimal("24000"),
        "about",
    )
    assert "Migration Service" in july_2024.source
    departures = OfficialFigure.objects.get(
        place__code="TJ",
        indicator="labour_migrants_departed_to_russia",
        as_of=dt.date(2023, 12, 31),
    )
    assert departures.value == 627028 and departures.source_url.startswith("https://")
    remittances = OfficialFigure.objects.filter(
        place__code="TJ", indicator="remittances_pct_gdp", source__startswith="World Bank, World"
    )
    assert remittances.count() == 19
    assert remittances.get(as_of=dt.date(2020, 12, 31)).value == Decimal("26.6874")
