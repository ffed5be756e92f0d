"""Every message template renders in every language, as plain text."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from keyholder.notify.rendering import render_message
from keyholder.notify.tests.helpers import incident_context

CONTEXTS: dict[str, dict[str, Any]] = {
    "incident_serious": incident_context(house="Karimov & sons"),
    "owner_report_monthly": {
        "house": "Karimov & sons",
        "month": dt.date(2026, 10, 1),
        "link": "http://127.0.0.1:8000/r/?a=1&b=2",
    },
    "telegram_connected": {
        "subjects": ["Karimov & sons", "Rudaki 7"],
        "link": "http://127.0.0.1:8000/notify/?a=1&b=2",
    },
    "test_message": {
        "sent_on": dt.datetime(2026, 11, 3, 9, 30, tzinfo=dt.UTC),
        "link": "http://127.0.0.1:8000/notify/?a=1&b=2",
    },
}


@pytest.mark.parametrize("language", ["tg", "ru", "en"])
@pytest.mark.parametrize("template", sorted(CONTEXTS))
def test_it_renders_each_template_in_each_language(template: str, language: str) -> None:
    subject, body = render_message(template, language, CONTEXTS[template])

    assert subject and "\n" not in subject
    assert body.strip()
    # Plain text: nothing is HTML-escaped.
    assert "&amp;" not in subject + body
    assert "{" not in subject + body


def test_it_takes_the_incident_date_as_a_date_or_as_text() -> None:
    _subject, from_date = render_message("incident_serious", "en", incident_context())
    _subject, from_text = render_message(
        "incident_serious", "en", incident_context(date="2026-11-03")
    )

    assert "3 November 2026" in from_date
    assert "2026-11-03" in from_text
