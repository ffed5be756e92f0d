"""In the demo (``KEYHOLDER_EMAIL_BACKEND=mailbox``) the email channel goes through Django's
email machinery into a mailbox kept in the database, which only an administrator reads."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from keyholder.notify.models import MailboxMessage, MessageStatus
from keyholder.notify.services import do_queue_message
from keyholder.notify.tests.helpers import incident_context, run_worker
from keyholder.testing import Cast, signed_in


def test_the_mailbox_keeps_each_email_for_the_administrator_only(
    cast: Cast, settings: object
) -> None:
    settings.EMAIL_BACKEND = "keyholder.notify.mailbox.MailboxBackend"  # type: ignore[attr-defined]
    owner = cast.owner
    owner.email, owner.channel, owner.language = "owner@example.invalid", "email", "ru"
    owner.save()
    message = do_queue_message(
        recipient=owner,
        template="incident_serious",
        context=incident_context(),
        dedupe_key="incident:mailbox",
        attachments=[("report.pdf", b"%PDF-1.4 demo", "application/pdf")],
    )
    assert message is not None

    run_worker()

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    [stored] = MailboxMessage.objects.all()
    assert stored.to == "owner@example.invalid" and stored.language == "ru"
    assert stored.subject == message.subject and stored.body == message.body
    assert stored.message_id == message.provider_message_id

    admin = signed_in(cast.admin)
    listing = admin.get(reverse("notify:mailbox"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert (
        "owner@example.invalid" in page
        and reverse("notify:mailbox_message", args=[stored.pk]) in page
    )
    shown = admin.get(reverse("notify:mailbox_message", args=[stored.pk]))
    assert shown.status_code == 200 and "report.pdf" in shown.content.decode()
    attachment_url = reverse("notify:mailbox_attachment", args=[stored.pk, 0])
    download = admin.get(attachment_url)
    assert download.status_code == 200 and download.content == b"%PDF-1.4 demo"
    assert admin.get(reverse("notify:mailbox_attachment", args=[stored.pk, 1])).status_code == 404

    # Anyone else: not found, as if there were no mailbox (anonymous visitors sign in first).
    for user in (cast.owner, cast.officer, cast.keyholder, cast.outsider):
        client = signed_in(user)
        assert client.get(reverse("notify:mailbox")).status_code == 404, user
        assert client.get(reverse("notify:mailbox_message", args=[stored.pk])).status_code == 404, (
            user
        )
        assert client.get(attachment_url).status_code == 404, user
    anonymous = Client().get(reverse("notify:mailbox"))
    assert anonymous.status_code == 302
