"""A keyholder's day without a connection, in a real browser at 360 px: sign in, go offline
(the server stops too), record two visits with photos and an incident, reload the page
offline, and when the server is back every record arrives once, with the owner's alert
queued once and photos without EXIF."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from PIL import Image

from keyholder.field import shell
from keyholder.field.tests.browser import Server, ensure_built, sign_in, sync_until_empty
from keyholder.field.tests.conftest import FieldDay
from keyholder.keeping.models import Incident, Photo, Visit
from keyholder.notify.models import Message
from keyholder.testing import Cast, jpeg, screenshot

pytestmark = pytest.mark.browser


def _photo(page: Any) -> None:
    before = page.locator("input[name=photos] + small").inner_text()
    page.set_input_files(
        "input[name=photos]",
        files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}],
    )
    page.wait_for_function(
        "(b) => document.querySelector('input[name=photos] + small').textContent !== b",
        arg=before,
    )


def test_a_keyholder_records_a_day_offline_and_every_record_arrives_once(
    transactional_db: None, field_day: FieldDay, cast: Cast, browser_page: Any, tmp_path: Path
) -> None:
    ensure_built()
    with translation.override("tg"):
        strings = shell.strings()
    page = browser_page
    server = Server()
    agreement = str(field_day.agreement.pk)
    try:
        sign_in(page, server.url, "keyholder")
        assert page.locator("html").get_attribute("lang") == "tg"
        page.locator(f'a.task[href="#/a/{agreement}"]').first.wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, tmp_path / "today-360.png")

        # No signal: the phone is offline and the server is gone too.
        page.context.set_offline(True)
        server.stop()
        page.locator("#offline").wait_for()

        # A round: every check fine, a photo.
        page.locator(f'a.task[href="#/a/{agreement}"]').first.click()
        page.locator("#record-visit").click()
        page.locator("#visit-form").wait_for()
        for box in page.locator(".check .ok input").all():
            box.check()
        _photo(page)
        screenshot(page, tmp_path / "visit-360.png")
        page.locator("#visit-form button[type=submit]").click()
        page.wait_for_selector(".flash.saved")

        # A second visit finds signs of entry: it needs a note and a photo before it is kept.
        page.goto(f"{server.url}/field/#/a/{agreement}/visit")
        page.locator("#visit-form").wait_for()
        for box in page.locator(".check .ok input").all():
            box.check()
        page.locator('.check[data-key="no_signs_of_entry"] .bad input').check()
        page.locator("#visit-form button[type=submit]").click()
        assert page.locator("#visit-form .flash.error").inner_text() == strings["failed_needs_note"]
        page.fill("#visit-form textarea[name=notes]", "Дари ҳавлӣ шикаста.")
        page.locator("#visit-form button[type=submit]").click()
        assert (
            page.locator("#visit-form .flash.error").inner_text() == strings["failed_needs_photo"]
        )
        _photo(page)
        page.locator("#visit-form button[type=submit]").click()
        page.wait_for_selector(".flash.saved")

        # An incident with a photo.
        page.locator("#report-incident").click()
        page.locator("#incident-form").wait_for()
        page.select_option("#incident-form select[name=kind]", "leak")
        page.select_option("#incident-form select[name=severity]", "minor")
        page.fill("#incident-form textarea[name=notes]", "Қубур чакида истодааст.")
        _photo(page)
        page.locator("#incident-form button[type=submit]").click()
        page.wait_for_selector(".flash.saved")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        # Reloaded offline, the app opens from the service worker, the records still waiting:
        # three records and the two photos sent after their record.
        page.reload()
        page.wait_for_selector("body[data-ready]")
        assert page.locator("#offline").is_visible()
        assert "5" in page.locator("#waiting").inner_text()
        assert Visit.objects.count() == 0 and Incident.objects.count() == 0
        screenshot(page, tmp_path / "offline-reload-360.png")

        # The server is back on the same address; the phone finds a connection.
        server = Server(server.port)
        page.context.set_offline(False)
        sync_until_empty(page, strings["waiting_none"])
        # A second sync sends nothing again.
        sync_until_empty(page, strings["waiting_none"])
    finally:
        server.stop()

    visits = list(Visit.objects.order_by("checked_in_at"))
    assert len(visits) == 2
    assert [v.photos.count() for v in visits] == [1, 1]
    assert visits[1].checklist["no_signs_of_entry"] is False
    # The reported incident and the serious one the failed check raised.
    assert Incident.objects.count() == 2
    reported = Incident.objects.get(kind="leak")
    assert reported.photos.count() == 1
    # The owner hears of the break-in once, and of each visit once.
    owner_messages = Message.objects.filter(recipient=cast.owner)
    assert owner_messages.filter(template="incident_serious").count() == 1
    assert owner_messages.filter(template="visit_report").count() == 2
    for photo in Photo.objects.all():
        with photo.image.open("rb") as handle:
            image = Image.open(io.BytesIO(handle.read()))
            assert max(image.size) <= 1600
            assert not image.getexif(), "a photo kept its EXIF"
