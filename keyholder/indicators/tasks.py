"""Background refresh of the analytics store after registry writes.

The registry and the keeping app announce their changes through ``core.effects``;
``refresh_after`` enqueues a task inside the write's transaction (a row on the database queue
that commits with the write), so that the request returns at once, and a worker recomputes the
villages touched once it has committed. In tests the immediate backend runs the task inside the
request, in the write's transaction.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from keyholder.core.effects import Change
from keyholder.indicators.store import refresh_villages


@task()
def refresh_indicators(
    village_ids: list[int], since: str | None = None, logged: bool = False
) -> int:
    """Refresh the villages and their ancestors (``store.refresh_villages``; ``logged``: the
    changes are in the change feed); returns the number of rows written."""
    day = dt.date.fromisoformat(since) if since else None
    report = refresh_villages(village_ids, day, logged=logged)
    return report.rows if report is not None else 0


def request_refresh(
    village_ids: list[int], since: dt.date | None = None, logged: bool = False
) -> None:
    ids = sorted({int(v) for v in village_ids})
    if ids:
        refresh_indicators.enqueue(ids, since.isoformat() if since else None, logged)


def refresh_after(change: Change) -> None:
    """The listener of registry and keeping changes (see ``IndicatorsConfig.ready``): the
    villages are recomputed from ``since``."""
    request_refresh(list(change.village_ids), change.since)


def move_after(change: Change) -> None:
    """The listener of fed changes (``registry.signals.FED_CHANGED``): the store moves by
    the change feed (spans and events), without recomputing the villages."""
    request_refresh(list(change.village_ids), change.since, logged=True)
