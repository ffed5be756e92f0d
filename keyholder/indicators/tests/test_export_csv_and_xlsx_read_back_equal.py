"""CSV (with its HXL row) and XLSX exports of Asht hold the same rows and values."""

from __future__ import annotations

import pytest
from django.test import Client

from keyholder.indicators import exports
from keyholder.indicators.tests.dashboard_setup import asht
from keyholder.indicators.tests.export_checks import (
    as_dict,
    body,
    csv_rows,
    xlsx_rows,
    xlsx_sheets,
)
from keyholder.testing import Cast

QUERY = {"indicators": "abroad,departures,share_abroad", "from": "2023-01", "to": "2024-12"}


def test_it_exports_the_same_rows_in_csv_and_xlsx(client: Client, cast: Cast) -> None:
    asht(cast)
    client.force_login(cast.officer)
    response = client.get("/indicators/TJ-SU-ASHT/export/", {**QUERY, "format": "csv"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="keyholder-TJ-SU-ASHT-2023-01-2024-12.csv"' in response["Content-Disposition"]
    rows = csv_rows(body(response))
    # Codes say which vocabulary they belong to: ours, not OCHA P-codes; the country ISO's.
    assert rows[1][:4] == [
        "#loc+code+v_keyholder",
        "#loc+name",
        "#loc+type",
        "#country+code+v_iso2",
    ]
    assert "#date+month" in rows[1] and "#indicator+num" in rows[1]

    # Asht, its 3 jamoats... every place from the district down, 24 months, 3 indicators.
    places = {row[0] for row in rows[2:]}
    assert places == {
        "TJ-SU-ASHT",
        "TJ-SU-ASHT-PONGHOZ",
        "TJ-SU-ASHT-PONGHOZ-V01",
        "TJ-SU-ASHT-PONGHOZ-V02",
        "TJ-SU-ASHT-OSHOBA",
        "TJ-SU-ASHT-OSHOBA-V01",
    }
    assert len(rows) == 2 + 6 * 24 * 3
    table = as_dict(rows)
    assert table[("TJ-SU-ASHT", "2023-12", "abroad")]["value"] == "25"
    assert table[("TJ-SU-ASHT-PONGHOZ-V01", "2023-11", "departures")]["value"] == "11"
    district = table[("TJ-SU-ASHT", "2023-12", "abroad")]
    assert (district["country_code"], district["region_code"], district["district_code"]) == (
        "TJ",
        "TJ-SU",
        "TJ-SU-ASHT",
    )

    xlsx = client.get("/indicators/TJ-SU-ASHT/export/", {**QUERY, "format": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert xlsx_rows(body(xlsx)) == rows

    # The API endpoint answers the same file for a bearer token.
    from keyholder.testing import bearer

    api = Client().get(
        "/api/v1/indicators/export",
        {**QUERY, "place": "TJ-SU-ASHT", "format": "csv"},
        **bearer(cast.officer),
    )
    assert api.status_code == 200 and csv_rows(body(api)) == rows
    bad = client.get("/indicators/TJ-SU-ASHT/export/", {**QUERY, "format": "pdf"})
    assert bad.status_code == 400


def test_it_goes_on_over_further_sheets_past_the_row_limit(
    client: Client, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    asht(cast)
    # A sheet holds 1,048,576 rows; with the limit at 100 the same rows need several sheets.
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 100)
    client.force_login(cast.officer)
    rows = csv_rows(body(client.get("/indicators/TJ-SU-ASHT/export/", {**QUERY, "format": "csv"})))
    sheets = xlsx_sheets(
        body(client.get("/indicators/TJ-SU-ASHT/export/", {**QUERY, "format": "xlsx"}))
    )
    assert len(sheets) == -(-(len(rows) - 2) // 98)
    assert all(sheet[:2] == rows[:2] and len(sheet) <= 100 for sheet in sheets)
    assert [row for sheet in sheets for row in sheet[2:]] == rows[2:]


def test_it_filters_a_level_and_starts_with_a_bom_for_excel(client: Client, cast: Cast) -> None:
    asht(cast)
    client.force_login(cast.officer)
    answer = client.get(
        "/api/v1/indicators/export",
        {**QUERY, "place": "TJ-SU-ASHT", "format": "csv", "level": "jamoat", "bom": "true"},
    )
    data = body(answer)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(data[3:])
    assert {row[2] for row in rows[2:]} == {"jamoat"}
    assert (
        client.get("/api/v1/indicators/export", {"place": "TJ-SU-ASHT", "level": "hamlet"}).json()[
            "code"
        ]
        == "indicators.bad_level"
    )
