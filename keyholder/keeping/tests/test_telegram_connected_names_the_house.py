"""The bot's "Connected" answer names the house an owner will hear about, in the owner's
language: keeping tells notify the houses through ``notify.hooks`` (notify imports no keeping)."""

from __future__ import annotations

import re

from django.urls import reverse

from keyholder.keeping.tests.conftest import STREET, Kept
from keyholder.notify.tests.conftest import BOT_USERNAME, BotApi
from keyholder.notify.tests.helpers import run_worker
from keyholder.testing import Cast, signed_in

CHAT = 7009998877


def test_the_connected_answer_names_the_owners_house(
    cast: Cast, kept: Kept, bot_api: BotApi
) -> None:
    page = signed_in(cast.owner).get(reverse("notify:settings")).content.decode()
    found = re.search(rf"t\.me/{BOT_USERNAME}\?start=([A-Za-z0-9_-]+)", page)
    assert found

    bot_api.queue_text(CHAT, f"/start {found.group(1)}", language_code="en")
    run_worker()

    [text] = bot_api.sent_texts(CHAT)
    assert f"{STREET} 12" in text
    # Tajik, the owner's language, not the English of the Telegram app.
    assert "Connected" not in text
