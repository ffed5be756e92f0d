"""The Asht dashboard: monthly trend table, registry beside the official 17,500 and 24,000,
and the map of its jamoats, in Tajik, Russian and English, in a fixed number of queries."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.formats import number_format

from keyholder.indicators.tests.dashboard_setup import asht
from keyholder.testing import Cast

URL = "/indicators/TJ-SU-ASHT/"


def grouped(value: int, language: str) -> str:
    with translation.override(language):
        return number_format(value, 0, use_l10n=True, force_grouping=True)


def row_of(html: str, month: str) -> list[str]:
    found = re.search(rf'<tr><th scope="row">{month}</th>(.*?)</tr>', html)
    assert found, month
    return re.findall(r"<td>(.*?)</td>", found.group(1))


def official_block(html: str, official: str) -> str:
    blocks = re.findall(r'<li class="official-row".*?</li>', html, re.S)
    # The official value may carry a qualifier before it ("about 24,000").
    matching = [b for b in blocks if re.search(rf'class="official-value">[^<]*{official}</dd>', b)]
    assert len(matching) == 1, official
    return matching[0]


@pytest.mark.parametrize(
    ("language", "jamoat"), [("tg", "Понғоз"), ("ru", "Понгоз"), ("en", "Ponghoz")]
)
def test_it_shows_the_trend_the_official_figures_and_the_map(
    client: Client, cast: Cast, language: str, jamoat: str, django_assert_max_num_queries: Any
) -> None:
    asht(cast)
    client.force_login(cast.officer)
    client.cookies["keyholder_language"] = language
    with django_assert_max_num_queries(45):
        response = client.get(URL, {"month": "2024-07"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html

    # The monthly table: abroad, departures, returns, deportations. 12 Saidovs left in March
    # 2023, 11 Nazarovs in November; 2 Alievs have been away since 2022.
    assert row_of(html, "2023-02") == ["2", "0", "0", "0"]
    assert row_of(html, "2023-03") == ["14", "12", "0", "0"]
    assert row_of(html, "2023-11") == ["25", "11", "0", "0"]
    assert row_of(html, "2024-05") == ["28", "3", "0", "0"]
    assert 'id="chart-stock"' in html and 'id="trend-data"' in html

    # Registry beside official: 25 of 17,500 at the end of 2023, 28 of about 24,000 in July.
    december = official_block(html, grouped(17500, language))
    assert '<dd class="registry-value">25</dd>' in december
    assert "(2023-12)" in december
    july = official_block(html, grouped(24000, language))
    assert '<dd class="registry-value">28</dd>' in july and "(2024-07)" in july
    # Growth since the end of 2023: official +37 %, registry +12 %.
    assert "+37" in july and "+12" in july

    # The map: the district's outline and one shape per jamoat, with its name in the language,
    # linking to the jamoat's dashboard; the table below it has the same places.
    assert 'id="map-figure"' in html and 'class="outline"' in html
    shapes = re.findall(
        r'<a href="(/indicators/[^"]+/)" class="area [^"]*" data-code="([^"]+)"', html
    )
    assert [code for _url, code in shapes] == ["TJ-SU-ASHT-OSHOBA", "TJ-SU-ASHT-PONGHOZ"]
    assert f"<title>{jamoat}</title>" in html
    found = re.search(r'<tr data-code="TJ-SU-ASHT-PONGHOZ">(.*?)</tr>', html)
    assert found
    ponghoz = found.group(1)
    assert f">{jamoat}</a>" in ponghoz and "<td>28</td>" in ponghoz


def test_it_drills_down_to_a_village_and_refuses_an_unknown_place(
    client: Client, cast: Cast
) -> None:
    asht(cast)
    html = client.get("/indicators/TJ-SU-ASHT-PONGHOZ/").content.decode()
    # Breadcrumbs lead back up; public pages stop at the jamoat, so no village is listed.
    assert 'href="/indicators/TJ-SU-ASHT/"' in html and 'href="/indicators/TJ/"' in html
    assert 'data-code="TJ-SU-ASHT-PONGHOZ-V01"' not in html
    assert client.get("/indicators/TJ-SU-ASHT-PONGHOZ-V01/").status_code == 404
    # An officer drills down to the village: the villages are the jamoat's children.
    client.force_login(cast.officer)
    html = client.get("/indicators/TJ-SU-ASHT-PONGHOZ/").content.decode()
    assert 'data-code="TJ-SU-ASHT-PONGHOZ-V01"' in html
    village = client.get("/indicators/TJ-SU-ASHT-PONGHOZ-V01/")
    assert village.status_code == 200
    assert village.context["children"] == [] and 'id="map-figure"' not in village.content.decode()
    assert client.get("/indicators/TJ-XX-NOWHERE/").status_code == 404
    assert client.get(URL, {"month": "2024-13"}).status_code == 400
