"""The outbox: one row per message to one person, rendered when queued, sent by the worker.

A message is rendered in the recipient's language at the moment it is queued, so what is sent
is exactly what was decided inside the caller's transaction, even if the person later changes
their settings. The worker moves it through the states below; see ``keyholder/notify/outbox.py``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    # Refused for good by the channel (a bad address): retrying cannot help.
    FAILED = "failed", _("Failed")
    # Every attempt failed; the worker has given up.
    DEAD = "dead", _("Given up")


class Message(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages"
    )
    channel = models.CharField(max_length=16)
    # The address as it was when the message was queued: an email address or a chat id.
    address = models.CharField(max_length=254)
    language = models.CharField(max_length=8)
    template = models.CharField(max_length=64)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    dedupe_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(
        max_length=8, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            # The worker's two questions: what is due, and which claims are stale.
            models.Index(fields=["status", "next_attempt_at"], name="notify_due_idx"),
            models.Index(fields=["status", "claimed_at"], name="notify_claim_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.template} to {self.recipient_id} ({self.status})"


class MessageAttachment(models.Model):
    """A file sent with a message. Kept in the database so it is written in the same
    transaction as the message: a file on disk would outlive a rolled-back transaction."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    mimetype = models.CharField(max_length=100)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class ScheduledRun(models.Model):
    """A periodic job done for a period, e.g. the owner reports of 2026-10. The worker checks
    one row instead of every agreement on each loop."""

    job = models.CharField(max_length=64)
    period = models.CharField(max_length=16)
    done_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "period"], name="notify_scheduled_run_once")
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.period}"


class TelegramLink(models.Model):
    """A one-time token that binds a person's Telegram chat to their account.

    The notification page shows ``https://t.me/<bot>?start=<token>``; pressing Start in
    Telegram sends ``/start <token>`` to the bot, which sets the person's chat id. Only the
    SHA-256 of the token is stored, so a copy of the database cannot bind anybody's chat.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="telegram_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # The chat that used the token, kept for the audit of who bound what.
    chat_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"telegram link of {self.user_id}"


class TelegramUpdate(models.Model):
    """An update from the Bot API that was handled, by its ``update_id``.

    The primary key makes handling once-only: whether it came by the webhook (Telegram retries
    it when we answer late) or by ``getUpdates`` (two workers may poll at once), the second
    insert of the same id fails and the update is skipped. The highest id is also the offset
    of the next ``getUpdates``.
    """

    update_id = models.BigIntegerField(primary_key=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["update_id"]

    def __str__(self) -> str:
        return str(self.update_id)


class MailboxMessage(models.Model):
    """An email the demo kept instead of sending (``KEYHOLDER_EMAIL_BACKEND=mailbox``).

    Written by ``keyholder.notify.mailbox.MailboxBackend`` through Django's email machinery, so
    the demo goes through the same code as real SMTP; administrators read it at /notify/mailbox/.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    from_email = models.CharField(max_length=254)
    to = models.TextField()
    subject = models.CharField(max_length=255)
    language = models.CharField(max_length=8, blank=True)
    body = models.TextField()
    message_id = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.subject} to {self.to}"


class MailboxAttachment(models.Model):
    message = models.ForeignKey(
        MailboxMessage, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    mimetype = models.CharField(max_length=100)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename
