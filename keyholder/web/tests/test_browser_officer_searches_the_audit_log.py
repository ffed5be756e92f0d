"""A real browser at 360 px: the district's officer opens the audit log from the menu, searches
for the record the enumerator read, and finds the list that showed it, nothing wider than the
phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from keyholder.accounts.models import AuditLog
from keyholder.testing import make_cast, make_person, screenshot, signed_in

pytestmark = pytest.mark.browser


def test_the_officer_finds_who_was_shown_a_person_on_a_360px_phone(
    transactional_db: None, live_server: Any, browser_page: Any, tmp_path: Path
) -> None:
    page = browser_page
    cast = make_cast()
    aziz = make_person(cast.household, "Aziz")
    # The enumerator reads the village's persons through the API: one list row naming Aziz.
    enumerator = signed_in(cast.enumerator)
    assert enumerator.get("/api/v1/persons", {"place": cast.village.code}).status_code == 200

    officer = signed_in(cast.officer)
    session = officer.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page.goto(f"{live_server.url}/places/{cast.district.code}/")
    page.locator('nav.nav a[href="/audit/"]').click()
    page.wait_for_url("**/audit/")
    page.fill("#id_object_id", str(aziz.pk))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/audit/?*")
    rows = page.locator("main li.audit-row")
    assert rows.count() == 1
    assert "enumerator" in rows.first.inner_text()
    rows.first.locator("summary").click()
    assert str(aziz.pk) in rows.first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, tmp_path / "audit-360.png")
    # The officer's search is itself in the log.
    assert AuditLog.objects.filter(user=cast.officer, object_type="audit_log").exists()
