"""The dashboard reads a fixed number of queries, whatever the number of places inside."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from keyholder.indicators.store import build_all
from keyholder.indicators.tests.dashboard_setup import asht
from keyholder.places.models import PlaceKind
from keyholder.testing import Cast, make_place


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_it_reads_as_many_queries_for_ten_jamoats_as_for_two(client: Client, cast: Cast) -> None:
    asht(cast)
    client.force_login(cast.officer)
    url = "/indicators/TJ-SU-ASHT/"
    queries_for(client, url)  # the first request also loads the session and the user's areas
    before = queries_for(client, url)
    for index in range(8):
        jamoat = make_place(f"TJ-SU-ASHT-J{index}", PlaceKind.JAMOAT, cast.district)
        make_place(
            f"TJ-SU-ASHT-J{index}-V01",
            PlaceKind.VILLAGE,
            jamoat,
            latitude=40.6 + index / 50,
            longitude=70.1 + index / 50,
        )
    build_all()
    html = client.get(url).content.decode()
    assert html.count('class="area ') == 10
    assert queries_for(client, url) == before
    # Coverage (two queries) and the chosen indicator's series (one) came with issue 12.
    assert before <= 43
