"""DHIS2 metadata for the data exports (``format=dhis2-metadata``), so that an empty DHIS2
2.40+ takes our data without anyone creating objects by hand.

One ``POST /api/metadata`` of this file creates: the data elements (codes ``KH_<NAME>``,
integer values, aggregation type ``SUM`` for flows and ``LAST`` for stocks, zero significant so
that DHIS2 keeps a true zero), the indicator type and the shares as DHIS2 indicators
(numerator and denominator data elements, never summed), the org-unit tree (our place codes,
each with its parent) from the country down to the lowest level the reader sees, and the data
set ``KH_MIGRATION`` (monthly) assigned to the lowest-level places, where the data is entered.

Every object carries a fixed DHIS2 UID made from its code (the same on every export) and its
code, so a later data import can name objects by code: ``POST
/api/dataValueSets?idScheme=CODE`` (``idScheme`` covers the data set too; see
docs/indicators.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

from keyholder.indicators import catalogue
from keyholder.indicators.catalogue import Indicator
from keyholder.places.models import Place, subtree_q

UID_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
UID_CHARS = UID_LETTERS + "0123456789"
DATA_SET = "KH_MIGRATION"
INDICATOR_TYPE = "KH_RATIO"
OPENING_DATE = "2015-01-01"


def uid(kind: str, code: str) -> str:
    """A DHIS2 UID (a letter then 10 letters or digits) fixed by the object's kind and code."""
    digest = int.from_bytes(hashlib.sha256(f"{kind}:{code}".encode()).digest(), "big")
    first = UID_LETTERS[digest % len(UID_LETTERS)]
    digest //= len(UID_LETTERS)
    rest = []
    for _ in range(10):
        rest.append(UID_CHARS[digest % len(UID_CHARS)])
        digest //= len(UID_CHARS)
    return first + "".join(rest)


def element_code(name: str) -> str:
    return f"KH_{name.upper()}"


def _short(text: str, limit: int = 50) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def data_element(spec: Indicator) -> dict[str, Any]:
    code = element_code(spec.name)
    return {
        "id": uid("dataElement", code),
        "code": code,
        "name": str(spec.label),
        "shortName": _short(str(spec.label)),
        "description": str(spec.definition),
        "valueType": "INTEGER_ZERO_OR_POSITIVE",
        "aggregationType": "LAST" if spec.is_stock else "SUM",
        "domainType": "AGGREGATE",
        # A zero is a figure here (nobody left this month), not a missing value.
        "zeroIsSignificant": True,
    }


def indicator(spec: Indicator) -> dict[str, Any]:
    assert spec.derived is not None
    top, bottom = spec.derived
    code = element_code(spec.name)
    return {
        "id": uid("indicator", code),
        "code": code,
        "name": str(spec.label),
        "shortName": _short(str(spec.label)),
        "description": str(spec.definition),
        "indicatorType": {"id": uid("indicatorType", INDICATOR_TYPE)},
        "numerator": "#{" + uid("dataElement", element_code(top)) + "}",
        "numeratorDescription": str(catalogue.get(top).label),
        "denominator": "#{" + uid("dataElement", element_code(bottom)) + "}",
        "denominatorDescription": str(catalogue.get(bottom).label),
    }


def org_unit(place: Place) -> dict[str, Any]:
    unit: dict[str, Any] = {
        "id": uid("organisationUnit", place.code),
        "code": place.code,
        "name": place.name,
        "shortName": _short(place.name),
        "openingDate": OPENING_DATE,
    }
    codes = place.path.split("/")
    if len(codes) > 1:
        unit["parent"] = {"id": uid("organisationUnit", codes[-2])}
    return unit


def metadata_chunks(place: Place, specs: list[Indicator], kinds: tuple[str, ...]) -> Iterator[str]:
    """The metadata for ``specs`` and the places from the country down to ``place``'s subtree
    (``kinds``: the place kinds the data set is assigned to, the lowest level exported)."""
    counts = [s for s in specs if not s.derived]
    for share in (s for s in specs if s.derived):
        for name in share.derived or ():
            if all(c.name != name for c in counts):
                counts.append(catalogue.get(name))
    shares = [s for s in specs if s.derived]
    yield "{"
    yield '"indicatorTypes":' + json.dumps(
        [
            {
                "id": uid("indicatorType", INDICATOR_TYPE),
                "code": INDICATOR_TYPE,
                "name": "Ratio (factor 1)",
                "factor": 1,
                "number": False,
            }
        ]
        if shares
        else []
    )
    split = [s for s in counts if s.breakdowns]
    for key, objects in categories(breakdown_keys(place, split)).items():
        yield f',"{key}":' + json.dumps(objects, ensure_ascii=False)
    elements = [data_element(s) for s in counts] + breakdown_elements(split)
    yield ',"dataElements":' + json.dumps(elements, ensure_ascii=False)
    yield ',"indicators":' + json.dumps([indicator(s) for s in shares], ensure_ascii=False)
    # Ancestors first, then the subtree in path order: every parent comes before its children.
    chain = [*place.ancestors()]
    rows = Place.objects.filter(subtree_q(place)).defer("boundary").order_by("path")
    reporting: list[str] = []
    yield ',"organisationUnits":['
    separator = ""
    for unit in [*chain, *rows.iterator(chunk_size=500)]:
        if _deeper(unit, kinds):
            continue
        if unit.kind in kinds:
            reporting.append(unit.code)
        yield separator + json.dumps(org_unit(unit), ensure_ascii=False)
        separator = ","
    yield "]"
    data_set = {
        "id": uid("dataSet", DATA_SET),
        "code": DATA_SET,
        "name": "keyholder: migration and vacancy",
        "shortName": "keyholder migration",
        "periodType": "Monthly",
        "dataSetElements": [{"dataElement": {"id": e["id"]}} for e in elements],
        "indicators": [{"id": uid("indicator", element_code(s.name))} for s in shares],
        "organisationUnits": [{"id": uid("organisationUnit", code)} for code in reporting],
    }
    yield ',"dataSets":' + json.dumps([data_set], ensure_ascii=False)
    yield "}"


def _deeper(unit: Place, kinds: tuple[str, ...]) -> bool:
    """True for a place below the exported level (left out of the tree)."""
    from keyholder.places.models import KIND_LEVEL, PlaceKind

    lowest = max(KIND_LEVEL[PlaceKind(k)] for k in kinds)
    return KIND_LEVEL[PlaceKind(unit.kind)] > lowest


# Breakdowns: one data element per indicator and breakdown (``KH_ABROAD_BY_SEX``...), whose
# category combo has one category of that breakdown; each option has its category option
# combo, with a code, so that data can name it by code too.
def breakdown_element(name: str, prefix: str) -> str:
    return element_code(f"{name}_by_{prefix}")


def option_code(prefix: str, key: str) -> str:
    clean = key.upper().replace("+", "PLUS").replace("-", "_")
    return f"KH_{prefix.upper()}_{clean}"


def option_name(prefix: str, key: str) -> str:
    from keyholder.indicators.dashboard import SEX_LABELS
    from keyholder.places.countries import country_name

    if prefix == catalogue.SEX:
        return str(SEX_LABELS.get(key, key))
    if prefix == catalogue.COUNTRY:
        return country_name(key)
    return key


def breakdown_keys(place: Place, specs: list[Indicator]) -> dict[str, list[str]]:
    """The options of each breakdown: sexes and age bands, and the countries held under
    ``place`` (one query)."""
    from keyholder.indicators.models import IndicatorSeries

    prefixes = {p for s in specs for p in s.breakdowns}
    keys: dict[str, list[str]] = {}
    if catalogue.SEX in prefixes:
        keys[catalogue.SEX] = ["f", "m"]
    if catalogue.AGE in prefixes:
        keys[catalogue.AGE] = list(catalogue.AGE_BAND_LABELS)
    if catalogue.COUNTRY in prefixes:
        found = (
            IndicatorSeries.objects.filter(
                subtree_q(place, "place__"),
                indicator__in=[s.name for s in specs],
                dimension__startswith=f"{catalogue.COUNTRY}:",
            )
            .values_list("dimension", flat=True)
            .distinct()
        )
        keys[catalogue.COUNTRY] = sorted({d.partition(":")[2] for d in found})
    return keys


def categories(keys: dict[str, list[str]]) -> dict[str, list[dict[str, Any]]]:
    options, cats, combos, option_combos = [], [], [], []
    for prefix, values in keys.items():
        code = f"KH_{prefix.upper()}"
        option_ids = []
        for key in values:
            ocode = option_code(prefix, key)
            name = option_name(prefix, key)
            options.append(
                {
                    "id": uid("categoryOption", ocode),
                    "code": ocode,
                    "name": f"{name} ({ocode})",
                    "shortName": _short(f"{name} ({ocode})"),
                }
            )
            option_ids.append(uid("categoryOption", ocode))
            option_combos.append(
                {
                    "id": uid("categoryOptionCombo", ocode),
                    "code": ocode,
                    "name": f"{name} ({ocode})",
                    "categoryCombo": {"id": uid("categoryCombo", code)},
                    "categoryOptions": [{"id": uid("categoryOption", ocode)}],
                }
            )
        cats.append(
            {
                "id": uid("category", code),
                "code": code,
                "name": code,
                "shortName": code,
                "dataDimensionType": "DISAGGREGATION",
                "categoryOptions": [{"id": i} for i in option_ids],
            }
        )
        combos.append(
            {
                "id": uid("categoryCombo", code),
                "code": code,
                "name": code,
                "dataDimensionType": "DISAGGREGATION",
                "categories": [{"id": uid("category", code)}],
            }
        )
    return {
        "categoryOptions": options,
        "categories": cats,
        "categoryCombos": combos,
        "categoryOptionCombos": option_combos,
    }


def breakdown_elements(specs: list[Indicator]) -> list[dict[str, Any]]:
    out = []
    for spec in specs:
        for prefix in spec.breakdowns:
            element = data_element(spec)
            code = breakdown_element(spec.name, prefix)
            element.update(
                id=uid("dataElement", code),
                code=code,
                name=f"{element['name']} ({prefix})",
                shortName=_short(f"{element['shortName']} ({prefix})"),
                categoryCombo={"id": uid("categoryCombo", f"KH_{prefix.upper()}")},
            )
            out.append(element)
    return out
