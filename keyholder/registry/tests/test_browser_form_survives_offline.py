"""A real browser at 360 px, in Tajik (issue 11): a correction typed while the connection is cut
is not lost. The form's fields are kept in the tab's sessionStorage as typed
(web/keep_typed.js), put back when the form page is opened again, and forgotten once saved
or when the user signs out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from keyholder.registry.models import EventCorrection
from keyholder.testing import PASSWORD, make_cast, make_event, make_household, make_person

pytestmark = pytest.mark.browser

REASON = "Санаи рафтан нодуруст навишта шуда буд"


def test_a_correction_typed_offline_comes_back_and_is_forgotten_once_saved(
    transactional_db: None, live_server: Any, browser_page: Any
) -> None:
    page = browser_page
    cast = make_cast()
    rahimov = make_household(cast.village, "Раҳимов")
    aziz = make_person(rahimov, "Азиз", family_name="Раҳимов", birth_year=1990)
    departed = make_event(aziz, "departed", dt.date(2023, 1, 10), country="RU")
    form_page = f"{live_server.url}/registry/households/{rahimov.pk}/?correct={departed.pk}"

    page.goto(f"{live_server.url}/signin/")
    page.fill("#id_username", "enumerator")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/places/**")
    assert page.locator("html").get_attribute("lang") == "tg"

    page.goto(form_page)
    form = page.locator(f"#event-{departed.pk} form")
    form.locator("input[name$='-date']").fill("2023-02-10")
    form.locator("input[name$='-reason']").fill(REASON)
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    offline = {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    network.send("Network.emulateNetworkConditions", offline)
    page.locator(f"#event-{departed.pk} form button[type=submit].primary").click()
    # Chromium shows its own offline page: the correction never reached the server.
    page.wait_for_load_state()
    assert not EventCorrection.objects.exists()
    network.send("Network.emulateNetworkConditions", {**offline, "offline": False})

    page.goto(form_page)
    form = page.locator(f"#event-{departed.pk} form")
    form.wait_for()
    page.wait_for_function(
        "(r) => document.querySelector(`input[name$='-reason']`).value === r", arg=REASON
    )
    assert form.locator("input[name$='-date']").input_value() == "2023-02-10"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.locator(f"#event-{departed.pk} form button[type=submit].primary").click()
    page.wait_for_url(f"**/registry/households/{rahimov.pk}/#person-{aziz.pk}")
    with translation.override("tg"):
        corrected = translation.gettext("The event of %(name)s was corrected.") % {
            "name": aziz.full_name
        }
    assert corrected in page.locator("main").inner_text()
    assert EventCorrection.objects.get().reason == REASON
    departed.refresh_from_db()
    assert departed.date == dt.date(2023, 2, 10)

    page.goto(form_page)
    form = page.locator(f"#event-{departed.pk} form")
    form.wait_for()
    page.wait_for_load_state("load")  # after the deferred scripts ran
    assert form.locator("input[name$='-reason']").input_value() == ""
    assert form.locator("input[name$='-date']").input_value() == "2023-02-10"

    # Typing is kept again; signing out forgets it, so the next person on this tab finds none.
    form.locator("input[name$='-reason']").fill("Навишта, вале фиристода нашуд")
    kept = "Object.keys(sessionStorage).filter((k) => k.startsWith('keyholder.keep')).length"
    assert page.evaluate(kept) == 1
    page.locator("form[data-keep-forget] button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/**")
    page.wait_for_load_state("load")
    assert page.evaluate(kept) == 0
