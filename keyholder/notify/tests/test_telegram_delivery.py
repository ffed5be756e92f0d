"""Telegram messages go to the Bot API over HTTP: a local server stands in for it and the
test reads the requests it received."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from keyholder.notify.models import MessageStatus
from keyholder.notify.services import do_queue_message
from keyholder.notify.tests.conftest import BOT_TOKEN, BotApi
from keyholder.notify.tests.helpers import queue_incident, run_worker, set_channel
from keyholder.testing import Cast


def test_it_sends_a_serious_incident_through_the_bot_api(cast: Cast, bot_api: BotApi) -> None:
    owner = set_channel(cast.owner, "telegram", "ru", telegram_chat_id="987654321")
    message = queue_incident(owner)
    assert message is not None

    run_worker()

    [request] = bot_api.requests
    assert request.path == f"/bot{BOT_TOKEN}/sendMessage"
    assert request.form["chat_id"] == "987654321"
    assert "Rudaki 7" in request.form["text"]
    assert "3 ноября 2026" in request.form["text"]
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.provider_message_id == "1000"


def test_it_sends_the_report_pdf_as_a_document(cast: Cast, bot_api: BotApi) -> None:
    owner = set_channel(cast.owner, "telegram", "en", telegram_chat_id="42")
    pdf = b"%PDF-1.4\n% report\n%%EOF\n"
    do_queue_message(
        recipient=owner,
        template="owner_report_monthly",
        context={"house": "Rudaki 7", "month": dt.date(2026, 10, 1), "link": "http://x/r/"},
        dedupe_key="owner-report:1:2026-10:1",
        attachments=[("report-2026-10.pdf", pdf, "application/pdf")],
    )

    run_worker()

    text, document = bot_api.requests
    assert text.path.endswith("/sendMessage")
    assert "October 2026" in text.form["text"]
    assert document.path == f"/bot{BOT_TOKEN}/sendDocument"
    assert document.content_type.startswith("multipart/form-data")
    assert document.form["chat_id"] == "42"
    [file_part] = [p for p in document.parts if p.get_filename()]
    assert file_part.get_filename() == "report-2026-10.pdf"
    assert file_part.get_content() == pdf


def test_it_keeps_the_bot_apis_refusal_and_does_not_retry_it(cast: Cast, bot_api: BotApi) -> None:
    owner = set_channel(cast.owner, "telegram", "tg", telegram_chat_id="1")
    bot_api.answers.append(
        (400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"})
    )
    message = queue_incident(owner)
    assert message is not None

    run_worker()
    run_worker()

    assert len(bot_api.requests) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "chat not found" in message.last_error
    assert BOT_TOKEN not in message.last_error


def test_it_waits_as_long_as_a_429_asks(cast: Cast, bot_api: BotApi) -> None:
    owner = set_channel(cast.owner, "telegram", "tg", telegram_chat_id="1")
    bot_api.answers.append(
        (
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 900",
                "parameters": {"retry_after": 900},
            },
        )
    )
    message = queue_incident(owner)
    assert message is not None
    before = timezone.now()

    run_worker()

    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING
    assert message.attempts == 1
    # 900 s, not the one-minute back-off of the first failure.
    assert message.next_attempt_at >= before + dt.timedelta(seconds=900)
    assert "Too Many Requests" in message.last_error


def test_it_treats_an_ok_false_answer_as_a_failure(cast: Cast, bot_api: BotApi) -> None:
    owner = set_channel(cast.owner, "telegram", "tg", telegram_chat_id="1")
    # Some proxies answer 200 with ok=false; that is not a delivery.
    bot_api.answers.append((200, {"ok": False, "description": "Internal Server Error"}))
    message = queue_incident(owner)
    assert message is not None

    run_worker()

    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING
    assert message.attempts == 1
    assert "Internal Server Error" in message.last_error
