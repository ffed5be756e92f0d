"""Exports follow the pages' rules: the outsider gets 404 for Asht, the public gets
suppressed and rounded figures, and withheld figures are left out of DHIS2 and ADX."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from keyholder.indicators.tests.dashboard_setup import asht
from keyholder.indicators.tests.export_checks import as_dict, body, csv_rows
from keyholder.testing import Cast, bearer

QUERY = {"indicators": "abroad,departures", "from": "2023-02", "to": "2023-03"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson", "dhis2", "adx"])
def test_it_refuses_asht_exports_to_an_officer_of_another_district(
    client: Client, cast: Cast, fmt: str
) -> None:
    asht(cast)
    client.force_login(cast.outsider)
    page = client.get("/indicators/TJ-SU-ASHT/export/", {**QUERY, "format": fmt})
    assert page.status_code == 404
    api = Client().get(
        "/api/v1/indicators/export",
        {**QUERY, "place": "TJ-SU-ASHT", "format": fmt},
        **bearer(cast.outsider),
    )
    assert api.status_code == 404 and api.json()["code"] == "not_found"
    assert client.get("/indicators/TJ-SU-ASHT-PONGHOZ-V01/export/").status_code == 404


def test_it_gives_the_public_suppressed_and_rounded_exports(client: Client, cast: Cast) -> None:
    asht(cast)
    rows = csv_rows(body(client.get("/indicators/TJ-SU-ASHT/export/", {**QUERY, "format": "csv"})))
    table = as_dict(rows)
    # 2 abroad in February 2023: withheld; 14 in March: 15; 12 departures: 10.
    february = table[("TJ-SU-ASHT", "2023-02", "abroad")]
    assert (february["value"], february["suppressed"]) == ("", "1")
    march = table[("TJ-SU-ASHT", "2023-03", "abroad")]
    assert (march["value"], march["rounded"], march["suppressed"]) == ("15", "1", "0")
    assert table[("TJ-SU-ASHT", "2023-03", "departures")]["value"] == "10"
    assert all(row[9] == "" or (int(row[9]) % 5 == 0 and int(row[9]) >= 5) for row in rows[2:])

    dhis2 = json.loads(
        body(
            client.get(
                "/indicators/TJ-SU-ASHT/export/", {**QUERY, "format": "dhis2", "level": "all"}
            )
        )
    )
    values = {
        (v["orgUnit"], v["period"], v["dataElement"]): v["value"] for v in dhis2["dataValues"]
    }
    assert ("TJ-SU-ASHT", "202302", "KH_ABROAD") not in values
    assert values[("TJ-SU-ASHT", "202303", "KH_ABROAD")] == "15"
    adx = body(
        client.get(
            "/api/v1/indicators/export",
            {**QUERY, "place": "TJ-SU-ASHT", "format": "adx", "level": "district"},
        )
    )
    assert b'value="14"' not in adx and b'value="15"' in adx
