"""What people send to the keyholder bot, received by the webhook or by ``getUpdates``.

Two ways in, one handler: on a public server Telegram posts each update to the webhook view
(``KEYHOLDER_TELEGRAM_WEBHOOK_SECRET`` set); elsewhere the worker asks ``getUpdates`` on each
turn (``poll_updates``), from the offset after the highest update handled. Each update is
recorded by its id in the same transaction as its effect (``TelegramUpdate``), so one that
comes twice (a webhook retry, two workers polling at once) is handled once.

Today the bot understands ``/start <token>``: the "Connect Telegram" link of the notification
page. Anything else gets a short answer that points to that link.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from keyholder.accounts.models import User
from keyholder.core.errors import ServiceError
from keyholder.notify import bot_api, hooks
from keyholder.notify.models import TelegramUpdate
from keyholder.notify.telegram_binding import do_bind_telegram

logger = logging.getLogger(__name__)

LANGUAGES = {"tg", "ru", "en"}


@dataclass(frozen=True)
class Reply:
    """An answer to send to a chat at once (not through the outbox: the chat may belong to
    nobody we know)."""

    chat_id: int | str
    text: str

    def as_webhook_answer(self) -> dict[str, Any]:
        # Telegram runs a method given in the webhook's answer, so no second request is made.
        return {"method": "sendMessage", "chat_id": self.chat_id, "text": self.text}


def handle_update(update: dict[str, Any]) -> Reply | None:
    """Handle one update once; returns the answer to send, if any.

    An update that fails unexpectedly is logged and still recorded, so that getUpdates moves
    past it instead of fetching it forever.
    """
    update_id = update.get("update_id")
    if not isinstance(update_id, int):
        return None
    try:
        with transaction.atomic():
            if not _record(update_id):
                return None
            return _handle_message(update.get("message"))
    except Exception:
        logger.exception("telegram update %s failed", update_id)
        _record(update_id)
        return None


def _record(update_id: int) -> bool:
    """Record ``update_id`` as handled; False if it was already."""
    try:
        with transaction.atomic():
            TelegramUpdate.objects.create(update_id=update_id)
    except IntegrityError:
        return False
    return True


def _language_of(message: dict[str, Any]) -> str:
    sender = message.get("from")
    code = sender.get("language_code", "") if isinstance(sender, dict) else ""
    code = str(code or "")[:2].lower()
    return code if code in LANGUAGES else settings.LANGUAGE_CODE


def _handle_message(message: Any) -> Reply | None:
    if not isinstance(message, dict):
        return None
    chat = message.get("chat")
    chat_id = chat.get("id") if isinstance(chat, dict) else None
    text = message.get("text")
    if not isinstance(chat_id, int) or not isinstance(text, str):
        return None
    language = _language_of(message)
    words = text.strip().split(maxsplit=1)
    # "/start@keyholder_bot TOKEN" in a group names the bot after the command.
    command = words[0].split("@", 1)[0].lower() if words else ""
    if command == "/start" and len(words) == 2:
        try:
            do_bind_telegram(words[1].strip(), chat_id)
        except ServiceError as exc:
            with translation.override(language):
                return Reply(chat_id, exc.message)
        # The "Connected" answer is in the outbox, in the person's own language.
        return None
    user = User.objects.filter(telegram_chat_id=str(chat_id), is_active=True).order_by("pk").first()
    if user is not None and command != "/start":
        # A connected person: the apps above say what their text means, in their language.
        with translation.override(user.language):
            answer = hooks.handle_text(user, text.strip())
            if answer is not None:
                return Reply(chat_id, answer)
            return Reply(
                chat_id,
                _(
                    "Write a message and it goes to your keyholder. Send /visit to ask for "
                    "an extra visit to your house."
                ),
            )
    with translation.override(language):
        return Reply(
            chat_id,
            _(
                "This is the keyholder bot. To receive your messages here, open your "
                "notification settings in keyholder and press “Connect Telegram”."
            ),
        )


def polling_enabled() -> bool:
    """Poll only with a bot and without a webhook (Telegram refuses getUpdates then)."""
    return bot_api.configured() and not settings.TELEGRAM_WEBHOOK_SECRET


def poll_updates() -> int:
    """Fetch and handle the updates since the last one handled; returns how many."""
    if not polling_enabled():
        return 0
    last = TelegramUpdate.objects.aggregate(last=Max("update_id"))["last"]
    try:
        updates = bot_api.get_updates(None if last is None else last + 1)
    except bot_api.BotApiError as exc:
        # 409: a webhook is set on Telegram's side. Either way the outbox goes on.
        logger.warning("telegram getUpdates failed: %s", exc.detail)
        return 0
    handled = 0
    for update in sorted(updates, key=lambda u: u.get("update_id", 0)):
        reply = handle_update(update)
        handled += 1
        if reply is not None:
            try:
                bot_api.send_text(reply.chat_id, reply.text)
            except bot_api.BotApiError as exc:
                logger.warning("telegram answer to %s failed: %s", reply.chat_id, exc.detail)
    return handled
