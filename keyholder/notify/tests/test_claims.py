"""A message is claimed by one worker only; a claim past its lease is taken back."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from pytest_django.fixtures import Settings

from keyholder.notify import outbox
from keyholder.notify.models import Message, MessageStatus
from keyholder.notify.tests.conftest import SmtpServer
from keyholder.notify.tests.helpers import queue_incident, run_worker, set_channel
from keyholder.testing import Cast


def test_it_gives_a_message_to_one_worker_only(cast: Cast) -> None:
    owner = set_channel(cast.owner, "email", "en", email="owner@example.org")
    queue_incident(owner, key="a")
    queue_incident(owner, key="b")

    first = outbox.claim_next("worker-1")
    second = outbox.claim_next("worker-2")
    third = outbox.claim_next("worker-3")

    assert first is not None and second is not None
    assert first.pk != second.pk
    assert third is None
    assert first.status == MessageStatus.SENDING and first.claimed_by == "worker-1"
    assert first.attempts == 1


def test_it_leaves_a_fresh_claim_alone_and_takes_back_an_abandoned_one(
    cast: Cast, smtp_server: SmtpServer, settings: Settings
) -> None:
    settings.WORKER_LEASE_SECONDS = 300
    owner = set_channel(cast.owner, "email", "en", email="owner@example.org")
    message = queue_incident(owner)
    assert message is not None
    claimed = outbox.claim_next("crashed-worker")
    assert claimed is not None

    # The claim is recent: another worker must not send the message meanwhile.
    run_worker()
    assert smtp_server.messages == []

    # The claiming worker died long ago (its lease has run out).
    Message.objects.filter(pk=message.pk).update(
        claimed_at=timezone.now() - dt.timedelta(seconds=301)
    )
    run_worker()

    assert len(smtp_server.messages) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2


def test_a_late_worker_cannot_overwrite_a_reclaimed_message(cast: Cast) -> None:
    owner = set_channel(cast.owner, "email", "en", email="owner@example.org")
    queue_incident(owner)
    stale = outbox.claim_next("slow-worker")
    assert stale is not None
    Message.objects.filter(pk=stale.pk).update(claimed_at=timezone.now() - dt.timedelta(days=1))
    fresh = outbox.claim_next("new-worker")
    assert fresh is not None and fresh.pk == stale.pk

    # The slow worker's failure arrives after the message changed hands: it is ignored.
    outbox._record_failure(stale, "slow-worker", RuntimeError("timed out"))

    fresh.refresh_from_db()
    assert fresh.status == MessageStatus.SENDING
    assert fresh.claimed_by == "new-worker"
    assert fresh.last_error == ""
