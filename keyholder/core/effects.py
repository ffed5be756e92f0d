"""Effects of a write: an app announces what changed, apps above it react (after commit, or
inside the write's transaction for a listener that only enqueues a job).

A service announces a change of some villages (``announce(REGISTRY_CHANGED, [village_id],
since=date)``) inside its transaction. The listeners that apps registered with ``listen`` run
once the transaction commits, never for a write that rolled back (the announcement rides on
``transaction.on_commit``, so a rolled-back savepoint drops it with everything else).

Inside ``batched()`` every announcement of the batch is merged into one per topic, sent when
the batch ends: an import of thousands of events, or a sample of 500 agreements, makes one
indicator refresh, not thousands.

A listener that only writes a row to the same database (enqueueing a job on the database
queue) is registered with ``in_transaction=True``: it runs when the change is sent, inside the
write's transaction, as part of the write. Its row then commits or rolls back with the write,
the write pays one commit instead of two (the second, for the job alone, was the largest
single cost of recording an event on PostgreSQL), and no job is lost to a crash between the
commit and the enqueue. Such a listener must stay cheap (it runs in the request), and if it
fails the write fails with it: all or nothing, as every write.

The topic names are owned by the app that announces them (``registry.signals``,
``keeping.signals``); this module knows none of them. A listener after commit that fails is
logged and does not fail the write that already committed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Change:
    """What a committed write changed: a topic, the villages touched, the earliest date
    whose figures may differ (None: any date, from the beginning)."""

    topic: str
    village_ids: tuple[int, ...]
    since: dt.date | None = None


Listener = Callable[[Change], None]

_listeners: dict[str, list[Listener]] = {}
# Listeners called inside the write's transaction (``listen(..., in_transaction=True)``).
_inside: dict[str, list[Listener]] = {}


@dataclass
class _Pending:
    villages: set[int] = field(default_factory=set)
    since: dt.date | None = None
    empty: bool = True

    def add(self, village_ids: Iterable[int], since: dt.date | None) -> None:
        self.villages.update(int(v) for v in village_ids)
        # The earliest date wins, and an announcement without one (from the beginning) wins
        # over every date: a refresh from a later date would keep stale earlier months.
        if self.empty:
            self.since, self.empty = since, False
        elif since is None or (self.since is not None and since < self.since):
            self.since = since


# Inside ``batched()``: the announcements so far, by topic.
_batch: ContextVar[dict[str, _Pending] | None] = ContextVar("effects_batch", default=None)


def listen(topic: str, listener: Listener, *, in_transaction: bool = False) -> None:
    """Call ``listener`` after every committed change of ``topic`` (once, however often
    an app's ``ready`` registers it). With ``in_transaction``, call it inside the write's
    transaction instead, when the change is sent (see the module's docstring)."""
    listeners = (_inside if in_transaction else _listeners).setdefault(topic, [])
    if listener not in listeners:
        listeners.append(listener)


def announce(topic: str, village_ids: Iterable[int], since: dt.date | None = None) -> None:
    """Say, inside the write's transaction, that these villages changed under ``topic``."""
    batch = _batch.get()
    if batch is not None:
        batch.setdefault(topic, _Pending()).add(village_ids, since)
        return
    pending = _Pending()
    pending.add(village_ids, since)
    _schedule(topic, pending)


@contextmanager
def batched() -> Iterator[None]:
    """Merge the announcements made inside into one per topic, sent when the block ends.

    Use it inside the batch's transaction, so that the merged announcement is dropped if the
    batch rolls back.
    """
    outer = _batch.get()
    if outer is not None:
        # Already batching: the outer block sends everything.
        yield
        return
    batch: dict[str, _Pending] = {}
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
    for topic, pending in batch.items():
        _schedule(topic, pending)


def _schedule(topic: str, pending: _Pending) -> None:
    if not pending.villages:
        return
    change = Change(topic, tuple(sorted(pending.villages)), pending.since)
    for listener in _inside.get(topic, ()):
        listener(change)
    if _listeners.get(topic):
        transaction.on_commit(lambda: _deliver(change))


def _deliver(change: Change) -> None:
    for listener in _listeners.get(change.topic, ()):
        try:
            listener(change)
        except Exception:
            logger.exception("listener %r of %s failed", listener, change.topic)
