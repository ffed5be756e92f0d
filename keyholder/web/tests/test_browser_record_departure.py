"""A real browser at 360 px: sign in, walk down to a village, record a departure.

Playwright drives Debian's Chromium (``/usr/bin/chromium``, installed by ``.ci/run``) against
pytest-django's live server. Without Chromium the test is skipped on a developer's machine,
but in CI (``CI`` set) a missing browser is a failure, never a silent skip.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from keyholder.registry.models import MigrationEvent
from keyholder.testing import PASSWORD, make_cast, make_event, make_person, screenshot

pytestmark = pytest.mark.browser


def test_it_records_a_departure_through_the_form_on_a_360px_phone(
    transactional_db: None, live_server: Any, browser_page: Any, tmp_path: Path
) -> None:
    # The screenshots stay in pytest's temporary folder of this test, to look at after a run.
    page = browser_page
    cast = make_cast()
    aziz = make_person(cast.household, "Aziz")
    nigina = make_person(cast.household, "Nigina", sex="f", relation="spouse")
    make_event(
        nigina,
        "departed",
        timezone.localdate() - dt.timedelta(days=400),
        country="RU",
        destination="Tver",
    )
    when = (timezone.localdate() - dt.timedelta(days=3)).isoformat()

    page.goto(f"{live_server.url}/signin/")
    assert page.locator("html").get_attribute("lang") == "tg"
    page.fill("#id_username", "enumerator")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/places/TJ-SU-ASHT-PONGHOZ-V01/")

    # Walk down from the district as a user would: tap the jamoat, then the village.
    page.goto(f"{live_server.url}/places/TJ-SU-ASHT/")
    page.locator('main .list a[href="/places/TJ-SU-ASHT-PONGHOZ/"]').click()
    page.wait_for_url("**/places/TJ-SU-ASHT-PONGHOZ/")
    page.locator('main .list a[href="/places/TJ-SU-ASHT-PONGHOZ-V01/"]').click()
    page.wait_for_url("**/places/TJ-SU-ASHT-PONGHOZ-V01/")
    assert page.locator("h1 .badge.sample").count() == 1
    # Nothing on the village page may be wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, tmp_path / "village-360.png")

    page.locator(f'main .list a[href="/registry/households/{cast.household.pk}/"]').click()
    page.wait_for_url(f"**/registry/households/{cast.household.pk}/")
    card = page.locator(f"#person-{aziz.pk}")
    assert card.locator(".status").get_attribute("data-state") == "present"
    # With htmx loaded the form comes into the card without reloading the page (the marker
    # survives); without JavaScript the same link opens the page with the form.
    assert page.evaluate("typeof htmx") == "object"
    page.evaluate("window.keyholderMarker = 1")
    card.locator("a.record").click()
    page.wait_for_url(f"**/registry/households/{cast.household.pk}/?record={aziz.pk}*")
    form = card.locator("form")
    form.wait_for()
    assert page.evaluate("window.keyholderMarker") == 1
    form.locator("select[name$='-kind']").select_option("departed")
    form.locator("input[name$='-date']").fill(when)
    form.locator("select[name$='-country']").select_option("RU")
    form.locator("input[name$='-destination']").fill("Yekaterinburg")
    form.locator("select[name$='-purpose']").select_option("work")
    screenshot(page, tmp_path / "form-360.png")
    form.locator("button[type=submit]").click()

    page.wait_for_url(f"**/registry/households/{cast.household.pk}/#person-{aziz.pk}")
    status = page.locator(f"#person-{aziz.pk} .status")
    assert status.get_attribute("data-state") == "abroad"
    assert "Yekaterinburg" in status.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    event = MigrationEvent.objects.get(person=aziz)
    assert (event.kind, event.country, event.date.isoformat()) == ("departed", "RU", when)
    screenshot(page, tmp_path / "household-360.png")
