"""Building and refreshing the analytics store.

``build_all`` recomputes every place from the events: it streams persons with their events in
household order, replays each person once (``engine``), sums villages up the place tree and
rewrites the store in one transaction. ``refresh_villages`` recomputes only the villages a
write touched and re-sums their ancestors from their children's stored series.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Count, Q
from django.utils import timezone

from keyholder.indicators.engine import (
    Ev,
    HouseholdHistory,
    Member,
    Series,
    compute_village,
)
from keyholder.indicators.models import IndicatorSeries, StoreState
from keyholder.indicators.months import current_month_count, expiry_index, month_index
from keyholder.keeping.schedule import Interval
from keyholder.places.models import Place
from keyholder.registry.models import Household, MigrationEvent, Person

logger = logging.getLogger(__name__)

BATCH = 2000
CHUNK = 20000

Progress = Callable[[int], object]


@dataclass
class BuildReport:
    months: int
    villages: int
    households: int
    rows: int
    skipped_persons: int
    seconds: float
    full: bool


def month_ranges(intervals: Iterable[Interval], months: int) -> list[tuple[int, int]]:
    """The months (as ``[lo, hi)`` index ranges below ``months``) whose last day falls within
    one of ``intervals``: a stock counts in a month as it stands on the month's last day."""
    ranges: list[tuple[int, int]] = []
    for first, last in intervals:
        if last is not None and last < first:
            continue
        lo = max(month_index(first), 0)
        hi = months if last is None else min(expiry_index(last), months)
        if lo < hi:
            ranges.append((lo, hi))
    return _merge(ranges)


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


def kept_ranges(
    village_ids: Iterable[int] | None, months: int
) -> dict[object, list[tuple[int, int]]]:
    """For each house with a keeping agreement, the months in which it is under care.

    When a house is under care is keeping's rule (``keeping.care``); only the months are ours.
    """
    from keyholder.keeping.care import house_care

    return {
        _key(house): month_ranges(intervals, months)
        for house, intervals in house_care(village_ids=village_ids).items()
    }


def _key(value: object) -> str | None:
    """One spelling of a UUID whatever the backend returns (hex on SQLite, UUID on PostgreSQL)."""
    if value is None:
        return None
    if isinstance(value, uuid.UUID):
        return value.hex
    return str(value).replace("-", "")


def _day(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


# Ids are read as text: building a UUID object per row cost more than the replay itself.
STREAM_SQL = """
SELECT h.village_id, CAST(h.id AS VARCHAR(36)), CAST(h.house_id AS VARCHAR(36)),
       CAST(p.id AS VARCHAR(36)), p.sex, p.birth_year, e.kind, e.date, e.country, e.until
FROM {person} p
JOIN {household} h ON h.id = p.household_id
LEFT JOIN {event} e ON e.person_id = p.id
{where}
ORDER BY h.village_id, h.id, p.id
"""


def _stream_rows(village_ids: list[int] | None) -> Iterator[tuple[Any, ...]]:
    """Persons joined to their events, in village and household order, read in chunks.

    Plain SQL rather than the ORM: building UUID and date objects for tens of millions of
    rows was most of the build's time. ``chunked_cursor`` is a server-side cursor on
    PostgreSQL, so the country is never held in memory.
    """
    tables = {
        "person": connection.ops.quote_name(Person._meta.db_table),
        "household": connection.ops.quote_name(Household._meta.db_table),
        "event": connection.ops.quote_name(MigrationEvent._meta.db_table),
    }
    if village_ids is None:
        batches: list[list[int] | None] = [None]
    else:
        # Bounded IN lists: SQLite limits the number of parameters of one query.
        batches = [village_ids[i : i + 500] for i in range(0, len(village_ids), 500)]
    if connection.vendor == "postgresql":
        # JIT compilation costs more than it saves on these short index-driven queries.
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
    for batch in batches:
        where, params = "", []
        if batch is not None:
            where = f"WHERE h.village_id IN ({', '.join(['%s'] * len(batch))})"
            params = list(batch)
        with connection.chunked_cursor() as cursor:
            cursor.execute(STREAM_SQL.format(where=where, **tables), params)
            while rows := cursor.fetchmany(CHUNK):
                yield from rows


def stream_villages(
    village_ids: Iterable[int] | None, months: int
) -> Iterator[tuple[int, list[HouseholdHistory]]]:
    """Yield (village id, its households with members and events), one village at a time."""
    ids = None if village_ids is None else sorted(set(village_ids))
    empty = Household.objects.filter(members__isnull=True)
    if ids is not None:
        empty = empty.filter(village_id__in=ids)
    # Households without members still make their house count (as vacant).
    empty_by_village: dict[int, list[HouseholdHistory]] = defaultdict(list)
    for village_id, house_id in empty.values_list("village_id", "house_id"):
        empty_by_village[village_id].append(HouseholdHistory(_key(house_id)))
    village: int | None = None
    households: list[HouseholdHistory] = []
    household_id: object = None
    person_id: object = None
    member: Member | None = None
    for vid, hid, house_id, pid, sex, birth_year, kind, date, country, until in _stream_rows(ids):
        if vid != village:
            if village is not None:
                yield village, households + empty_by_village.pop(village, [])
            village, households, household_id, person_id = vid, [], None, None
        if hid != household_id:
            households.append(HouseholdHistory(_key(house_id)))
            household_id = hid
        if pid != person_id:
            member = Member(sex, birth_year)
            households[-1].members.append(member)
            person_id = pid
        if kind is not None and member is not None:
            member.events.append(Ev(kind, _day(date), country or "", _day(until)))  # type: ignore[arg-type]
    if village is not None:
        yield village, households + empty_by_village.pop(village, [])
    yield from empty_by_village.items()


def compute_villages(
    village_ids: Iterable[int] | None, months: int, progress: Progress | None = None
) -> tuple[dict[int, Series], int, int]:
    """Series of each village's own households; returns (series, households, skipped)."""
    ids = None if village_ids is None else list(village_ids)
    kept = kept_ranges(ids, months)
    out: dict[int, Series] = {}
    households = skipped = 0
    for village_id, histories in stream_villages(ids, months):
        result = compute_village(histories, months, kept)
        out[village_id] = result.series
        households += len(histories)
        skipped += result.skipped_persons
        if progress is not None:
            progress(len(histories))
    return out, households, skipped


def _workers() -> int:
    """Processes for a full build: one per CPU, but one for an in-memory database (tests) or
    inside a transaction, whose rows other processes cannot see."""
    if settings.INDICATOR_WORKERS > 0:
        return settings.INDICATOR_WORKERS
    name = str(connection.settings_dict.get("NAME") or "")
    if connection.vendor == "sqlite" and (":memory:" in name or "mode=memory" in name):
        return 1
    # Other processes cannot see what an open transaction has not committed.
    if connection.in_atomic_block:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def _compute_chunk(ids: list[int], months: int) -> tuple[dict[int, Series], int, int]:
    """Run in a worker process: its own database connection, the same computation."""
    connection.close()
    own, households, skipped = compute_villages(ids, months)
    connection.close()
    # int32 halves what goes back through the pipe; no figure comes near 2**31.
    return (
        {v: {k: a.astype(np.int32) for k, a in s.items()} for v, s in own.items()},
        households,
        skipped,
    )


def compute_all(
    months: int, progress: Progress | None = None
) -> tuple[dict[int, Series], int, int]:
    """Every village's own series, in parallel processes when there is more than one CPU."""
    workers = _workers()
    village_ids = sorted(set(Household.objects.values_list("village_id", flat=True).distinct()))
    if workers == 1 or len(village_ids) < 50:
        return compute_villages(None, months, progress)
    counts = dict(
        Household.objects.values("village_id")
        .annotate(n=Count("pk"))
        .values_list("village_id", "n")
    )
    chunks = [village_ids[i : i + 40] for i in range(0, len(village_ids), 40)]
    own: dict[int, Series] = {}
    households = skipped = 0
    # Children must not inherit the parent's open connection.
    connections.close_all()
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = {pool.submit(_compute_chunk, chunk, months): chunk for chunk in chunks}
        for future in as_completed(futures):
            part, part_households, part_skipped = future.result()
            own.update({v: {k: a.astype(np.int64) for k, a in s.items()} for v, s in part.items()})
            households += part_households
            skipped += part_skipped
            if progress is not None:
                progress(sum(counts.get(v, 0) for v in futures[future]))
    return own, households, skipped


def _parents() -> dict[int, int | None]:
    return dict(Place.objects.values_list("pk", "parent_id"))


def roll_up(own: dict[int, Series], parents: dict[int, int | None]) -> dict[int, Series]:
    """Each place's total: its own households plus everything under it."""
    total: dict[int, Series] = defaultdict(dict)
    for place_id, series in own.items():
        current: int | None = place_id
        while current is not None:
            target = total[current]
            for key, values in series.items():
                existing = target.get(key)
                target[key] = values.copy() if existing is None else existing + values
            current = parents.get(current)
    return total


def _rows(totals: dict[int, Series]) -> Iterator[IndicatorSeries]:
    for place_id, series in totals.items():
        for (indicator, dimension), values in series.items():
            if values.any():
                yield IndicatorSeries(
                    place_id=place_id,
                    indicator=indicator,
                    dimension=dimension,
                    start=0,
                    values=values.tolist(),
                )


def _write(rows: Iterable[IndicatorSeries]) -> int:
    count = 0
    batch: list[IndicatorSeries] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            IndicatorSeries.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    if batch:
        IndicatorSeries.objects.bulk_create(batch)
        count += len(batch)
    return count


def _lock_state() -> StoreState:
    StoreState.objects.get_or_create(pk=1)
    return StoreState.objects.select_for_update().get(pk=1)


def build_all(progress: Progress | None = None, today: dt.date | None = None) -> BuildReport:
    """Recompute the whole store from events, replacing it in one transaction."""
    began = time.perf_counter()
    months = current_month_count(today)
    started_at = timezone.now()
    own, households, skipped = compute_all(months, progress)
    totals = roll_up(own, _parents())
    with transaction.atomic():
        state = _lock_state()
        IndicatorSeries.objects.all().delete()
        rows = _write(_rows(totals))
        # A refresh that ran while the build was computing (outside the lock, which would
        # have held up every refresh for minutes) may be older than what was just written:
        # the villages of events recorded since the build began are caught up, under the lock.
        if state.refreshed_at is not None and state.refreshed_at >= started_at:
            late = Household.objects.filter(members__events__created_at__gte=started_at)
            ids = sorted(set(late.values_list("village_id", flat=True)))
            if ids:
                _refresh_locked(ids, months)
        seconds = time.perf_counter() - began
        state.months = months
        state.built_at = state.refreshed_at = timezone.now()
        state.build_seconds = seconds
        state.save()
    return BuildReport(months, len(own), households, rows, skipped, seconds, True)


def _ancestors(place_ids: Iterable[int], parents: dict[int, int | None]) -> set[int]:
    out: set[int] = set()
    for place_id in place_ids:
        current = parents.get(place_id)
        while current is not None and current not in out:
            out.add(current)
            current = parents.get(current)
    return out


def _depths(place_ids: Iterable[int], parents: dict[int, int | None]) -> dict[int, int]:
    depths: dict[int, int] = {}
    for place_id in place_ids:
        depth, current = 0, parents.get(place_id)
        while current is not None:
            depth, current = depth + 1, parents.get(current)
        depths[place_id] = depth
    return depths


def _stored(place_ids: Iterable[int], months: int) -> dict[int, Series]:
    out: dict[int, Series] = defaultdict(dict)
    ids = list(place_ids)
    for start in range(0, len(ids), 500):
        for place_id, indicator, dimension, first, values in IndicatorSeries.objects.filter(
            place_id__in=ids[start : start + 500]
        ).values_list("place_id", "indicator", "dimension", "start", "values"):
            array = np.zeros(months, dtype=np.int64)
            chunk = np.asarray(values[: max(months - first, 0)], dtype=np.int64)
            array[first : first + len(chunk)] = chunk
            out[place_id][(indicator, dimension)] = array
    return out


def _add_into(target: Series, series: Series) -> None:
    for key, values in series.items():
        existing = target.get(key)
        target[key] = values.copy() if existing is None else existing + values


def _refresh_locked(ids: list[int], months: int) -> tuple[int, int, int, set[int]]:
    """The refresh proper, inside a transaction holding the store's lock."""
    parents = _parents()
    # A place with households of its own (a town) is recomputed with the villages.
    ancestors = _ancestors(ids, parents)
    with_own = set(
        Household.objects.filter(village_id__in=ancestors).values_list("village_id", flat=True)
    )
    own, households, skipped = compute_villages([*ids, *with_own], months)
    # Villages without any household left (all deleted) have empty series.
    for village_id in ids:
        own.setdefault(village_id, {})
    # Totals of the touched villages: their own plus their children's stored totals.
    changed = set(ids) | ancestors
    depths = _depths(changed, parents)
    children: dict[int, list[int]] = defaultdict(list)
    for place_id, parent_id in parents.items():
        if parent_id in changed:
            children[parent_id].append(place_id)
    totals: dict[int, Series] = {}
    for place_id in sorted(changed, key=lambda p: -depths[p]):
        total: Series = {}
        _add_into(total, own.get(place_id, {}))
        stored_children = [c for c in children.get(place_id, []) if c not in totals]
        for series in _stored(stored_children, months).values():
            _add_into(total, series)
        for child in children.get(place_id, []):
            if child in totals:
                _add_into(total, totals[child])
        totals[place_id] = total
    IndicatorSeries.objects.filter(place_id__in=list(changed)).delete()
    rows = _write(_rows(totals))
    return households, rows, skipped, ancestors


def refresh_villages(
    village_ids: Iterable[int], since: dt.date | None = None, today: dt.date | None = None
) -> BuildReport | None:
    """Recompute the villages a write touched and re-sum their ancestors.

    A village is recomputed over its whole history (a person's status in any month depends on
    all their earlier events, so ``since`` cannot shorten the replay; it is kept for logging).
    Returns ``None`` when the store has never been built: there is nothing to keep fresh.
    When the calendar has moved into a month the store does not hold yet, a full build runs.
    """
    began = time.perf_counter()
    ids = sorted(set(village_ids))
    months = current_month_count(today)
    state = StoreState.objects.filter(pk=1).first()
    if state is None or state.built_at is None:
        return None
    if state.months != months:
        logger.info("store holds %s months, the calendar %s: full build", state.months, months)
        return build_all(today=today)
    with transaction.atomic():
        state = _lock_state()
        households, rows, skipped, ancestors = _refresh_locked(ids, months)
        state.refreshed_at = timezone.now()
        state.save(update_fields=["refreshed_at"])
    seconds = time.perf_counter() - began
    logger.info(
        "refreshed %s villages (since %s) and %s ancestors in %.3f s",
        len(ids),
        since,
        len(ancestors),
        seconds,
    )
    return BuildReport(months, len(ids), households, rows, skipped, seconds, False)


def villages_with_events_since(since: dt.date) -> list[int]:
    """Villages with an event dated on or after ``since`` (for a manual catch-up)."""
    return sorted(
        set(
            Household.objects.filter(Q(members__events__date__gte=since)).values_list(
                "village_id", flat=True
            )
        )
    )
