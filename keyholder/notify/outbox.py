"""Claiming and sending outbox messages: the part of the worker that must be exactly right.

A message goes pending -> sending -> sent. The claim (pending -> sending, with who and when)
is committed before the channel is touched, and "sent" is committed after; so a worker that
dies mid-send leaves a "sending" row, which any worker takes back once the lease has run out.
That gives at-least-once delivery with at most one extra copy per crash; the email channel's
stable Message-ID lets receivers drop that copy (see docs/notifications.md).

Claims are atomic on both databases: PostgreSQL locks the candidate row with
``SELECT ... FOR UPDATE SKIP LOCKED`` so concurrent workers pass over each other; SQLite has
no row locks, so the claim is a compare-and-set ``UPDATE ... WHERE id = ? AND <still due>``
that only one worker can win.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from keyholder.notify.channels import DeliveryError, get_channel
from keyholder.notify.models import Message, MessageStatus

logger = logging.getLogger(__name__)

# How many due candidates a compare-and-set claim tries before giving up for this round.
CAS_CANDIDATES = 10


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.WORKER_LEASE_SECONDS)


def due_filter(now: dt.datetime) -> Q:
    """Pending messages whose time has come, and claims abandoned past the lease."""
    return Q(status=MessageStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=MessageStatus.SENDING, claimed_at__lt=now - lease()
    )


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential back-off: base, 2 x base, 4 x base, ... capped."""
    seconds = settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.NOTIFY_RETRY_CAP_SECONDS))


def claim_next(worker_id: str) -> Message | None:
    """Take one due message for ``worker_id`` and commit the claim, or return None."""
    now = timezone.now()
    claim = {
        "status": MessageStatus.SENDING,
        "claimed_by": worker_id,
        "claimed_at": now,
        # Counted at the claim, so a message that kills the worker every time still ends dead.
        "attempts": F("attempts") + 1,
    }
    due = Message.objects.filter(due_filter(now)).order_by("next_attempt_at", "created_at")
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            row = due.select_for_update(skip_locked=True).values_list("pk", flat=True).first()
            if row is None:
                return None
            Message.objects.filter(pk=row).update(**claim)
        return Message.objects.get(pk=row)
    for pk in list(due.values_list("pk", flat=True)[:CAS_CANDIDATES]):
        with transaction.atomic():
            won = Message.objects.filter(due_filter(now), pk=pk).update(**claim)
        if won:
            return Message.objects.get(pk=pk)
    return None


def deliver(message: Message, worker_id: str) -> str:
    """Send a claimed message and record the outcome. Returns the new status."""
    try:
        provider_id = get_channel(message.channel).send(message)
    except Exception as exc:
        return _record_failure(message, worker_id, exc)
    mine = Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING, claimed_by=worker_id)
    updated = mine.update(
        status=MessageStatus.SENT,
        sent_at=timezone.now(),
        provider_message_id=provider_id[:255],
        last_error="",
        claimed_by="",
        claimed_at=None,
    )
    if not updated:
        # The lease ran out while the channel was still talking, and another worker took the
        # message over: it may be sent twice. A lease longer than the channel timeouts avoids it.
        logger.warning("message %s was sent after its lease had run out", message.pk)
    return MessageStatus.SENT


def _record_failure(message: Message, worker_id: str, exc: Exception) -> str:
    now = timezone.now()
    if isinstance(exc, DeliveryError):
        detail, permanent, retry_after = exc.detail, exc.permanent, exc.retry_after
    else:
        logger.exception("message %s: unexpected error while sending", message.pk)
        detail, permanent, retry_after = f"{type(exc).__name__}: {exc}", False, None
    if permanent:
        status = MessageStatus.FAILED
    elif message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        status = MessageStatus.DEAD
    else:
        status = MessageStatus.PENDING
    wait = (
        dt.timedelta(seconds=max(retry_after, 1.0))
        if retry_after is not None
        else retry_delay(message.attempts)
    )
    Message.objects.filter(
        pk=message.pk, status=MessageStatus.SENDING, claimed_by=worker_id
    ).update(
        status=status,
        last_error=detail[:2000],
        next_attempt_at=now + wait,
        claimed_by="",
        claimed_at=None,
    )
    logger.warning(
        "message %s attempt %s failed (%s): %s", message.pk, message.attempts, status, detail
    )
    return status


def send_due(
    worker_id: str, should_stop: Callable[[], bool] = lambda: False, seconds: float | None = None
) -> int:
    """Send the messages due now, one at a time, until none is left or ``should_stop()``; with
    ``seconds``, stop too once that long has passed (one message is always sent), so the
    worker's other work gets its turn. Returns how many were handled."""
    handled = 0
    started = time.monotonic()
    while not should_stop():
        message = claim_next(worker_id)
        if message is None:
            break
        deliver(message, worker_id)
        handled += 1
        if seconds is not None and time.monotonic() - started >= seconds:
            break
    return handled
