"""DHIS2 dataValueSets JSON and ADX XML carry the same village aggregates, with our indicator
and place codes, and the ADX passes the documented structural check."""

from __future__ import annotations

import json

from django.test import Client

from keyholder.indicators.tests.dashboard_setup import asht
from keyholder.indicators.tests.export_checks import adx_problems, adx_values, body
from keyholder.testing import Cast

QUERY = {"indicators": "abroad,departures,share_abroad", "from": "2023-11", "to": "2023-12"}


def test_it_exports_dhis2_data_values_and_a_well_formed_adx(client: Client, cast: Cast) -> None:
    asht(cast)
    client.force_login(cast.officer)
    url = "/indicators/TJ-SU-ASHT-PONGHOZ/export/"
    dhis2 = client.get(url, {**QUERY, "format": "dhis2"})
    assert dhis2.status_code == 200 and dhis2["Content-Type"] == "application/json"
    payload = json.loads(body(dhis2))
    assert payload["dataSet"] == "KH_MIGRATION"
    # Totals here; the breakdowns (with their categoryOptionCombo) are not in the ADX file.
    values = [v for v in payload["dataValues"] if "categoryOptionCombo" not in v]
    assert values and all(set(v) == {"dataElement", "period", "orgUnit", "value"} for v in values)
    found = {(v["orgUnit"], v["period"], v["dataElement"]): v["value"] for v in values}
    assert found[("TJ-SU-ASHT-PONGHOZ-V01", "202311", "KH_DEPARTURES")] == "11"
    assert found[("TJ-SU-ASHT-PONGHOZ-V01", "202312", "KH_ABROAD")] == "23"
    # Only the lowest level by default, so that DHIS2 (or any sum) counts each person once.
    assert {v["orgUnit"] for v in values} <= {"TJ-SU-ASHT-PONGHOZ-V01", "TJ-SU-ASHT-PONGHOZ-V02"}
    every = json.loads(body(client.get(url, {**QUERY, "format": "dhis2", "level": "all"})))
    assert {
        "orgUnit": "TJ-SU-ASHT-PONGHOZ",
        "period": "202312",
        "dataElement": "KH_ABROAD",
    }.items() <= next(
        v
        for v in every["dataValues"]
        if (v["orgUnit"], v["period"], v["dataElement"])
        == ("TJ-SU-ASHT-PONGHOZ", "202312", "KH_ABROAD")
    ).items()
    assert all(v["period"].isdigit() and len(v["period"]) == 6 for v in values)
    assert all(float(v["value"]) >= 0 for v in values)

    adx = client.get(url, {**QUERY, "format": "adx"})
    assert adx.status_code == 200 and adx["Content-Type"] == "application/adx+xml"
    data = body(adx)
    assert adx_problems(data) == []
    # The same values as the DHIS2 file, period for period.
    from_adx = {
        (org, period.split("/")[0].replace("-", "")[:6], element): value
        for org, period, element, value in adx_values(data)
    }
    assert from_adx == found

    # The check is not a rubber stamp: it names what is wrong.
    broken = data.replace(b'period="2023-11-01/P1M"', b'period="November"', 1).replace(
        b'value="11"', b'value="eleven"', 1
    )
    problems = adx_problems(broken)
    assert any("period" in p for p in problems) and any("numeric" in p for p in problems)
    assert adx_problems(data.replace(b"urn:ihe:qrph:adx:2015", b"urn:example", 1))
    # What the empty export used to be, <adx/> without a group, fails as the schema fails it.
    empty = b'<adx xmlns="urn:ihe:qrph:adx:2015" exported="2026-01-01T00:00:00+00:00"/>'
    assert any("no group" in p for p in adx_problems(empty))


def test_an_adx_export_with_nothing_to_show_is_a_clear_404(client: Client, cast: Cast) -> None:
    asht(cast)
    # Every public figure of Oshoba is withheld (it holds no household): no <adx/> without a
    # group, which the ADX schema refuses, but the catalogue's code.
    answer = client.get(
        "/api/v1/indicators/export",
        {"place": "TJ-SU-ASHT-OSHOBA", "format": "adx", "scope": "self"},
    )
    assert answer.status_code == 404
    assert answer.json()["code"] == "indicators.export_empty"
    # Every ADX export that is made passes the check: public and exact, every level.
    for visitor in (None, cast.officer):
        if visitor is not None:
            client.force_login(visitor)
        for level in ("lowest", "all", "district", "jamoat"):
            made = client.get(
                "/api/v1/indicators/export",
                {"place": "TJ-SU-ASHT", "format": "adx", "level": level, "from": "2023-01"},
            )
            assert made.status_code == 200 and adx_problems(body(made)) == [], (visitor, level)
