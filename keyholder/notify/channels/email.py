"""Email over SMTP, through Django's mail backend (settings EMAIL_HOST, EMAIL_PORT, ...)."""

from __future__ import annotations

import smtplib
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from keyholder.notify.channels.base import BaseChannel, DeliveryError

if TYPE_CHECKING:
    from keyholder.accounts.models import User
    from keyholder.notify.models import Message


def message_id_header(message: Message) -> str:
    """A Message-ID made from the outbox id, the same on every attempt, so that a receiver
    can drop the copy that a worker crash between "accepted" and "marked sent" causes."""
    domain = urlsplit(settings.SITE_URL).hostname or "keyholder.invalid"
    return f"<{message.pk}@{domain}>"


class EmailChannel(BaseChannel):
    name = "email"

    def address_for(self, user: User) -> str:
        return user.email.strip()

    def send(self, message: Message) -> str:
        message_id = message_id_header(message)
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.address],
            # Content-Language says which language the message was rendered in (RFC 3282);
            # the demo's mailbox shows it.
            headers={"Message-ID": message_id, "Content-Language": message.language},
            connection=get_connection(fail_silently=False),
        )
        for attachment in message.attachments.all():
            email.attach(attachment.filename, bytes(attachment.content), attachment.mimetype)
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            raise DeliveryError(
                f"recipient refused: {exc.recipients}", permanent=all(c >= 500 for c in codes)
            ) from exc
        except smtplib.SMTPResponseException as exc:
            # 5xx is the server's final answer for this message; 4xx asks us to come back.
            raise DeliveryError(
                f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent=exc.smtp_code >= 500
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        return message_id
