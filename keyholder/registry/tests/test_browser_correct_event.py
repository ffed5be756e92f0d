"""A real browser at 360 px, in Tajik (issue 11): the enumerator searches the village for a
household typed without the Tajik letter, opens it from the results, and corrects an event.

The search is a plain GET form; the correction form comes into the member's card through htmx,
shows only the fields of the chosen kind as the kind changes (registry/event_form.js), and the
saved correction appears in the person's timeline with its reason.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from keyholder.registry.models import EventCorrection, MigrationEvent
from keyholder.testing import (
    PASSWORD,
    make_cast,
    make_event,
    make_household,
    make_person,
    screenshot,
)

pytestmark = pytest.mark.browser


def test_the_enumerator_finds_a_household_and_corrects_a_departure_on_a_360px_phone(
    transactional_db: None, live_server: Any, browser_page: Any, tmp_path: Path
) -> None:
    page = browser_page
    cast = make_cast()
    rahimov = make_household(cast.village, "Раҳимов")
    aziz = make_person(rahimov, "Азиз", family_name="Раҳимов", birth_year=1990)
    for n in range(30):
        make_household(cast.village, f"Хонавода {n:02}")
    departed = make_event(
        aziz, "departed", dt.date(2023, 1, 10), country="RU", destination="Moscow"
    )
    make_event(aziz, "returned", dt.date(2023, 6, 1))

    page.goto(f"{live_server.url}/signin/")
    page.fill("#id_username", "enumerator")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/places/TJ-SU-ASHT-PONGHOZ-V01/")
    assert page.locator("html").get_attribute("lang") == "tg"

    # Typed as on a Russian keyboard, without "ҳ"; Enter sends the search.
    page.fill("#id_q", "рахимов")
    page.press("#id_q", "Enter")
    page.wait_for_url("**/places/TJ-SU-ASHT-PONGHOZ-V01/?q=*")
    results = page.locator("main .list a.row")
    assert results.count() == 2  # the household and its member, nothing else
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, tmp_path / "search-360.png")
    page.locator(f'main .list a[href="/registry/households/{rahimov.pk}/"]').click()
    page.wait_for_url(f"**/registry/households/{rahimov.pk}/")
    assert "Раҳимов" in page.locator("h1").inner_text()
    with translation.override("tg"):
        correct_label = translation.gettext("Correct")
        corrected_message = translation.gettext("The event of %(name)s was corrected.") % {
            "name": aziz.full_name
        }

    item = page.locator(f"#event-{departed.pk}")
    link = item.locator("a.correct")
    assert link.inner_text() == correct_label
    page.evaluate("window.keyholderMarker = 1")
    link.click()
    form = page.locator(f"#event-{departed.pk} form")
    form.wait_for()
    # htmx brought the form in without reloading the page.
    assert page.evaluate("window.keyholderMarker") == 1
    country = form.locator("select[name$='-country']")
    until = form.locator("input[name$='-until']")
    destination = form.locator("input[name$='-destination']")
    assert country.is_visible() and destination.is_visible() and not until.is_visible()
    # With the script the "show the fields" button of pages without JavaScript is gone.
    assert form.locator("button[name=show_kind]").count() == 0

    # The fields follow the kind: a ban has its end and no destination; back to a departure.
    kind = form.locator("select[name$='-kind']")
    kind.select_option("entry_ban")
    assert until.is_visible() and not destination.is_visible()
    kind.select_option("departed")
    assert destination.is_visible() and not until.is_visible()

    form.locator("input[name$='-date']").fill("2023-02-10")
    country.select_option("KZ")
    destination.fill("Almaty")
    form.locator("input[name$='-reason']").fill("Моҳ нодуруст навишта шуда буд")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, tmp_path / "correct-360.png")
    form.locator("button[type=submit].primary").click()

    page.wait_for_url(f"**/registry/households/{rahimov.pk}/#person-{aziz.pk}")
    assert corrected_message in page.locator("main").inner_text()
    card = page.locator(f"#person-{aziz.pk}")
    assert card.locator(f"#event-{departed.pk} time").get_attribute("datetime") == "2023-02-10"
    assert card.locator(f"#event-{departed.pk} .badge.corrected").count() == 1
    assert "Моҳ нодуруст навишта шуда буд" in card.locator(".corrections").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, tmp_path / "corrected-360.png")

    departed.refresh_from_db()
    assert (departed.date, departed.country, departed.destination) == (
        dt.date(2023, 2, 10),
        "KZ",
        "Almaty",
    )
    assert EventCorrection.objects.get().reason == "Моҳ нодуруст навишта шуда буд"
    assert MigrationEvent.objects.filter(person=aziz).count() == 2
