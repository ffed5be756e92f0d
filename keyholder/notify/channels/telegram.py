"""Telegram through the Bot API over HTTPS (settings TELEGRAM_API_URL, TELEGRAM_BOT_TOKEN).

``sendMessage`` carries the text; each attachment follows with ``sendDocument`` (multipart).
The Bot API has no idempotency key: a worker that dies after Telegram accepted a message and
before marking it sent will send it again after the lease.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
from django.conf import settings

from keyholder.notify.channels.base import BaseChannel, DeliveryError
from keyholder.notify.https import tls_context

if TYPE_CHECKING:
    from keyholder.accounts.models import User
    from keyholder.notify.models import Message

# The Bot API refuses longer texts.
MAX_TEXT = 4096
TIMEOUT_SECONDS = 20.0


class TelegramChannel(BaseChannel):
    name = "telegram"

    def address_for(self, user: User) -> str:
        return user.telegram_chat_id.strip()

    def send(self, message: Message) -> str:
        token = settings.TELEGRAM_BOT_TOKEN
        if not token:
            # A configuration gap, not the message's fault: retry once it is set.
            raise DeliveryError("TELEGRAM_BOT_TOKEN is not set")
        base = f"{settings.TELEGRAM_API_URL.rstrip('/')}/bot{token}"
        text = f"{message.subject}\n\n{message.body}".strip()
        ids: list[str] = []
        with httpx.Client(timeout=TIMEOUT_SECONDS, verify=tls_context()) as client:
            for start in range(0, len(text), MAX_TEXT):
                chunk = text[start : start + MAX_TEXT]
                result = self._call(
                    client,
                    token,
                    f"{base}/sendMessage",
                    data={"chat_id": message.address, "text": chunk},
                )
                ids.append(str(result.get("message_id", "")))
            for attachment in message.attachments.all():
                result = self._call(
                    client,
                    token,
                    f"{base}/sendDocument",
                    data={"chat_id": message.address},
                    files={
                        "document": (
                            attachment.filename,
                            bytes(attachment.content),
                            attachment.mimetype,
                        )
                    },
                )
                ids.append(str(result.get("message_id", "")))
        return ",".join(ids)

    @staticmethod
    def _call(client: httpx.Client, token: str, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = client.post(url, **kwargs)
        except httpx.HTTPError as exc:
            # The URL holds the bot token: keep it out of last_error.
            raise DeliveryError(f"{type(exc).__name__}: {exc}".replace(token, "<token>")) from exc
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        if not isinstance(payload, dict):
            payload = {}
        if response.is_success and payload.get("ok") is True:
            result = payload.get("result")
            return result if isinstance(result, dict) else {}
        description = str(payload.get("description") or response.reason_phrase)
        detail = f"HTTP {response.status_code}: {description}"
        parameters = payload.get("parameters")
        retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else None
        if response.status_code == 429 or retry_after is not None:
            header = response.headers.get("Retry-After", "")
            wait = retry_after if retry_after is not None else header
            try:
                seconds = float(wait)
            except (TypeError, ValueError):
                seconds = None
            raise DeliveryError(detail, retry_after=seconds)
        # 400 (chat not found, bad request) and 403 (the bot was blocked by the person) will
        # not change by retrying; 401/404 (a wrong token) and 5xx are fixed on our side or theirs.
        raise DeliveryError(detail, permanent=response.status_code in (400, 403))
