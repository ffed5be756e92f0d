"""The rules page and the migrant's own pages in a real browser on a 360 px phone, in Tajik,
Russian and English: the text is in the page's language, and nothing is wider than the phone
(Russian's long words included)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from keyholder.accounts.models import Role
from keyholder.migrant import services
from keyholder.testing import make_user, screenshot

pytestmark = pytest.mark.browser

# Elements wider than their own box, or sticking out of the 360 px viewport.
OVERFLOWS = """() => {
  const bad = [];
  for (const el of document.querySelectorAll("main *")) {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    const name = el.tagName + (el.id ? "#" + el.id : "") + "." + el.className;
    if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 && style.overflowX !== "auto")
      bad.push(name + " scroll " + el.scrollWidth + ">" + el.clientWidth);
    if (box.left < -1 || box.right > window.innerWidth + 1)
      bad.push(name + " box " + box.left + ".." + box.right);
  }
  return bad;
}"""

# A word of each language that the page must show (from the .po files).
EXPECTED = {
    "tg": {"rules": "Қоидаҳо барои шаҳрвандони Тоҷикистон дар Русия", "home": "Рӯзҳои будубош"},
    "ru": {"rules": "Правила для граждан Таджикистана в России", "home": "Дни пребывания"},
    "en": {"rules": "Rules for Tajik citizens in Russia", "home": "Days of stay"},
}


@pytest.mark.parametrize("language", ["tg", "ru", "en"])
def test_the_calendar_pages_fit_a_360px_phone(
    transactional_db: None, live_server: Any, browser_page: Any, tmp_path: Path, language: str
) -> None:
    page = browser_page
    user = make_user(f"migrant-{language}", Role.MIGRANT, language=language)
    services.do_turn_on(actor=user)
    today = dt.date.today()
    services.do_add_trip(actor=user, entered_on=today - dt.timedelta(days=120), exited_on=None)
    patent = services.do_add_patent(
        actor=user, region="RU-MOS", issued_on=today - dt.timedelta(days=100), number="77 1234567"
    )
    services.do_add_payment(
        actor=user, patent_id=patent.pk, paid_on=today - dt.timedelta(days=101), months=1
    )
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    for name, path in (
        ("rules", "/migrant/rules/?on=2025-01-20"),
        ("home", "/migrant/"),
        ("record", "/migrant/record/"),
        ("settings", "/migrant/settings/"),
    ):
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == language
        if name in EXPECTED[language]:
            assert EXPECTED[language][name] in page.content(), (language, name)
        screenshot(page, tmp_path / f"migrant-{name}-{language}.png")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, (language, name)
        assert page.evaluate(OVERFLOWS) == [], (language, name)
    # The deadlines page shows the lapsed patent and the overstay with what to do.
    page.goto(live_server.url + "/migrant/")
    assert page.locator(".flag.severe").count() >= 2
