"""An enumerator's day without a connection, in a real browser at 360 px: a new household, a
person and three events recorded offline (the server stopped); when the server is back, the
possible ones arrive once and the impossible one stays on the phone with the server's Tajik
message until the enumerator fixes or discards it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation

from keyholder.core.errors import Code, ServiceError
from keyholder.field import shell
from keyholder.field.tests.browser import Server, ensure_built, sign_in
from keyholder.registry.models import Household, MigrationEvent, Person
from keyholder.testing import Cast, screenshot

pytestmark = pytest.mark.browser


def _event(page: Any, kind: str, date: dt.date, **fields: str) -> None:
    page.locator(".card a.record-event").first.click()
    page.locator("#event-form").wait_for()
    page.select_option("#event-form select[name=kind]", kind)
    page.fill("#event-form input[name=date]", date.isoformat())
    for name, value in fields.items():
        control = page.locator(f"#event-form [name={name}]")
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    page.locator("#event-form button[type=submit]").click()
    page.wait_for_selector(".flash.saved")


def test_an_enumerator_records_offline_and_the_refused_event_stays_with_its_message(
    transactional_db: None, cast: Cast, browser_page: Any, tmp_path: Path
) -> None:
    ensure_built()
    today = timezone.localdate()
    with translation.override("tg"):
        strings = shell.strings()
        refusal = ServiceError(
            Code.HISTORY_RETURN_WITHOUT_DEPARTURE, date=(today - dt.timedelta(days=5)).isoformat()
        ).message
    page = browser_page
    server = Server()
    try:
        sign_in(page, server.url, "enumerator")
        page.locator(f'a[href="#/v/{cast.village.code}"]').click()
        page.locator("#add-household").wait_for()

        page.context.set_offline(True)
        server.stop()
        page.locator("#offline").wait_for()

        page.locator("#add-household").click()
        page.fill("#household-form input[name=name]", "Назаров")
        page.locator("#household-form button[type=submit]").click()
        page.wait_for_selector(".flash.saved")
        page.locator("#add-person").click()
        page.fill("#person-form input[name=given_name]", "Фаррух")
        page.select_option("#person-form select[name=sex]", "m")
        page.fill("#person-form input[name=birth_year]", "1995")
        page.select_option("#person-form select[name=relation]", "head")
        page.locator("#person-form button[type=submit]").click()
        page.wait_for_selector(".flash.saved")

        # Only the fields of each kind are asked: a departure's country, never a ban's end.
        _event(
            page,
            "departed",
            today - dt.timedelta(days=30),
            country="RU",
            destination="Москва",
            purpose="work",
        )
        page.locator(".card a.record-event").first.click()
        page.select_option("#event-form select[name=kind]", "entry_ban")
        assert page.locator("#event-form [name=until]").count() == 1
        page.select_option("#event-form select[name=kind]", "returned")
        assert page.locator("#event-form [name=until]").count() == 0
        page.fill("#event-form input[name=date]", (today - dt.timedelta(days=10)).isoformat())
        page.select_option("#event-form select[name=country]", "RU")
        page.locator("#event-form button[type=submit]").click()
        page.wait_for_selector(".flash.saved")
        # A second return without a departure between: the server will refuse it.
        _event(page, "returned", today - dt.timedelta(days=5))
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        page.reload()
        page.wait_for_selector("body[data-ready]")
        assert "5" in page.locator("#waiting").inner_text()
        assert not Household.objects.filter(name="Назаров").exists()

        server = Server(server.port)
        page.context.set_offline(False)
        page.locator("#sync").click()
        page.wait_for_selector("#waiting a.badge.refused", timeout=30_000)
        page.locator("#sync").click()
        page.wait_for_selector("#waiting a.badge.refused", timeout=30_000)
        screenshot(page, tmp_path / "refused-360.png")

        # The refused event is still on the phone, marked, with the server's Tajik message.
        page.goto(f"{server.url}/field/#/outbox")
        item = page.locator('.outbox li[data-state="refused"]')
        item.wait_for()
        assert page.locator(".outbox li").count() == 1
        assert item.locator(".message").inner_text() == refusal
        assert page.locator("html").get_attribute("lang") == "tg"
        assert strings["fix"] in item.inner_text()
    finally:
        server.stop()

    household = Household.objects.get(name="Назаров")
    person = Person.objects.get(household=household)
    assert person.given_name == "Фаррух"
    events = list(MigrationEvent.objects.filter(person=person).order_by("date"))
    assert [(e.kind, e.country) for e in events] == [("departed", "RU"), ("returned", "RU")]
    assert events[0].destination == "Москва" and events[0].until is None
