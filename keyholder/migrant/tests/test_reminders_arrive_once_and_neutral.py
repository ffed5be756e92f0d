"""Reminders 7, 3 and 1 days before a deadline reach the migrant once, through the outbox, on
their channel and in their language, with neutral text unless they asked for detail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from keyholder.accounts.models import Role
from keyholder.migrant import services
from keyholder.migrant.reminders import queue_reminders
from keyholder.notify.models import Message

# The real local SMTP server and the Telegram stand-in of the notification tests.
from keyholder.notify.tests.conftest import BotApi, SmtpServer, bot_api, smtp_server
from keyholder.notify.tests.helpers import run_worker
from keyholder.testing import make_user

pytestmark = pytest.mark.django_db
__all__ = ["bot_api", "smtp_server"]  # fixtures used by name


def migrant(username: str, **extra: Any) -> Any:
    user = make_user(username, Role.MIGRANT, language="tg", **extra)
    services.do_turn_on(actor=user)
    # The treaty's 15 days after entry: the registration deadline falls in 3 days.
    entered = timezone.localdate() - dt.timedelta(days=12)
    services.do_add_trip(actor=user, entered_on=entered, exited_on=None)
    return user


def test_a_reminder_reaches_smtp_and_telegram_once_in_tajik_and_neutral(
    smtp_server: SmtpServer, bot_api: BotApi
) -> None:
    by_mail = migrant("m1", email="m1@example.org", channel="email")
    by_bot = migrant("m2", channel="telegram", telegram_chat_id="424242")

    run_worker()
    run_worker()  # a second turn the same day queues nothing again
    queue_reminders(timezone.localdate())

    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert mail["To"] == by_mail.email
    assert mail["Content-Language"] == "tg"
    assert str(mail["Subject"]).strip() == "keyholder: мӯҳлат пас аз 3 рӯз"
    body = mail.get_content()
    assert "Мӯҳлат пас аз 3 рӯз: keyholder-ро кушоед." in body
    texts = bot_api.sent_texts(by_bot.telegram_chat_id)
    assert len(texts) == 1 and "Мӯҳлат пас аз 3 рӯз" in texts[0]
    # Neutral: nothing names the deadline, on the lock screen or in the outbox's keys.
    for text in (mail["Subject"], body, texts[0]):
        assert "бақайдгирӣ" not in text.lower() and "registration" not in text.lower()
    assert all("registration" not in m.dedupe_key for m in Message.objects.all())
    assert Message.objects.filter(template="migrant_deadline").count() == 2


def test_detailed_reminders_name_the_deadline_when_asked(smtp_server: SmtpServer) -> None:
    user = migrant("m3", email="m3@example.org", channel="email")
    services.do_update_settings(actor=user, detailed_reminders=True)
    queue_reminders(timezone.localdate())
    run_worker()
    assert "Бақайдгирии муҳоҷиратӣ" in smtp_server.messages[0].get_content()


def test_reminders_fall_on_7_3_and_1_days_before() -> None:
    user = make_user("m4", Role.MIGRANT, language="ru", email="m4@example.org")
    services.do_turn_on(actor=user)
    entered = dt.date(2026, 3, 2)  # registration due 17.03 (treaty)
    services.do_add_trip(actor=user, entered_on=entered, exited_on=None)
    days = {}
    for offset in range(0, 16):
        day = entered + dt.timedelta(days=offset)
        before = Message.objects.count()
        queue_reminders(day)
        queue_reminders(day)  # the same day again: nothing new
        days[day] = Message.objects.count() - before
    assert {d.day: n for d, n in days.items() if n} == {10: 1, 14: 1, 16: 1}
