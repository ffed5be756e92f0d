"""The demo's mailbox: an email backend that keeps each message in the database.

With ``KEYHOLDER_EMAIL_BACKEND=mailbox`` (``make demo`` sets it), the email channel still builds
and "sends" its message through Django's email machinery, but nothing leaves the machine: this
backend stores it as a ``MailboxMessage``, which administrators read at /notify/mailbox/. Real
SMTP stays the default everywhere else.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from email.message import EmailMessage as MimeMessage
from email.message import Message as MimePart
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import QuerySet

from keyholder.accounts.access import is_authenticated
from keyholder.core.errors import Code, ServiceError
from keyholder.notify.models import MailboxAttachment, MailboxMessage


class MailboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        count = 0
        for email in email_messages:
            with transaction.atomic():
                self._store(email)
            count += 1
        return count

    def _store(self, email: EmailMessage) -> None:
        headers = {k.lower(): str(v) for k, v in (email.extra_headers or {}).items()}
        stored = MailboxMessage.objects.create(
            from_email=str(email.from_email),
            to=", ".join(str(a) for a in email.to),
            subject=str(email.subject)[:255],
            language=headers.get("content-language", "")[:8],
            body=str(email.body),
            message_id=headers.get("message-id", "")[:255],
        )
        rows = []
        for attachment in email.attachments:
            if isinstance(attachment, (MimeMessage, MimePart)):
                payload = attachment.get_payload(decode=True)
                rows.append(
                    MailboxAttachment(
                        message=stored,
                        filename=attachment.get_filename() or "attachment",
                        content=payload if isinstance(payload, bytes) else b"",
                        mimetype=attachment.get_content_type(),
                    )
                )
                continue
            filename, content, mimetype = attachment
            data = content.encode() if isinstance(content, str) else bytes(content)
            rows.append(
                MailboxAttachment(
                    message=stored,
                    filename=filename or "attachment",
                    content=data,
                    mimetype=mimetype or "application/octet-stream",
                )
            )
        MailboxAttachment.objects.bulk_create(rows)


# Reads: the mailbox holds every person's messages, so only administrators open it; anyone else
# is told it does not exist.


def mailbox_for(user: Any) -> QuerySet[MailboxMessage]:
    if not (is_authenticated(user) and user.is_admin):
        raise ServiceError(Code.NOT_FOUND)
    return MailboxMessage.objects.all()


def get_mailbox_message(user: Any, message_id: uuid.UUID | str) -> MailboxMessage:
    found = mailbox_for(user).filter(pk=message_id).first()
    if found is None:
        raise ServiceError(Code.NOT_FOUND)
    return found
