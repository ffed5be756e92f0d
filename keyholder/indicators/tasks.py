"""Background refresh of the analytics store after registry writes.

Services send ``registry_changed`` after commit; the receiver enqueues a task so that the
request returns at once, and a worker recomputes the villages touched. In tests the
immediate backend runs the task inside the request. Other apps whose writes change an
indicator (the keeping agreements, for kept and unkept vacant houses) call
``request_refresh`` from their own ``on_commit``.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from django.db import transaction
from django_tasks import task

from keyholder.indicators.store import refresh_villages


@task()
def refresh_indicators(village_ids: list[int], since: str | None = None) -> int:
    """Recompute the villages and their ancestors; returns the number of rows written."""
    report = refresh_villages(village_ids, dt.date.fromisoformat(since) if since else None)
    return report.rows if report is not None else 0


def request_refresh(village_ids: list[int], since: dt.date | None = None) -> None:
    ids = sorted({int(v) for v in village_ids})
    if ids:
        refresh_indicators.enqueue(ids, since.isoformat() if since else None)


def on_registry_changed(
    sender: Any, village_ids: list[int], since: dt.date | None = None, **kwargs: Any
) -> None:
    request_refresh(village_ids, since)


_pending = threading.local()


def _flush_pending() -> None:
    ids: set[int] = getattr(_pending, "ids", set())
    _pending.ids = set()
    request_refresh(sorted(ids))


def queue_village_refresh(village_id: int) -> None:
    """Refresh a village after the current transaction commits, once however many rows of it
    changed (a batch of 500 agreements enqueues one task, not 500)."""
    if not hasattr(_pending, "ids"):
        _pending.ids = set()
    _pending.ids.add(village_id)
    transaction.on_commit(_flush_pending)
