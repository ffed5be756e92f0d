"""DHIS2: the metadata and data payloads validate against JSON Schemas written from DHIS2's
documented import formats (``POST /api/metadata``, ``POST /api/dataValueSets``; docs.dhis2.org,
"Metadata" and "Data" in the developer manual, 2.40), every reference resolves, and the data of
the lowest level, summed up the metadata's org-unit tree as DHIS2 does, gives the district's
figure exactly once."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import jsonschema
from django.test import Client

from keyholder.indicators.tests.dashboard_setup import asht
from keyholder.indicators.tests.export_checks import body
from keyholder.testing import Cast

UID = {"type": "string", "pattern": "^[a-zA-Z][a-zA-Z0-9]{10}$"}
REF = {"type": "object", "required": ["id"], "properties": {"id": UID}}
NAMED = {
    "id": UID,
    "code": {"type": "string", "maxLength": 50},
    "name": {"type": "string", "minLength": 1, "maxLength": 230},
    "shortName": {"type": "string", "minLength": 1, "maxLength": 50},
}
METADATA = {
    "type": "object",
    "required": ["dataElements", "organisationUnits", "dataSets"],
    "properties": {
        "dataElements": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "id",
                    "name",
                    "shortName",
                    "valueType",
                    "aggregationType",
                    "domainType",
                ],
                "properties": {
                    **NAMED,
                    "valueType": {"enum": ["INTEGER_ZERO_OR_POSITIVE", "INTEGER", "NUMBER"]},
                    "aggregationType": {"enum": ["SUM", "LAST", "AVERAGE", "AVERAGE_SUM_ORG_UNIT"]},
                    "domainType": {"enum": ["AGGREGATE", "TRACKER"]},
                    "zeroIsSignificant": {"type": "boolean"},
                },
            },
        },
        "organisationUnits": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "shortName", "openingDate"],
                "properties": {
                    **NAMED,
                    "openingDate": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                    "parent": REF,
                },
            },
        },
        "indicatorTypes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "factor"],
                "properties": {"id": UID, "factor": {"type": "integer"}},
            },
        },
        "indicators": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "id",
                    "name",
                    "shortName",
                    "indicatorType",
                    "numerator",
                    "denominator",
                ],
                "properties": {
                    **NAMED,
                    "indicatorType": REF,
                    "numerator": {"type": "string", "pattern": r"^#\{[a-zA-Z][a-zA-Z0-9]{10}\}$"},
                    "denominator": {"type": "string", "pattern": r"^#\{[a-zA-Z][a-zA-Z0-9]{10}\}$"},
                },
            },
        },
        "categoryOptions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "shortName"],
                "properties": NAMED,
            },
        },
        "categories": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "dataDimensionType", "categoryOptions"],
                "properties": {
                    **NAMED,
                    "dataDimensionType": {"enum": ["DISAGGREGATION"]},
                    "categoryOptions": {"type": "array", "items": REF},
                },
            },
        },
        "categoryCombos": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "dataDimensionType", "categories"],
                "properties": {**NAMED, "categories": {"type": "array", "items": REF}},
            },
        },
        "categoryOptionCombos": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "categoryCombo", "categoryOptions"],
                "properties": {
                    **NAMED,
                    "categoryCombo": REF,
                    "categoryOptions": {"type": "array", "items": REF},
                },
            },
        },
        "dataSets": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "periodType", "dataSetElements"],
                "properties": {
                    **NAMED,
                    "periodType": {"enum": ["Monthly", "Yearly", "Quarterly"]},
                    "dataSetElements": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["dataElement"],
                            "properties": {"dataElement": REF},
                        },
                    },
                    "organisationUnits": {"type": "array", "items": REF},
                },
            },
        },
    },
}
DATA = {
    "type": "object",
    "required": ["dataValues"],
    "properties": {
        "dataSet": {"type": "string"},
        "dataValues": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["dataElement", "period", "orgUnit", "value"],
                "additionalProperties": False,
                "properties": {
                    "dataElement": {"type": "string"},
                    "period": {"type": "string", "pattern": r"^\d{4}(0[1-9]|1[0-2])$"},
                    "orgUnit": {"type": "string"},
                    "value": {"type": "string", "pattern": r"^\d+$"},
                    "categoryOptionCombo": {"type": "string"},
                    "attributeOptionCombo": {"type": "string"},
                    "comment": {"type": "string"},
                },
            },
        },
    },
}
QUERY = {"indicators": "abroad,departures,share_abroad", "from": "2023-11", "to": "2023-12"}
URL = "/indicators/TJ-SU-ASHT/export/"


def payloads(client: Client, **extra: str) -> tuple[dict[str, Any], dict[str, Any]]:
    meta = json.loads(body(client.get(URL, {**QUERY, **extra, "format": "dhis2-metadata"})))
    data = json.loads(body(client.get(URL, {**QUERY, **extra, "format": "dhis2"})))
    jsonschema.validate(meta, METADATA)
    jsonschema.validate(data, DATA)
    return meta, data


def imported_total(
    meta: dict[str, Any], data: dict[str, Any], element: str, period: str
) -> dict[str, int]:
    """Import as DHIS2 would by code (idScheme=CODE): every reference must resolve; then the
    totals of every org unit, summed up the tree from the values."""
    units = {u["code"]: u for u in meta["organisationUnits"]}
    by_id = {u["id"]: u for u in meta["organisationUnits"]}
    elements = {e["code"]: e for e in meta["dataElements"]}
    combos = {c["id"] for c in meta.get("categoryCombos", [])}
    option_combos = {c["code"]: c for c in meta.get("categoryOptionCombos", [])}
    for item in meta["dataElements"]:
        assert "categoryCombo" not in item or item["categoryCombo"]["id"] in combos
    data_set = meta["dataSets"][0]
    assert data["dataSet"] == data_set["code"]
    assigned = {ref["id"] for ref in data_set["organisationUnits"]}
    in_set = {ref["dataElement"]["id"] for ref in data_set["dataSetElements"]}
    for unit in meta["organisationUnits"]:
        assert "parent" not in unit or unit["parent"]["id"] in by_id
    totals: dict[str, int] = defaultdict(int)
    for value in data["dataValues"]:
        unit = units[value["orgUnit"]]
        assert elements[value["dataElement"]]["id"] in in_set
        if "categoryOptionCombo" in value:
            combo = option_combos[value["categoryOptionCombo"]]
            assert combo["categoryCombo"] == elements[value["dataElement"]]["categoryCombo"]
        # Data is entered where the data set is assigned: the lowest level only.
        assert unit["id"] in assigned
        if (value["dataElement"], value["period"]) != (element, period):
            continue
        while True:
            totals[unit["code"]] += int(value["value"])
            if "parent" not in unit:
                break
            unit = by_id[unit["parent"]["id"]]
    return totals


def test_dhis2_metadata_and_data_import_and_sum_to_the_district_once(
    client: Client, cast: Cast
) -> None:
    asht(cast)
    client.force_login(cast.officer)
    meta, data = payloads(client)
    codes = {e["code"]: e for e in meta["dataElements"]}
    # The share is an indicator of its parts, and its parts are data elements.
    assert {"KH_ABROAD", "KH_DEPARTURES", "KH_RESIDENTS"} <= set(codes)
    # Breakdowns come as data elements with a category combo of their breakdown.
    assert {"KH_ABROAD_BY_SEX", "KH_ABROAD_BY_AGE", "KH_ABROAD_BY_COUNTRY"} <= set(codes)
    by_sex = [
        v
        for v in data["dataValues"]
        if v["dataElement"] == "KH_ABROAD_BY_SEX"
        and v["period"] == "202312"
        and v["orgUnit"] == "TJ-SU-ASHT-PONGHOZ-V01"
    ]
    assert sum(int(v["value"]) for v in by_sex) == 23
    assert {v["categoryOptionCombo"] for v in by_sex} == {"KH_SEX_F", "KH_SEX_M"}
    assert codes["KH_ABROAD"]["aggregationType"] == "LAST"
    assert codes["KH_DEPARTURES"]["aggregationType"] == "SUM"
    assert all(e["zeroIsSignificant"] for e in meta["dataElements"])
    [share] = meta["indicators"]
    assert share["code"] == "KH_SHARE_ABROAD"
    assert share["numerator"] == "#{" + codes["KH_ABROAD"]["id"] + "}"
    assert share["denominator"] == "#{" + codes["KH_RESIDENTS"]["id"] + "}"
    # The tree from the country down to the villages, parents first.
    tree = [u["code"] for u in meta["organisationUnits"]]
    assert tree[:3] == ["TJ", "TJ-SU", "TJ-SU-ASHT"] and "TJ-SU-ASHT-PONGHOZ-V01" in tree
    # Significant zeros are in the data: departures of V02 in November 2023.
    assert any(v["value"] == "0" for v in data["dataValues"])
    # Summed up the tree, the villages give Asht's 25 abroad at the end of 2023 exactly once.
    totals = imported_total(meta, data, "KH_ABROAD", "202312")
    assert totals["TJ-SU-ASHT"] == 25 and totals["TJ"] == 25
    every = json.loads(body(client.get(URL, {**QUERY, "format": "dhis2", "level": "all"})))
    district = [
        v
        for v in every["dataValues"]
        if (v["orgUnit"], v["dataElement"], v["period"]) == ("TJ-SU-ASHT", "KH_ABROAD", "202312")
    ]
    assert [int(v["value"]) for v in district] == [totals["TJ-SU-ASHT"]]

    # The public's files stop at the jamoat and still sum to the public district figure.
    client.logout()
    meta, data = payloads(client)
    assert not any(u["code"].endswith("-V01") for u in meta["organisationUnits"])
    totals = imported_total(meta, data, "KH_ABROAD", "202312")
    public = client.get(
        "/api/v1/indicators",
        {"place": "TJ-SU-ASHT", "indicator": "abroad", "from": "2023-12", "to": "2023-12"},
    ).json()["series"][0]["value"]
    assert totals["TJ-SU-ASHT"] == public == 25
