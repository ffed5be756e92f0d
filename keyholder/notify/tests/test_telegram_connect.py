"""An owner connects Telegram from the notification page: the link carries a one-time token,
pressing Start sends ``/start <token>`` to the bot, and the chat is bound, whether the update
comes by ``getUpdates`` (the worker) or by the webhook. Against the Bot API stand-in."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from pytest_django.fixtures import Settings as SettingsWrapper

from keyholder.core.errors import CATALOGUE, Code
from keyholder.notify.models import Message, TelegramLink, TelegramUpdate
from keyholder.notify.telegram_binding import do_create_telegram_link
from keyholder.notify.tests.conftest import BOT_USERNAME, BotApi
from keyholder.notify.tests.helpers import run_worker
from keyholder.testing import Cast, signed_in

URL = reverse("notify:settings")
CHAT = 7001234567
SECRET = "s3cret-webhook-secret-for-tests"


def link_token(client: Client) -> str:
    """Open the notification page and read the token of its "Connect Telegram" link."""
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    found = re.search(rf'href="https://t\.me/{BOT_USERNAME}\?start=([A-Za-z0-9_-]+)"', html)
    assert found, "no Connect Telegram link on the page"
    # The same link as a QR code, drawn on the server.
    assert "<svg" in html
    return found.group(1)


def refusal(language: str) -> str:
    with translation.override(language):
        return str(CATALOGUE[Code.NOTIFY_LINK_INVALID].message)


def test_it_binds_the_chat_by_polling_and_refuses_the_token_a_second_time(
    cast: Cast, bot_api: BotApi
) -> None:
    cast.owner.language = "ru"
    cast.owner.save()
    client = signed_in(cast.owner)
    token = link_token(client)
    # Reloading the page shows the same link, not a new token each time.
    assert link_token(client) == token
    # Only the hash is stored.
    [link] = TelegramLink.objects.filter(user=cast.owner)
    assert token not in link.token_hash

    bot_api.queue_text(CHAT, f"/start {token}")
    run_worker()

    cast.owner.refresh_from_db()
    assert (cast.owner.channel, cast.owner.telegram_chat_id) == ("telegram", str(CHAT))
    # The "Connected" answer went through the outbox, in the owner's language (Russian).
    [message] = Message.objects.filter(recipient=cast.owner, template="telegram_connected")
    assert message.status == "sent" and message.address == str(CHAT)
    [text] = bot_api.sent_texts(CHAT)
    with translation.override("ru"):
        assert gettext("Connected: you will receive messages from keyholder in this chat.") in text
    # getUpdates asked from the offset after the last update handled: nothing is fetched twice.
    polls = [c for c in bot_api.calls if c.method == "getUpdates"]
    assert "offset" not in polls[0].params
    assert polls[-1].params["offset"] == bot_api.next_update_id + 1

    # The same link pressed again (another phone) is refused, in that person's language.
    bot_api.queue_text(CHAT + 1, f"/start {token}", language_code="en")
    run_worker()

    assert bot_api.sent_texts(CHAT + 1) == [refusal("en")]
    cast.owner.refresh_from_db()
    assert cast.owner.telegram_chat_id == str(CHAT)
    # Each update was handled once.
    assert TelegramUpdate.objects.count() == 2
    run_worker()
    assert len(bot_api.requests) == 2


def test_it_refuses_an_expired_or_unknown_token(cast: Cast, bot_api: BotApi) -> None:
    token, _ = do_create_telegram_link(cast.owner)
    TelegramLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    bot_api.queue_text(CHAT, f"/start {token}", language_code="tg")
    bot_api.queue_text(CHAT, "/start not-a-token-we-ever-made-0123456789")
    bot_api.queue_text(CHAT, "hello")
    run_worker()

    cast.owner.refresh_from_db()
    assert cast.owner.telegram_chat_id == "" and cast.owner.channel == "email"
    expired, unknown, hello = bot_api.sent_texts(CHAT)
    assert expired == refusal("tg")
    assert unknown == refusal("ru")
    with translation.override("ru"):
        # Anything else points to the link, in the language of the sender's Telegram.
        assert gettext("Connect Telegram") in hello
    assert not Message.objects.exists()


@pytest.fixture
def webhook(settings: SettingsWrapper) -> str:
    settings.TELEGRAM_WEBHOOK_SECRET = SECRET
    return reverse("notify:telegram_webhook", kwargs={"secret": SECRET})


def test_it_binds_the_chat_by_the_webhook_with_the_right_secret_only(
    cast: Cast, bot_api: BotApi, webhook: str
) -> None:
    token = link_token(signed_in(cast.owner))
    update = bot_api.make_update(CHAT, f"/start {token}")
    anonymous = Client(enforce_csrf_checks=True)

    def post(path: str, secret: str | None, body: object) -> Any:
        headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
        return anonymous.post(path, body, content_type="application/json", headers=headers)

    wrong_path = reverse("notify:telegram_webhook", kwargs={"secret": "wrong-secret-0123456789"})
    answers = [
        post(webhook, "wrong-secret-0123456789", update),
        post(webhook, None, update),
        post(wrong_path, SECRET, update),
    ]
    assert [a.status_code for a in answers] == [404, 404, 404]
    cast.owner.refresh_from_db()
    assert cast.owner.telegram_chat_id == ""
    assert not TelegramUpdate.objects.exists()

    answer = post(webhook, SECRET, update)
    # Telegram retries an update it got no quick 200 for: the retry changes nothing.
    again = post(webhook, SECRET, update)

    assert (answer.status_code, again.status_code) == (200, 200)
    cast.owner.refresh_from_db()
    assert (cast.owner.channel, cast.owner.telegram_chat_id) == ("telegram", str(CHAT))
    assert Message.objects.filter(template="telegram_connected").count() == 1
    # With a webhook the worker does not poll (Telegram would refuse), and sends the answer.
    run_worker()
    assert not [c for c in bot_api.calls if c.method == "getUpdates"]
    assert len(bot_api.sent_texts(CHAT)) == 1

    # A spent token through the webhook: the refusal rides on the webhook's answer.
    replay = post(webhook, SECRET, bot_api.make_update(CHAT + 1, f"/start {token}", "en"))
    assert replay.status_code == 200
    assert replay.json() == {"method": "sendMessage", "chat_id": CHAT + 1, "text": refusal("en")}


def test_it_shows_no_link_without_a_bot(cast: Cast, settings: SettingsWrapper) -> None:
    settings.TELEGRAM_BOT_TOKEN = ""
    settings.TELEGRAM_BOT_USERNAME = ""

    page = signed_in(cast.owner).get(URL)

    assert page.status_code == 200
    assert "t.me/" not in page.content.decode()
    assert not TelegramLink.objects.exists()
