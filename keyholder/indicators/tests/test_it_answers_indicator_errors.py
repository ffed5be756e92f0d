"""The indicators endpoint refuses bad requests with catalogue errors."""

from __future__ import annotations

from django.test import Client

from keyholder.indicators.tests.helpers import populate
from keyholder.testing import Cast, bearer

URL = "/api/v1/indicators"


def test_it_refuses_bad_requests(cast: Cast, client: Client) -> None:
    populate(cast)
    cases = [
        ({"place": "TJ-SU-ASHT", "indicator": "happiness"}, 400, "indicators.unknown"),
        (
            {"place": "TJ-SU-ASHT", "indicator": "abroad", "from": "2023-13"},
            400,
            "indicators.bad_month",
        ),
        (
            {"place": "TJ-SU-ASHT", "indicator": "abroad", "from": "2024-01", "to": "2023-01"},
            400,
            "indicators.bad_period",
        ),
        (
            {"place": "TJ-SU-ASHT", "indicator": "abroad", "dimension": "eyes:blue"},
            400,
            "indicators.unknown_dimension",
        ),
        (
            {"place": "TJ-SU-ASHT", "indicator": "returns", "dimension": "country:RU"},
            400,
            "indicators.unknown_dimension",
        ),
        ({"place": "TJ-SU-ASHT", "indicator": "abroad", "by": "parents"}, 400, "indicators.bad_by"),
        ({"place": "XX-NOWHERE", "indicator": "abroad"}, 404, "not_found"),
        ({"indicator": "abroad"}, 400, "invalid"),
    ]
    for params, status, code in cases:
        response = client.get(URL, params, **bearer(cast.officer))
        assert response.status_code == status, params
        assert response.json()["code"] == code, params
    bad_token = client.get(
        URL, {"place": "TJ", "indicator": "abroad"}, headers={"Authorization": "Bearer nope"}
    )
    assert bad_token.status_code == 401


def test_it_gives_breakdowns_and_the_catalogue(cast: Cast, client: Client) -> None:
    populate(cast)
    params = {"place": "TJ-SU-ASHT", "indicator": "abroad", "from": "2023-12", "to": "2023-12"}
    kz = client.get(URL, {**params, "dimension": "country:kz"}, **bearer(cast.officer)).json()
    assert kz["dimension"] == "country:KZ"
    assert kz["series"][0]["value"] == 11
    women = client.get(URL, {**params, "dimension": "sex:f"}, **bearer(cast.officer)).json()
    assert women["series"][0]["value"] == 6 + 5 + 1
    names = [i["name"] for i in client.get(f"{URL}/catalogue").json()]
    assert "vacant_houses_unkept" in names and "share_abroad" in names
