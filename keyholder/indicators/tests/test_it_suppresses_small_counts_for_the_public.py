"""Anonymous visitors see counts under the threshold withheld and the rest rounded; officers
see exact figures of their area; an officer of another district gets 404 for Asht."""

from __future__ import annotations

from django.test import Client

from keyholder.indicators.disclosure import count_cell, round_count, share_cell
from keyholder.indicators.tests.helpers import populate
from keyholder.testing import Cast, bearer

URL = "/api/v1/indicators"


def month(body: dict, label: str) -> dict:
    return next(p for p in body["series"] if p["month"] == label)


def test_it_suppresses_and_rounds_for_anonymous_visitors(cast: Cast, client: Client) -> None:
    populate(cast)
    params = {
        "place": "TJ-SU-ASHT",
        "indicator": "abroad",
        "from": "2023-01",
        "to": "2024-06",
        "by": "children",
    }
    body = client.get(URL, params).json()
    assert body["exact"] is False
    # 25 abroad at the end of 2023 (23 of V01, 2 of V02) shows as 25; 14 in March as 15.
    assert month(body, "2023-12") == {
        "month": "2023-12",
        "value": 25,
        "suppressed": False,
        "rounded": True,
    }
    assert month(body, "2023-03")["value"] == 15
    # Only V02's 2 before March 2023: withheld.
    assert month(body, "2023-01") == {
        "month": "2023-01",
        "value": None,
        "suppressed": True,
        "rounded": False,
    }
    assert [c["place"]["code"] for c in body["children"]] == ["TJ-SU-ASHT-PONGHOZ"]
    # Public figures stop at the jamoat: Ponghoz lists no villages, and a village is not found.
    villages = client.get(URL, {**params, "place": "TJ-SU-ASHT-PONGHOZ"}).json()["children"]
    assert villages == []
    share = client.get(URL, {"place": "TJ-SU-ASHT-PONGHOZ-V02", "indicator": "share_abroad"})
    assert share.status_code == 404 and share.json()["code"] == "not_found"


def test_officers_see_exact_figures_only_in_their_area(cast: Cast, client: Client) -> None:
    populate(cast)
    params = {"place": "TJ-SU-ASHT", "indicator": "abroad", "from": "2023-12", "to": "2023-12"}
    exact = client.get(URL, params, **bearer(cast.officer)).json()
    assert exact["exact"] is True
    assert exact["series"] == [
        {"month": "2023-12", "value": 25, "suppressed": False, "rounded": False}
    ]
    share = client.get(URL, {**params, "indicator": "share_abroad"}, **bearer(cast.officer)).json()
    # 3 Umarovs were still at home: 25 of 28 residents abroad.
    assert share["series"][0]["value"] == 25 / 28
    outsider = client.get(URL, params, **bearer(cast.outsider))
    assert outsider.status_code == 404
    assert outsider.json()["code"] == "not_found"
    # The outsider sees their own district exactly: 7 is not rounded for them.
    own = client.get(URL, {**params, "place": "TJ-SU-GHAFUROV"}, **bearer(cast.outsider)).json()
    assert own["series"][0]["value"] == 7
    # A session works like a token.
    client.force_login(cast.region_officer)
    assert client.get(URL, params).json()["series"][0]["value"] == 25


def test_the_rules_of_disclosure() -> None:
    assert [round_count(v) for v in (5, 7, 8, 12, 13, 17500)] == [5, 5, 10, 10, 15, 17500]
    assert count_cell(4, exact=False).suppressed
    assert count_cell(0, exact=False).value is None
    assert count_cell(4, exact=True).value == 4
    assert share_cell(3, 100, exact=False).suppressed
    assert share_cell(23, 3, exact=False).suppressed
    assert share_cell(23, 98, exact=False).value == 25 / 100
