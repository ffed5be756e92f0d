"""A real browser at 360 px draws the Asht dashboard: both trend charts (uPlot canvases) and
the map (SVG outline and jamoat shapes, no tiles), and switches the map without reloading.

Playwright drives Debian's Chromium against pytest-django's live server. Without Chromium the
test is skipped on a developer's machine; in CI (``CI`` set) a missing browser fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from keyholder.indicators.tests.dashboard_setup import asht
from keyholder.testing import make_cast, screenshot

pytestmark = pytest.mark.browser


def test_it_draws_the_charts_and_the_map_on_a_360px_phone(
    transactional_db: None, live_server: Any, browser_page: Any, tmp_path: Path
) -> None:
    page = browser_page
    asht(make_cast())
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    page.goto(f"{live_server.url}/indicators/TJ-SU-ASHT/?month=2024-07")
    page.locator("#chart-flows canvas").wait_for()
    # Residents abroad, the flows, and the chosen indicator (residents abroad by default).
    assert page.locator(".chart canvas").count() == 3
    # The legend names the month axis in the page's language (Tajik), not uPlot's "Time".
    with translation.override("tg"):
        month = translation.gettext("Month")
    legend = page.locator("#chart-stock .u-legend .u-series").first.inner_text()
    assert month in legend and "Time" not in legend
    # uPlot has drawn something on the canvas: some pixels are not transparent.
    painted = page.evaluate(
        """() => {
          const c = document.querySelector('#chart-stock canvas');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
          return n;
        }"""
    )
    assert painted > 500
    assert page.locator("#map-figure svg path.outline").count() == 1
    assert page.locator("#map-figure .area circle").count() == 2
    box = page.locator("#map-figure svg").bounding_box()
    assert box["width"] > 300 and box["height"] > 150
    # Every request went to our own server: no tiles, no CDN.
    assert all(url.startswith(live_server.url) for url in requests)
    assert errors == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.evaluate("window.keyholderMarker = 1")
    page.locator('[data-layer="vacancy_rate"]').click()
    assert "layer-vacancy_rate" in page.locator("#map-figure").get_attribute("class")
    assert page.evaluate("window.keyholderMarker") == 1
    assert page.locator(".legend-vacancy").is_visible()
    assert not page.locator(".legend-share").is_visible()
    # A place's name shows when its shape is touched or focused.
    label = page.locator("#map-figure .area .label").first
    assert not label.is_visible()
    page.locator("#map-figure .area").first.focus()
    assert label.is_visible()
    # Kept in pytest's temporary folder of this test, for a person to look at after a run.
    screenshot(page, tmp_path / "dashboard-360.png")
