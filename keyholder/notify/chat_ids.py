"""The check of a Telegram chat id typed by hand on the notification page."""

from __future__ import annotations

import re

from keyholder.core.errors import Code, ServiceError
from keyholder.notify import bot_api

# A private chat's id is a positive number, a group's a negative one.
NUMERIC_CHAT_ID = re.compile(r"^-?\d{1,20}$")
# What a person types when they give their Telegram name instead of a chat id.
USERNAME = re.compile(r"^@?[A-Za-z][A-Za-z0-9_]{3,31}$")


def check_typed_chat_id(value: str) -> None:
    """Refuse a chat id typed by hand unless it is a number that the bot may write to.

    A user name ("@name") cannot receive a bot's messages, and a number the bot has never
    seen fails later at every send; both answers point to the "Connect Telegram" link.
    """
    if NUMERIC_CHAT_ID.match(value):
        try:
            exists = bot_api.chat_exists(value)
        except bot_api.BotApiError as exc:
            raise ServiceError(
                Code.NOTIFY_TELEGRAM_UNAVAILABLE, field="telegram_chat_id", value=value
            ) from exc
        if not exists:
            raise ServiceError(Code.NOTIFY_CHAT_NOT_FOUND, field="telegram_chat_id", value=value)
        return
    if USERNAME.match(value):
        raise ServiceError(Code.NOTIFY_CHAT_USERNAME, field="telegram_chat_id", value=value)
    raise ServiceError(Code.NOTIFY_INVALID_CHAT_ID, field="telegram_chat_id", value=value)
