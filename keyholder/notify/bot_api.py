"""The few Telegram Bot API calls besides sending a message: who the bot is, whether a chat
exists, and the updates people send to the bot.

Delivery of outbox messages stays in ``channels/telegram.py``; this module serves the binding
of a chat to an account (``telegram_updates.py``) and the check of a chat id typed by hand.
"""

from __future__ import annotations

from typing import Any

import httpx
from django.conf import settings
from django.core.cache import cache

from keyholder.notify.https import tls_context

TIMEOUT_SECONDS = 20.0
# getMe's answer changes only when the bot is renamed in BotFather.
USERNAME_CACHE_SECONDS = 24 * 3600


class BotApiError(Exception):
    """A call failed. ``status`` is Telegram's HTTP status, or None when it was not reached
    (no token set, a network error)."""

    def __init__(self, detail: str, status: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status


def configured() -> bool:
    return bool(settings.TELEGRAM_BOT_TOKEN)


def call(method: str, *, http_timeout: float = TIMEOUT_SECONDS, **params: Any) -> Any:
    """Call ``method`` with JSON ``params`` and return its ``result``; raise BotApiError.

    ``http_timeout`` is ours; a ``timeout`` in ``params`` is getUpdates' own (long polling).
    """
    token = settings.TELEGRAM_BOT_TOKEN
    if not token:
        raise BotApiError("TELEGRAM_BOT_TOKEN is not set")
    url = f"{settings.TELEGRAM_API_URL.rstrip('/')}/bot{token}/{method}"
    try:
        response = httpx.post(url, json=params, timeout=http_timeout, verify=tls_context())
    except httpx.HTTPError as exc:
        # The URL holds the bot token: keep it out of logs and messages.
        raise BotApiError(f"{type(exc).__name__}: {exc}".replace(token, "<token>")) from exc
    try:
        payload = response.json()
    except ValueError:
        payload = {}
    if response.is_success and isinstance(payload, dict) and payload.get("ok") is True:
        return payload.get("result")
    description = payload.get("description") if isinstance(payload, dict) else None
    raise BotApiError(
        f"HTTP {response.status_code}: {description or response.reason_phrase}",
        status=response.status_code,
    )


def bot_username() -> str:
    """The bot's @username without the @, from the setting or getMe (cached); "" if unknown."""
    if settings.TELEGRAM_BOT_USERNAME:
        return str(settings.TELEGRAM_BOT_USERNAME)
    if not configured():
        return ""
    key = f"telegram-bot-username:{settings.TELEGRAM_BOT_TOKEN.split(':', 1)[0]}"
    username = cache.get(key)
    if username is None:
        try:
            me = call("getMe", http_timeout=5.0)
        except BotApiError:
            # The page still works without the link; ask again on the next view.
            return ""
        username = str(me.get("username", "")) if isinstance(me, dict) else ""
        if username:
            cache.set(key, username, USERNAME_CACHE_SECONDS)
    return str(username)


def chat_exists(chat_id: str) -> bool:
    """Whether the bot can write to ``chat_id`` (getChat). Raises BotApiError when Telegram
    cannot answer (not configured, unreachable, a server error)."""
    try:
        call("getChat", chat_id=chat_id, http_timeout=10.0)
    except BotApiError as exc:
        # 400 "chat not found", 403 "bot was blocked"/"not a member": the bot cannot write there.
        if exc.status in (400, 403):
            return False
        raise
    return True


def send_text(chat_id: int | str, text: str) -> None:
    """Send a short answer at once (not through the outbox): a refusal to an unknown chat."""
    call("sendMessage", chat_id=chat_id, text=text)


def get_updates(offset: int | None) -> list[dict[str, Any]]:
    """The updates after ``offset`` without waiting (the worker asks on every turn)."""
    params: dict[str, Any] = {"timeout": 0, "allowed_updates": ["message"]}
    if offset is not None:
        params["offset"] = offset
    result = call("getUpdates", **params)
    return [u for u in result if isinstance(u, dict)] if isinstance(result, list) else []
