"""Who sees what on the dashboard: the public gets suppressed and rounded figures and nothing
personal; officers get exact figures within their area; an outsider gets 404 for Asht."""

from __future__ import annotations

import re

from django.test import Client

from keyholder.indicators.tests.dashboard_setup import asht
from keyholder.testing import Cast, without_tokens

URL = "/indicators/TJ-SU-ASHT/"


def trend_row(html: str, month: str) -> list[str]:
    found = re.search(rf'<tr><th scope="row">{month}</th>(.*?)</tr>', html)
    assert found
    return re.findall(r"<td>(.*?)</td>", found.group(1))


def withheld(cells: list[str]) -> list[bool]:
    return ['class="withheld"' in cell for cell in cells]


def test_it_shows_the_public_suppressed_and_rounded_figures(client: Client, cast: Cast) -> None:
    asht(cast)
    response = client.get(URL, {"month": "2024-07"})
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["exact"] is False
    # 14 abroad in March 2023 shows as 15; 12 departures as 10; zero returns are withheld
    # like 1 to 4 would be, so that blanks do not point at small cells.
    cells = trend_row(html, "2023-03")
    assert cells[:2] == ["15", "10"] and withheld(cells) == [False, False, True, True]
    # 2 abroad in February 2023 is withheld.
    assert withheld(trend_row(html, "2023-02"))[0]
    # Registry beside the official 24,000: 28 persons show as 30.
    assert re.search(r'<dd class="registry-value">30</dd>', html)
    # Public pages stop at the jamoat: Ponghoz lists no village (V02's 2 Alievs stay inside
    # Ponghoz's figures), and a village's page is not found.
    ponghoz = client.get("/indicators/TJ-SU-ASHT-PONGHOZ/", {"month": "2024-07"}).content.decode()
    assert 'data-code="TJ-SU-ASHT-PONGHOZ-V02"' not in ponghoz
    assert client.get("/indicators/TJ-SU-ASHT-PONGHOZ-V02/").status_code == 404
    # Nothing personal: no family or person names, no household links.
    for page in (without_tokens(html), without_tokens(ponghoz)):
        for name in ("Saidov", "Nazarov", "Umarov", "Aliev", "Karimov", "P0"):
            assert name not in page
        assert "/registry/" not in page


def test_it_shows_officers_exact_figures_within_their_area_only(client: Client, cast: Cast) -> None:
    asht(cast)
    for officer in (cast.officer, cast.region_officer, cast.admin):
        client.force_login(officer)
        response = client.get(URL, {"month": "2024-07"})
        assert response.status_code == 200 and response.context["exact"] is True
        assert trend_row(response.content.decode(), "2023-02") == ["2", "0", "0", "0"]
    # The district officer may not open the region's dashboard (outside the area), so the
    # breadcrumb to it is not a link; the outsider gets 404 for Asht and everything in it.
    client.force_login(cast.officer)
    html = client.get(URL).content.decode()
    assert 'href="/indicators/TJ-SU/"' not in html
    assert client.get("/indicators/TJ-SU/").status_code == 404
    client.force_login(cast.outsider)
    for url in (URL, "/indicators/TJ-SU-ASHT-PONGHOZ/", "/indicators/TJ-SU-ASHT-PONGHOZ-V01/"):
        assert client.get(url).status_code == 404
    assert client.get("/indicators/TJ-SU-GHAFUROV/").status_code == 200
