"""Officers enter official figures with their source; the reconciliation puts the registry's
figures beside them, with coverage, gap and growth (Asht: +37% from end-2023 to July 2024)."""

from __future__ import annotations

import pytest
from django.test import Client

from keyholder.indicators.tests.helpers import populate
from keyholder.places.models import OfficialFigure
from keyholder.testing import Cast, bearer

URL = "/api/v1/official-figures"


def figure(**extra: str) -> dict[str, str]:
    body = {
        "place": "TJ-SU-ASHT",
        "indicator": "residents_in_labour_migration",
        "value": "17500",
        "as_of": "2023-12-31",
        "source": "Migration Service office, Sughd province",
        "unit": "persons",
    }
    body.update(extra)
    return body


def test_officers_enter_official_figures_in_their_area(cast: Cast, client: Client) -> None:
    created = client.post(URL, figure(), content_type="application/json", **bearer(cast.officer))
    assert created.status_code == 201
    assert created.json()["value"] == 17500
    assert OfficialFigure.objects.get().entered_by == cast.officer
    again = client.post(URL, figure(), content_type="application/json", **bearer(cast.admin))
    assert (again.status_code, again.json()["code"]) == (409, "official.duplicate")
    refused = [
        (figure(value="-3"), cast.officer, 400, "invalid.field"),
        (figure(indicator="Bad Name!"), cast.officer, 400, "invalid.field"),
        (figure(as_of="2999-01-01"), cast.officer, 400, "official.date_in_future"),
        (figure(source=" "), cast.officer, 400, "invalid.field"),
        (figure(source_url="javascript:alert(1)"), cast.officer, 400, "invalid.field"),
        (figure(as_of="2024-07-15"), cast.outsider, 404, "not_found"),
        (figure(place="TJ-SU-ASHT-PONGHOZ-V01"), cast.enumerator, 403, "auth.forbidden"),
    ]
    for body, user, status, code in refused:
        response = client.post(URL, body, content_type="application/json", **bearer(user))
        assert (response.status_code, response.json()["code"]) == (status, code), body
    anonymous = client.post(URL, figure(as_of="2024-07-15"), content_type="application/json")
    assert anonymous.status_code == 401
    assert OfficialFigure.objects.count() == 1
    listed = client.get(URL, {"place": "TJ-SU-ASHT"}).json()
    assert [f["source"] for f in listed] == ["Migration Service office, Sughd province"]


def test_it_reconciles_the_registry_with_official_figures(cast: Cast, client: Client) -> None:
    populate(cast)
    for body in (
        figure(),
        figure(value="24000", as_of="2024-07-15", qualifier="about", period="2024-07"),
    ):
        client.post(URL, body, content_type="application/json", **bearer(cast.officer))
    params = {"place": "TJ-SU-ASHT", "on": "2024-08-01"}
    exact = client.get("/api/v1/reconciliation", params, **bearer(cast.officer)).json()
    [row] = exact["comparisons"]
    assert row["official"] == 24000 and row["previous_official"] == 17500
    assert row["official_growth"] == pytest.approx(24000 / 17500 - 1)
    assert round(row["official_growth"] * 100) == 37
    # The registry: 25 abroad at the end of 2023, 28 at the end of July 2024.
    assert row["registry"]["value"] == 28
    assert row["coverage"] == pytest.approx(28 / 24000)
    assert row["gap"] == 24000 - 28
    assert row["registry_growth"] == pytest.approx(28 / 25 - 1)
    earlier = client.get(
        "/api/v1/reconciliation", {**params, "on": "2024-01-10"}, **bearer(cast.officer)
    )
    [row] = earlier.json()["comparisons"]
    assert (row["official"], row["registry"]["value"], row["previous_official"]) == (
        17500,
        25,
        None,
    )
    public = client.get("/api/v1/reconciliation", params).json()
    assert public["exact"] is False
    assert public["comparisons"][0]["registry"]["value"] == 30
    outsider = client.get("/api/v1/reconciliation", params, **bearer(cast.outsider))
    assert outsider.status_code == 404


def test_a_mid_month_figure_is_compared_on_its_very_day(cast: Cast, client: Client) -> None:
    populate(cast)
    # The 3 Umarovs left on 20 May 2024: 25 abroad on the 15th, 28 at the end of May.
    body = figure(value="30", as_of="2024-05-15", indicator="abroad", source="Survey")
    client.post(URL, body, content_type="application/json", **bearer(cast.officer))
    params = {"place": "TJ-SU-ASHT", "on": "2024-05-31"}
    found = client.get("/api/v1/reconciliation", params, **bearer(cast.officer)).json()
    [row] = found["comparisons"]
    assert row["registry"]["value"] == 25
    assert row["coverage"] == pytest.approx(25 / 30)
