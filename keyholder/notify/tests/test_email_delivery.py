"""A serious incident reaches the owner by email through a real SMTP server, in their
language, with a Message-ID made from the outbox id; the monthly report carries its PDF."""

from __future__ import annotations

import datetime as dt

from keyholder.notify.models import Message, MessageStatus
from keyholder.notify.services import do_queue_message
from keyholder.notify.tests.conftest import SmtpServer
from keyholder.notify.tests.helpers import queue_incident, run_worker, set_channel
from keyholder.testing import Cast


def test_it_emails_a_serious_incident_in_the_owners_language(
    cast: Cast, smtp_server: SmtpServer
) -> None:
    owner = set_channel(cast.owner, "email", "ru", email="owner@example.org")
    message = queue_incident(owner)
    assert message is not None and message.status == MessageStatus.PENDING
    # Nothing leaves before the worker runs.
    assert smtp_server.messages == []

    run_worker()

    [received] = smtp_server.messages
    assert received["To"] == "owner@example.org"
    assert received["Message-ID"] == f"<{message.pk}@127.0.0.1>"
    assert "Rudaki 7" in received["Subject"]
    body = received.get_content()
    # The date is written by Django's own Russian catalogue: proof the language was active.
    assert "3 ноября 2026" in body
    assert "The back door was forced." in body
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    assert message.provider_message_id == received["Message-ID"]


def test_it_writes_each_owner_in_their_own_language(cast: Cast, smtp_server: SmtpServer) -> None:
    set_channel(cast.owner, "email", "en", email="en@example.org")
    set_channel(cast.keyholder, "email", "tg", email="tg@example.org")
    queue_incident(cast.owner, key="incident:en")
    queue_incident(cast.keyholder, key="incident:tg")

    run_worker()

    bodies = {m["To"]: m.get_content() for m in smtp_server.messages}
    assert "3 November 2026" in bodies["en@example.org"]
    assert "November" not in bodies["tg@example.org"]
    assert "2026" in bodies["tg@example.org"]
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 2


def test_it_attaches_the_monthly_report_pdf(cast: Cast, smtp_server: SmtpServer) -> None:
    owner = set_channel(cast.owner, "email", "ru", email="owner@example.org")
    pdf = b"%PDF-1.4\n% a stand-in report\n%%EOF\n"
    do_queue_message(
        recipient=owner,
        template="owner_report_monthly",
        context={"house": "Rudaki 7", "month": dt.date(2026, 10, 1), "link": "http://x/r/"},
        dedupe_key="owner-report:1:2026-10:1",
        attachments=[("report-2026-10.pdf", pdf, "application/pdf")],
    )

    run_worker()

    [received] = smtp_server.messages
    assert "Октябрь 2026" in received["Subject"]
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename() == "report-2026-10.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == pdf
