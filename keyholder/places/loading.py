"""Load the real places and the official figures from the reference data shipped in ``data/``.

Every write is an upsert on a natural key (the place code; the figure's place, indicator, date
and source), so loading twice changes nothing. See ``data/ATTRIBUTION.md`` for the sources.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from django.db import transaction
from shapely.geometry import shape

from keyholder.places import names
from keyholder.places.models import OfficialFigure, Place, PlaceKind

DATA_DIR = Path(__file__).resolve().parent / "data"

GEOBOUNDARIES = (
    "© OpenStreetMap contributors (ODbL 1.0); boundaries courtesy of geoBoundaries.org "
    "(Runfola et al. 2020), gbOpen TJK 2017"
)
JAMOAT_POPULATION_SOURCE = (
    "TajStat, population of the Republic of Tajikistan on 1 January 2015, and UNDP Tajikistan "
    "jamoat-level basic indicators, via Wikipedia 'Asht District' (CC BY-SA 4.0)"
)
ASHT_DISTRICT = "TJ-SU-ASHT"
ASHT_REPORT = "Asia-Plus report on migration from Asht district"
WDI_SOURCE = "World Bank, World Development Indicators, BX.TRF.PWKR.DT.GD.ZS (CC BY 4.0)"
WDI_URL = "https://data.worldbank.org/indicator/BX.TRF.PWKR.DT.GD.ZS?locations=TJ"


def slug(name: str) -> str:
    """The code part of a name: ASCII uppercase, " District" dropped, non-alphanumerics removed."""
    name = re.sub(r"\s+District$", "", name.strip())
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", ascii_name).upper()


def district_code(region_iso: str, name: str) -> str:
    return f"{region_iso}-{slug(name)}"


def _csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _features(name: str) -> list[dict[str, Any]]:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return list(json.load(handle)["features"])


def _valid_geometry(geometry: dict[str, Any]) -> dict[str, Any]:
    """Refuse a broken polygon at load time rather than on a map later."""
    if not shape(geometry).is_valid:
        raise ValueError("invalid boundary geometry")
    return geometry


@dataclass
class LoadSummary:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, outcome: str) -> None:
        bucket = getattr(self, outcome)
        bucket[what] = bucket.get(what, 0) + 1


def _upsert_place(summary: LoadSummary, code: str, values: dict[str, Any]) -> Place:
    place = Place.objects.filter(code=code).first()
    if place is None:
        place = Place(code=code, **values)
        place.save()
        summary.count(values["kind"], "created")
        return place
    changed = [name for name, value in values.items() if getattr(place, name) != value]
    if changed:
        for name in changed:
            setattr(place, name, values[name])
        place.save()
        summary.count(values["kind"], "updated")
    else:
        summary.count(values["kind"], "unchanged")
    return place


def _upsert_figure(summary: LoadSummary, place: Place, values: dict[str, Any]) -> None:
    key = {k: values.pop(k) for k in ("indicator", "as_of", "source")}
    values["value"] = Decimal(values["value"]).quantize(Decimal("0.0001"))
    figure = OfficialFigure.objects.filter(place=place, **key).first()
    if figure is None:
        OfficialFigure.objects.create(place=place, **key, **values)
        summary.count("figure", "created")
        return
    changed = [name for name, value in values.items() if getattr(figure, name) != value]
    if changed:
        for name in changed:
            setattr(figure, name, values[name])
        figure.save(update_fields=changed)
        summary.count("figure", "updated")
    else:
        summary.count("figure", "unchanged")


def load_country_and_regions(summary: LoadSummary) -> dict[str, Place]:
    code, tg, ru, en = names.COUNTRY
    geometry = _features("geoBoundaries-TJK-ADM0_simplified.geojson")[0]["geometry"]
    point = shape(geometry).representative_point()
    country = _upsert_place(
        summary,
        code,
        {
            "kind": PlaceKind.COUNTRY,
            "parent": None,
            "name_tg": tg,
            "name_ru": ru,
            "name_en": en,
            "latitude": round(point.y, 5),
            "longitude": round(point.x, 5),
            "point_source": "interior point of the geoBoundaries ADM0 polygon",
            "boundary": _valid_geometry(geometry),
            "source": GEOBOUNDARIES,
        },
    )
    regions = {"TJ": country}
    geometries = {
        f["properties"]["shapeISO"]: f["geometry"]
        for f in _features("geoBoundaries-TJK-ADM1_simplified.geojson")
    }
    for row in _csv("tjk_adm1_regions_geoboundaries.csv"):
        iso = row["adm1_iso"]
        tg, ru, en = names.REGIONS[iso]
        regions[iso] = _upsert_place(
            summary,
            iso,
            {
                "kind": PlaceKind.REGION,
                "parent": country,
                "name_tg": tg,
                "name_ru": ru,
                "name_en": en,
                "latitude": float(row["centroid_lat"]),
                "longitude": float(row["centroid_lon"]),
                "point_source": "centroid of the geoBoundaries ADM1 polygon",
                "boundary": _valid_geometry(geometries[iso]),
                "source": GEOBOUNDARIES,
            },
        )
    return regions


def load_districts(summary: LoadSummary, regions: dict[str, Place]) -> dict[str, Place]:
    geometries = {
        f["properties"]["shapeID"]: f["geometry"]
        for f in _features("geoBoundaries-TJK-ADM2_simplified.geojson")
    }
    # Asht is where the sample registry lives: it gets the full-resolution outline.
    for feature in _features("geoBoundaries-TJK-ADM2-Asht_District_fullres.geojson"):
        geometries[feature["properties"]["shapeID"]] = feature["geometry"]
    districts = {}
    for row in _csv("tjk_adm2_districts_geoboundaries.csv"):
        en = row["adm2_name"]
        short = re.sub(r"\s+District$", "", en)
        tg, ru = names.DISTRICTS[short]
        code = district_code(row["adm1_iso"], en)
        districts[code] = _upsert_place(
            summary,
            code,
            {
                "kind": PlaceKind.DISTRICT,
                "parent": regions[row["adm1_iso"]],
                "name_tg": tg,
                "name_ru": ru,
                "name_en": short,
                "latitude": float(row["interior_lat"]),
                "longitude": float(row["interior_lon"]),
                "point_source": "interior point of the geoBoundaries ADM2 polygon",
                "boundary": _valid_geometry(geometries[row["adm2_shapeID"]]),
                "source": GEOBOUNDARIES,
            },
        )
    return districts


def _asht_points() -> dict[str, tuple[float, float, str]]:
    """Points of Asht jamoats/towns that a public source gives, by jamoat name."""
    points = {}
    for row in _csv("asht_settlements_found.csv"):
        jamoat = row["adm3_2015"].replace(" (town)", "")
        if jamoat in names.ASHT_JAMOATS:
            source = f"{row['name']}: {row['coord_source']}"
            if jamoat != "Shaydon":
                source = f"approximate: the village {source}"
            points[jamoat] = (float(row["latitude"]), float(row["longitude"]), source)
    return points


def load_asht_jamoats(summary: LoadSummary, district: Place) -> list[Place]:
    points = _asht_points()
    jamoats = []
    for row in _csv("asht_jamoats_population_2015.csv"):
        en = row["adm3_name"]
        tg, ru = names.ASHT_JAMOATS[en]
        kind = PlaceKind.TOWN if row["adm3_type"] == "town" else PlaceKind.JAMOAT
        lat, lon, point_source = points.get(en, (None, None, ""))
        jamoats.append(
            _upsert_place(
                summary,
                f"{district.code}-{slug(en)}",
                {
                    "kind": kind,
                    "parent": district,
                    "name_tg": tg,
                    "name_ru": ru,
                    "name_en": en,
                    "latitude": lat,
                    "longitude": lon,
                    "point_source": point_source,
                    # GADM has jamoat outlines but forbids redistribution; none is public.
                    "boundary": None,
                    "population": int(row["population_2015"]),
                    "population_year": 2015,
                    "population_source": JAMOAT_POPULATION_SOURCE,
                    "source": row["source"],
                },
            )
        )
    values = {
        "population": sum(j.population or 0 for j in jamoats),
        "population_year": 2015,
        "population_source": f"sum of the 2015 jamoat and town figures: {JAMOAT_POPULATION_SOURCE}",
    }
    changed = [name for name, value in values.items() if getattr(district, name) != value]
    for name in changed:
        setattr(district, name, values[name])
    if changed:
        district.save(update_fields=changed)
    return jamoats


def _date_and_period(text: str, indicator: str = "") -> tuple[dt.date, str]:
    """A figure's date from the source's wording: a day, a month (mid-month) or a year."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.date.fromisoformat(text), text
    if re.fullmatch(r"\d{4}-\d{2}", text):
        year, month = map(int, text.split("-"))
        return dt.date(year, month, 15), text
    year = int(text)
    # Partial-year counts are dated at the end of the months they cover.
    if indicator.endswith("_jan_oct"):
        return dt.date(year, 10, 31), f"{year}-01/{year}-10"
    if indicator.endswith("_jan_jun"):
        return dt.date(year, 6, 30), f"{year}-01/{year}-06"
    if indicator.endswith("_january"):
        return dt.date(year, 1, 31), f"{year}-01"
    return dt.date(year, 12, 31), str(year)


def _unit_and_qualifier(unit: str, scope: str) -> tuple[str, str]:
    qualifier = ""
    if "more than" in unit:
        qualifier = "more than"
    elif "approx" in unit:
        qualifier = "about"
    elif "derived" in scope.lower():
        qualifier = "derived"
    return re.sub(r"\s*\(.*\)$", "", unit).strip(), qualifier


def load_official_figures(summary: LoadSummary, places: dict[str, Place]) -> None:
    by_name = {"Asht District": places[ASHT_DISTRICT], "Tajikistan": places["TJ"]}
    for row in _csv("asht_report_figures.csv"):
        as_of, period = _date_and_period(row["as_of"])
        _upsert_figure(
            summary,
            by_name[row["place"]],
            {
                "indicator": row["indicator"],
                "value": row["value"],
                "qualifier": row["qualifier"],
                "unit": row["unit"],
                "as_of": as_of,
                "period": period,
                "source": row["stated_source"],
                "reported_by": row["reported_by"],
                "note": row["note"],
            },
        )
    country = places["TJ"]
    for row in _csv("tajik_labour_migration_reported_figures.csv"):
        as_of, period = _date_and_period(row["year"], row["indicator"])
        unit, qualifier = _unit_and_qualifier(row["unit"], row["scope"])
        _upsert_figure(
            summary,
            country,
            {
                "indicator": row["indicator"],
                "value": row["value"],
                "qualifier": qualifier,
                "unit": unit,
                "as_of": as_of,
                "period": period,
                "source": row["primary_source_as_stated"],
                "source_url": row["retrieved_from_url"],
                "reported_by": urlparse(row["retrieved_from_url"]).netloc,
                "note": "; ".join(x for x in (row["scope"], row["note"]) if x),
            },
        )
    for row in _csv("worldbank_wdi_remittances_pct_gdp_tajikistan_2002_2020.csv"):
        as_of, period = _date_and_period(row["year"])
        _upsert_figure(
            summary,
            country,
            {
                "indicator": "remittances_pct_gdp",
                "value": row["value_pct_gdp"],
                "qualifier": "",
                "unit": "% of GDP",
                "as_of": as_of,
                "period": period,
                "source": WDI_SOURCE,
                "source_url": WDI_URL,
                "reported_by": "World Bank",
                "note": row["indicator_name"],
            },
        )
    asht = places[ASHT_DISTRICT]
    population = [
        ("2015-01-01", asht.population, f"sum of jamoat figures: {JAMOAT_POPULATION_SOURCE}"),
        (
            "2020-01-01",
            168100,
            "TajStat, population on 1 January 2020, via Wikipedia 'Asht District' (CC BY-SA 4.0)",
        ),
    ]
    for as_of_text, value, source in population:
        _upsert_figure(
            summary,
            asht,
            {
                "indicator": "population",
                "value": value,
                "qualifier": "",
                "unit": "persons",
                "as_of": dt.date.fromisoformat(as_of_text),
                "period": as_of_text,
                "source": source,
                "reported_by": "Wikipedia",
                "note": "",
            },
        )


@transaction.atomic
def load_places() -> LoadSummary:
    summary = LoadSummary()
    places = load_country_and_regions(summary)
    places.update(load_districts(summary, places))
    load_asht_jamoats(summary, places[ASHT_DISTRICT])
    load_official_figures(summary, places)
    return summary
