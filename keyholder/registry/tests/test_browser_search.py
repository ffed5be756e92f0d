"""A real browser at 360 px (issue 11): the enumerator searches the village for a household
typed without the Tajik letter, and opens it from the results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from keyholder.testing import PASSWORD, make_cast, make_household, make_person

pytestmark = pytest.mark.browser


def test_the_enumerator_searches_and_opens_the_household_on_a_360px_phone(
    transactional_db: None, live_server: Any, browser_page: Any, tmp_path: Path
) -> None:
    page = browser_page
    cast = make_cast()
    rahimov = make_household(cast.village, "Раҳимов")
    jamshed = make_person(rahimov, "Ҷамшед", family_name="Раҳимов")
    for n in range(30):
        make_household(cast.village, f"Хонавода {n:02}")

    page.goto(f"{live_server.url}/signin/")
    page.fill("#id_username", "enumerator")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/places/TJ-SU-ASHT-PONGHOZ-V01/")

    # Typed as on a Russian keyboard, without "ҳ"; Enter sends the search.
    page.fill("#id_q", "рахимов")
    page.press("#id_q", "Enter")
    page.wait_for_url("**/places/TJ-SU-ASHT-PONGHOZ-V01/?q=*")
    results = page.locator("main .list a.row")
    assert results.count() == 2  # the household and its member, nothing else
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=tmp_path / "search-360.png", full_page=True)

    page.locator(f'main .list a[href="/registry/households/{rahimov.pk}/"]').click()
    page.wait_for_url(f"**/registry/households/{rahimov.pk}/")
    assert "Раҳимов" in page.locator("h1").inner_text()
    assert page.locator(f"#person-{jamshed.pk}").count() == 1
