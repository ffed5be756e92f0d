"""Writes for notifications: queue a message, change a person's notification settings."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from keyholder.accounts.models import AuditLog, Channel, User, VisitReports
from keyholder.accounts.services import audit
from keyholder.core.errors import Code, ServiceError
from keyholder.notify.channels import CHANNELS
from keyholder.notify.chat_ids import check_typed_chat_id
from keyholder.notify.models import Message, MessageAttachment, MessageStatus
from keyholder.notify.rendering import render_message

logger = logging.getLogger(__name__)

LANGUAGES = {"tg", "ru", "en"}


def address_of(user: User) -> str:
    """Where ``user`` receives messages in their chosen channel, or "" if nowhere."""
    channel = CHANNELS.get(user.channel)
    return channel().address_for(user) if channel is not None else ""


def do_queue_message(
    *,
    recipient: User,
    template: str,
    context: dict[str, Any],
    dedupe_key: str,
    attachments: list[tuple[str, bytes, str]] | None = None,
) -> Message | None:
    """Queue one message for ``recipient`` in their channel and language.

    Idempotent by ``dedupe_key``: a second call with the same key returns the message the first
    call queued and queues nothing. Runs inside the caller's transaction, so the message exists
    only if the caller's work commits; the worker sends only committed messages. Returns None
    when the person receives no messages (channel "none", or no address for their channel).
    """
    existing = Message.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    address = address_of(recipient)
    if recipient.channel == Channel.NONE or not address:
        if recipient.channel != Channel.NONE:
            logger.warning(
                "user %s chose %s but has no address there; %s not queued",
                recipient.pk,
                recipient.channel,
                dedupe_key,
            )
        return None
    language = recipient.language if recipient.language in LANGUAGES else "tg"
    # Rendering first: a template error must fail the caller now, not the worker later.
    subject, body = render_message(template, language, context)
    try:
        # A savepoint, so that losing a race to another transaction with the same key leaves
        # the caller's transaction usable.
        with transaction.atomic():
            message = Message.objects.create(
                recipient=recipient,
                channel=recipient.channel,
                address=address,
                language=language,
                template=template,
                subject=subject[:255],
                body=body,
                dedupe_key=dedupe_key,
            )
            MessageAttachment.objects.bulk_create(
                MessageAttachment(message=message, filename=name, content=content, mimetype=mime)
                for name, content, mime in attachments or []
            )
    except IntegrityError:
        return Message.objects.get(dedupe_key=dedupe_key)
    audit(None, AuditLog.Action.CREATE, "message", message.pk, template=template)
    return message


@transaction.atomic
def do_update_notification_settings(
    user: User,
    *,
    channel: str,
    language: str,
    email: str,
    telegram_chat_id: str,
    visit_reports: str | None = None,
) -> User:
    """Set how ``user`` receives messages. Only the person themselves calls this.

    ``visit_reports`` (every visit, a weekly digest or problems only) is left as it is when
    not given.
    """
    email = email.strip()
    telegram_chat_id = telegram_chat_id.strip()
    if channel not in Channel.values:
        raise ServiceError(Code.INVALID_FIELD, field="channel", detail=channel)
    if language not in LANGUAGES:
        raise ServiceError(Code.INVALID_FIELD, field="language", detail=language)
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ServiceError(Code.NOTIFY_INVALID_EMAIL, field="email", value=email) from exc
    if telegram_chat_id and telegram_chat_id != user.telegram_chat_id:
        # A new chat id typed by hand is asked of Telegram (getChat); the one the bot bound
        # ("Connect Telegram") is saved again as it is.
        check_typed_chat_id(telegram_chat_id)
    # A form without the choice (an older page, an API client) leaves it as it is.
    visit_reports = visit_reports or None
    if visit_reports is not None and visit_reports not in VisitReports.values:
        raise ServiceError(Code.INVALID_FIELD, field="visit_reports", detail=visit_reports)
    if channel == Channel.EMAIL and not email:
        raise ServiceError(Code.NOTIFY_EMAIL_REQUIRED, field="email")
    if channel == Channel.TELEGRAM and not telegram_chat_id:
        raise ServiceError(Code.NOTIFY_CHAT_ID_REQUIRED, field="telegram_chat_id")
    user.channel = channel
    user.language = language
    user.email = email
    user.telegram_chat_id = telegram_chat_id
    fields = ["channel", "language", "email", "telegram_chat_id"]
    if visit_reports is not None:
        user.visit_reports = visit_reports
        fields.append("visit_reports")
    user.save(update_fields=fields)
    audit(user, AuditLog.Action.UPDATE, "user", user.pk, fields=fields)
    return user


def do_queue_test_message(user: User, *, link: str) -> Message | None:
    """Queue a test message to ``user`` in their channel, unless one is still on its way:
    pressing the button twice sends one message."""
    with transaction.atomic():
        waiting = Message.objects.filter(
            recipient=user,
            template="test_message",
            status__in=[MessageStatus.PENDING, MessageStatus.SENDING],
        ).first()
        if waiting is not None:
            return waiting
        return do_queue_message(
            recipient=user,
            template="test_message",
            context={"sent_on": timezone.localtime(), "link": link},
            dedupe_key=f"test:{user.pk}:{uuid.uuid4()}",
        )
