"""Queueing is idempotent by dedupe key, and a person who chose no messages gets none."""

from __future__ import annotations

from django.db import transaction

from keyholder.notify.models import Message
from keyholder.notify.tests.conftest import SmtpServer
from keyholder.notify.tests.helpers import queue_incident, run_worker, set_channel
from keyholder.testing import Cast


def test_it_queues_nothing_for_a_second_call_with_the_same_key(
    cast: Cast, smtp_server: SmtpServer
) -> None:
    owner = set_channel(cast.owner, "email", "en", email="owner@example.org")
    first = queue_incident(owner, key="incident:7")
    second = queue_incident(owner, key="incident:7", notes="Resent by the phone.")

    assert first is not None and second is not None
    assert second.pk == first.pk
    assert Message.objects.count() == 1
    run_worker()
    # Even after it was sent, the same key queues nothing again.
    assert queue_incident(owner, key="incident:7") == first
    run_worker()
    assert len(smtp_server.messages) == 1


def test_it_sends_nothing_to_a_person_who_chose_no_messages(
    cast: Cast, smtp_server: SmtpServer
) -> None:
    owner = set_channel(cast.owner, "none", "ru", email="owner@example.org")

    assert queue_incident(owner) is None

    run_worker()
    assert Message.objects.count() == 0
    assert smtp_server.messages == []


def test_it_sends_nothing_to_a_person_without_an_address_in_their_channel(
    cast: Cast, smtp_server: SmtpServer
) -> None:
    owner = set_channel(cast.owner, "telegram", "ru", telegram_chat_id="")

    assert queue_incident(owner) is None
    assert Message.objects.count() == 0


def test_it_drops_the_message_when_the_callers_transaction_rolls_back(cast: Cast) -> None:
    owner = set_channel(cast.owner, "email", "en", email="owner@example.org")

    class Abort(Exception):
        pass

    try:
        with transaction.atomic():
            queue_incident(owner, key="incident:rolled-back")
            raise Abort
    except Abort:
        pass

    assert not Message.objects.filter(dedupe_key="incident:rolled-back").exists()
