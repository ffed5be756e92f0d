"""A real browser at 360 px: an enumerator uploads a clerk's file, reads the dry run, applies it.

Playwright drives Debian's Chromium against pytest-django's live server (see conftest.py's
``browser_page``); the job runs at once (the test settings' immediate task backend).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from keyholder.registry.models import ImportJob, Person
from keyholder.registry.tests.clerkfiles import write_clerk_csv
from keyholder.testing import PASSWORD, make_cast, screenshot

pytestmark = pytest.mark.browser


def test_it_uploads_checks_and_applies_a_file_on_a_360px_phone(
    transactional_db: None, live_server: Any, browser_page: Any, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    page = browser_page
    make_cast()
    path = write_clerk_csv(tmp_path / "реестр.csv", encoding="utf-16", delimiter="\t", title=True)

    page.goto(f"{live_server.url}/signin/")
    page.fill("#id_username", "enumerator")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/places/TJ-SU-ASHT-PONGHOZ-V01/")
    page.locator('nav a[href="/registry/upload/"]').click()
    page.wait_for_url("**/registry/upload/")

    page.set_input_files("#id_file", str(path))
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/registry/upload/*/")
    # The dry run, in Tajik: seven new rows, nothing written yet.
    assert page.locator("#plan li[data-outcome=create]").count() == 7
    assert page.locator('#counts tr[data-record="person"] .created').inner_text() == "2"
    assert not Person.objects.filter(given_name="Нигора").exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, tmp_path / "upload-plan-360.png")

    page.locator("main form button.primary").click()
    page.wait_for_url("**/registry/upload/*/")
    page.locator("#status", has_text="Ворид шуд").wait_for()
    assert ImportJob.objects.get().status == "done"
    assert Person.objects.get(given_name="Нигора").phone == "+992927123456"
    assert page.locator('#counts tr[data-record="event"] .created').inner_text() == "3"
    screenshot(page, tmp_path / "upload-done-360.png")
