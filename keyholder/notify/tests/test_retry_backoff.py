"""When the mail server is down, the message waits with exponential back-off and is sent once
it is back; after the last attempt it is given up."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from pytest_django.fixtures import Settings

from keyholder.notify.models import Message, MessageStatus
from keyholder.notify.tests.conftest import SmtpServer, free_port, start_smtp
from keyholder.notify.tests.helpers import queue_incident, run_worker, set_channel
from keyholder.testing import Cast


def make_due(message: Message) -> None:
    # Stands for the passing of time: the back-off has run out.
    Message.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )


def test_it_backs_off_while_the_server_is_down_then_sends_once(
    cast: Cast, settings: Settings
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    # Nothing listens on this port: the connection is refused.
    settings.EMAIL_PORT = free_port()
    owner = set_channel(cast.owner, "email", "en", email="owner@example.org")
    message = queue_incident(owner)
    assert message is not None
    before = timezone.now()

    run_worker()

    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING
    assert message.attempts == 1
    assert message.next_attempt_at >= before + dt.timedelta(seconds=60)
    assert "Connection" in message.last_error
    assert message.claimed_by == ""

    server: SmtpServer = start_smtp()
    try:
        settings.EMAIL_PORT = server.port
        # Back now, but the message is not due yet: nothing is sent early.
        run_worker()
        assert server.messages == []

        make_due(message)
        run_worker()
        run_worker()

        assert len(server.messages) == 1
        message.refresh_from_db()
        assert message.status == MessageStatus.SENT
        assert message.attempts == 2
        assert message.last_error == ""
    finally:
        server.controller.stop()


def test_it_doubles_the_wait_and_gives_up_after_the_last_attempt(
    cast: Cast, settings: Settings
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_PORT = free_port()
    settings.NOTIFY_MAX_ATTEMPTS = 3
    owner = set_channel(cast.owner, "email", "en", email="owner@example.org")
    message = queue_incident(owner)
    assert message is not None

    waits = []
    for _ in range(3):
        make_due(message)
        started = timezone.now()
        run_worker()
        message.refresh_from_db()
        waits.append(round((message.next_attempt_at - started).total_seconds() / 60))

    assert waits[:2] == [1, 2]
    assert message.status == MessageStatus.DEAD
    assert message.attempts == 3
    make_due(message)
    run_worker()
    message.refresh_from_db()
    assert message.attempts == 3
