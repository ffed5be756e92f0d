"""Writes that bind a person's Telegram chat to their account, and the check of a chat id
typed by hand.

The notification page makes a one-time token (``do_create_telegram_link``) and shows
``https://t.me/<bot>?start=<token>``. Pressing Start in Telegram sends ``/start <token>`` to
the bot; the update (webhook or getUpdates, see ``telegram_updates.py``) calls
``do_bind_telegram``, which sets the chat id and the channel and queues the "Connected" answer
in the person's language through the outbox.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from keyholder.accounts.models import AuditLog, Channel, User
from keyholder.accounts.services import audit
from keyholder.core.errors import Code, ServiceError
from keyholder.notify import bot_api
from keyholder.notify.hooks import subjects_of
from keyholder.notify.models import Message, TelegramLink
from keyholder.notify.services import do_queue_message

# Telegram's start parameter: at most 64 of A-Z a-z 0-9 _ -; 32 random bytes make 43.
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def connect_url(token: str) -> str:
    """The "Connect Telegram" link for ``token``, or "" when the bot's name is unknown."""
    username = bot_api.bot_username()
    return f"https://t.me/{username}?start={token}" if username else ""


@transaction.atomic
def do_create_telegram_link(user: User) -> tuple[str, dt.datetime]:
    """Make a one-time token for ``user``; returns it (shown once, stored hashed) and when it
    expires. Earlier tokens stay usable until they expire: a QR code already printed works."""
    token = secrets.token_urlsafe(32)
    expires_at = timezone.now() + dt.timedelta(hours=settings.TELEGRAM_LINK_HOURS)
    link = TelegramLink.objects.create(
        user=user, token_hash=hash_token(token), expires_at=expires_at
    )
    audit(user, AuditLog.Action.CREATE, "telegram_link", link.pk)
    return token, expires_at


def link_is_usable(token: str) -> bool:
    """Whether ``token`` would still bind a chat (the page reuses a token it showed before)."""
    return TelegramLink.objects.filter(
        token_hash=hash_token(token), used_at__isnull=True, expires_at__gt=timezone.now()
    ).exists()


@transaction.atomic
def do_bind_telegram(token: str, chat_id: int | str) -> tuple[User, Message | None]:
    """Bind ``chat_id`` to the owner of ``token`` and queue the "Connected" answer.

    The token is spent by a conditional update that only one caller can win, so the same
    ``/start`` handled twice (a webhook retry beside a poll) binds once. A used, expired or
    unknown token is refused with ``notify.link_invalid``.
    """
    now = timezone.now()
    link = (
        TelegramLink.objects.select_related("user").filter(token_hash=hash_token(token)).first()
        if TOKEN.match(token)
        else None
    )
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise ServiceError(Code.NOTIFY_LINK_INVALID, field="token")
    won = TelegramLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
        used_at=now, chat_id=str(chat_id)
    )
    if not won:
        raise ServiceError(Code.NOTIFY_LINK_INVALID, field="token")
    user = link.user
    user.telegram_chat_id = str(chat_id)
    user.channel = Channel.TELEGRAM
    user.save(update_fields=["telegram_chat_id", "channel"])
    audit(
        None,
        AuditLog.Action.UPDATE,
        "user",
        user.pk,
        fields=["telegram_chat_id", "channel"],
        by="telegram_link",
        link=link.pk,
    )
    message = do_queue_message(
        recipient=user,
        template="telegram_connected",
        context={
            "subjects": subjects_of(user),
            "link": settings.SITE_URL.rstrip("/") + reverse("notify:settings"),
        },
        dedupe_key=f"telegram-connected:{link.pk}",
    )
    return user, message
