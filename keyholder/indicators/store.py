"""Building and refreshing the analytics store.

``build_all`` recomputes every place from the status spans (derived from the events by
``registry.spans``): by batches of villages, a few grouped reads (households, spans with their
person's sex and birth year, kept months, and the flow events grouped by month) go into NumPy
arrays that ``engine`` sums with difference arrays; the villages are summed up the place tree
and the store rewritten in one transaction. ``refresh_villages`` re-aggregates only the
villages a write touched, from their spans, and moves their ancestors' stored series by the
touched villages' differences (a place with households of its own is re-summed from its
children instead). After a write whose changes are all in the registry's change feed (spans
and events removed and added), a refresh reads only the feed and the households it touched
and moves every place by the difference (``_deltas``, ``_event_deltas``).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import logging
import os
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, NamedTuple

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from keyholder.core.bulk import RowWriter
from keyholder.core.db import fork_pool, shareable_jobs
from keyholder.indicators.engine import (
    FLOW_KINDS,
    OPEN,
    SEXES,
    STATE_CODE,
    FlowRows,
    HouseholdRows,
    Series,
    SpanRows,
    compute_batch,
    compute_delta,
    flow_series,
)
from keyholder.indicators.models import IndicatorSeries, StoreState
from keyholder.indicators.months import (
    EPOCH_YEAR,
    current_month_count,
    expiry_index,
    month_end,
    month_index,
    month_start,
)
from keyholder.keeping.schedule import Interval
from keyholder.places.models import Place
from keyholder.registry.models import (
    EventChange,
    Household,
    MigrationEvent,
    Person,
    SpanChange,
    StatusSpan,
)
from keyholder.registry.spans import SPAN_START
from keyholder.registry.status import State

logger = logging.getLogger(__name__)

BATCH = 2000
# Households per batch of villages: the per-household arrays of a batch are this many rows of
# one value per month.
BATCH_HOUSEHOLDS = 20000

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
    # Processes that computed the villages.
    jobs: int = 1


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


# Month indexes computed by the database: converting dates row by row in Python would cost
# more than the arithmetic that follows. On PostgreSQL ``date_part`` (a float) rather than
# ``EXTRACT`` (a numeric since version 14): a tenth less of the server's time on a batch's
# spans and flows at national scale.
def _month_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return (
            f"((date_part('year', {column})::int - {EPOCH_YEAR}) * 12"
            f" + date_part('month', {column})::int - 1)"
        )
    return (
        f"((CAST(substr({column}, 1, 4) AS INTEGER) - {EPOCH_YEAR}) * 12"
        f" + CAST(substr({column}, 6, 2) AS INTEGER) - 1)"
    )


def _next_day_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} + 1)"
    return f"date({column}, '+1 day')"


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "span": quote(StatusSpan._meta.db_table),
        "person": quote(Person._meta.db_table),
        "household": quote(Household._meta.db_table),
        "event": quote(MigrationEvent._meta.db_table),
        "change": quote(SpanChange._meta.db_table),
        "event_change": quote(EventChange._meta.db_table),
    }


def _in(ids: list[int]) -> str:
    return ", ".join(["%s"] * len(ids))


# Ids are read as text: a UUID object per row would cost more than everything else.
HOUSEHOLDS_SQL = """
SELECT h.village_id, CAST(h.id AS VARCHAR(36)),
       COALESCE(REPLACE(CAST(h.house_id AS VARCHAR(36)), '-', ''), '')
FROM {household} h WHERE h.village_id IN ({ids})
ORDER BY h.village_id
"""

# Only spans that count in some figure: those holding on a month end of the store (not over
# before its first one) of a member, or of anyone under an entry ban. The spans carry their
# person's sex and birth year: no join with the persons (it was half the time of a refresh).
# The state comes as its code and an open end, or no ban, as -1: small integers, which the
# driver hands over without making an object per row (a fifth of the read on SQLite). An end
# before month ``first`` (the change feed and a household's members are read without the
# filter on it) is given as ``first``, never as a month -1 that would read as open; a ban
# over before month ``first`` counts in no month, as no ban. Months outside those computed (``first`` to ``months``) are given as the nearest
# end of them without working out their index from the date, which the engine would clip to
# the same (most spans of a refresh began before its month and end after it, or not at all):
# the date arithmetic was a seventh of the read on SQLite.
SPAN_COLUMNS = """{state},
       CASE WHEN s.valid_from < %s THEN {first} ELSE {start} END,
       CASE WHEN s.valid_until IS NULL THEN -1 WHEN s.valid_until >= %s THEN {months}
            WHEN s.valid_until < %s THEN {first} ELSE {stop} END,
       s.country,
       CASE WHEN s.ban_until IS NULL THEN -1 WHEN s.ban_until < %s THEN {first}
            WHEN s.ban_until >= %s THEN {months} ELSE {ban_stop} END,
       s.sex, s.birth_year"""

SPANS_SQL = """
SELECT CAST(s.household_id AS VARCHAR(36)), {columns}
FROM {span} s
WHERE s.village_id IN ({ids}) AND (s.valid_until IS NULL OR s.valid_until > %s)
  AND (s.state IN ({members}) OR s.ban_until IS NOT NULL)
"""

# The change feed (``registry.SpanChange``), every row pending: the span's columns as above,
# then its sign, id and village.
CHANGES_SQL = """
SELECT CAST(s.household_id AS VARCHAR(36)), {columns}, s.sign, s.id, s.village_id
FROM {change} s
"""

# The spans now of the members of some households (by their persons: spans have no index by
# household).
MEMBER_SPANS_SQL = """
SELECT CAST(s.household_id AS VARCHAR(36)), {columns}
FROM {span} s
WHERE s.person_id IN (SELECT p.id FROM {person} p WHERE p.household_id IN ({ids}))
  AND (s.state IN ({members}) OR s.ban_until IS NOT NULL)
"""

# Every kind is grouped (the flows are picked in Python): a condition on the kind would lead
# SQLite to read the country's events by kind once per batch instead of the villages' own.
FLOWS_SQL = """
SELECT h.village_id, e.kind, e.country, {month}, COUNT(*)
FROM {event} e JOIN {person} p ON p.id = e.person_id JOIN {household} h ON h.id = p.household_id
{where}
GROUP BY h.village_id, e.kind, e.country, {month}
"""

PERSONS_SQL = """
SELECT COUNT(*) FROM {person} p JOIN {household} h ON h.id = p.household_id
WHERE h.village_id IN ({ids})
"""

# Every person's first span begins on SPAN_START: one such span per person who has spans.
FIRST_SPANS_SQL = (
    "SELECT COUNT(*) FROM {span} s WHERE s.village_id IN ({ids}) AND s.valid_from = %s"
)


# A span's state as its ``STATE_CODE`` (-1 for a state the engine does not know).
STATE_SQL = (
    "CASE s.state "
    + " ".join(f"WHEN '{state}' THEN {code}" for state, code in STATE_CODE.items())
    + " ELSE -1 END"
)


def _param(day: dt.date) -> Any:
    return day if connection.vendor == "postgresql" else day.isoformat()


def _fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _batches(village_ids: list[int]) -> Iterator[list[int]]:
    """Villages in batches of about BATCH_HOUSEHOLDS households (and at most 500 ids, under
    SQLite's limit of parameters), so that the per-household arrays stay small."""
    counted = Household.objects.order_by()
    if len(village_ids) <= 500:
        counted = counted.filter(village_id__in=village_ids)
    sizes = dict(counted.values_list("village_id").annotate(n=Count("pk")))
    batch: list[int] = []
    households = 0
    for village_id in village_ids:
        full = households + sizes.get(village_id, 0) > BATCH_HOUSEHOLDS or len(batch) >= 500
        if batch and full:
            yield batch
            batch, households = [], 0
        batch.append(village_id)
        households += sizes.get(village_id, 0)
    if batch:
        yield batch


FlowsByVillage = dict[int, list[tuple[str, str, int, int]]]


def _flows(village_ids: list[int], first: int = 0) -> FlowsByVillage:
    """Departures, returns and deportations of a batch of villages (at most 500, as
    ``_batches`` makes them) by village, kind, country and month, from month ``first`` on:
    one grouped read."""
    where = f"WHERE h.village_id IN ({_in(village_ids)})"
    params: list[Any] = list(village_ids)
    if first:
        where += " AND e.date >= %s"
        params.append(_param(month_start(first)))
    sql = FLOWS_SQL.format(where=where, month=_month_sql("e.date"), **_tables())
    out: FlowsByVillage = defaultdict(list)
    for village_id, kind, country, month, count in _fetch(sql, params):
        if kind in FLOW_KINDS:
            out[village_id].append((kind, country or "", month, count))
    return out


def _flow_rows(ids: list[int], flows: FlowsByVillage, first: int) -> FlowRows:
    """The flows of a batch of villages (``ids``), by their position, months from ``first``."""
    return FlowRows(
        [
            (position, kind, country, month - first, count)
            for position, village_id in enumerate(ids)
            for kind, country, month, count in flows.get(village_id, [])
        ]
    )


def _household_rows(
    rows: list[tuple[Any, ...]], village_position: dict[int, int]
) -> tuple[HouseholdRows, dict[object, int], dict[str, int], np.ndarray]:
    """The households of a batch as arrays, by array operations rather than a loop per
    household (a tenth of a refresh of 100 villages): their positions by id, and the
    (village, house) pairs their houses make, numbered. Also returns each house's name
    (its id as hex) by its number in ``names``, and for each pair that number, to find the
    pairs of a house under care."""
    count = len(rows)
    position = dict(zip(map(itemgetter(1), rows), range(count), strict=True))
    village = np.fromiter(
        map(village_position.__getitem__, map(itemgetter(0), rows)), dtype=np.int64, count=count
    )
    text = np.array(list(map(itemgetter(2), rows)), dtype=str)
    housed = text != "" if count else np.zeros(0, dtype=bool)
    names, name_index = np.unique(text[housed], return_inverse=True)
    # Numbered village first, so that the houses come in village order, as the households
    # do: their sums by village (``engine.group_sum``) then need no sort.
    width = max(len(names), 1)
    pairs, pair_index = np.unique(
        village[housed] * width + name_index.astype(np.int64), return_inverse=True
    )
    house = np.full(count, -1, dtype=np.int64)
    house[housed] = pair_index
    households = HouseholdRows(
        village=village,
        house=house,
        houses=len(pairs),
        house_village=(pairs // width).astype(np.int64),
    )
    house_name = {name: index for index, name in enumerate(names.tolist())}
    return households, position, house_name, (pairs % width).astype(np.int64)


def _span_columns(first: int, months: int) -> tuple[str, list[Any]]:
    """The span columns of the reads (``SPAN_COLUMNS``) for months ``first`` to ``months``,
    and their parameters."""
    columns = SPAN_COLUMNS.format(
        start=_month_sql("s.valid_from"),
        stop=_month_sql("s.valid_until"),
        ban_stop=_month_sql(_next_day_sql("s.ban_until")),
        state=STATE_SQL,
        first=int(first),
        months=int(months),
    )
    day = dt.timedelta(days=1)
    later = month_start(months)
    start = month_start(first)
    bounds = [start, later, start, start - day, later - day]
    return columns, [_param(bound) for bound in bounds]


MEMBERS = ", ".join(f"'{state}'" for state in sorted(State.MEMBER))


def _span_rows(
    rows: list[tuple[Any, ...]],
    household_position: dict[object, int],
    households: HouseholdRows,
    first: int,
    weight: int | None = None,
) -> SpanRows:
    """Rows read with ``SPAN_COLUMNS`` (after the household id) as arrays; ``weight``: the
    index of a column of weights (the change feed's sign)."""
    count = len(rows)

    def column(index: int, code: Callable[[Any], int] | None = None) -> np.ndarray:
        # One C-level pass per column (map with itemgetter and a bound lookup): no list of
        # columns is built, which cost more than the read itself.
        values = map(itemgetter(index), rows)
        return np.fromiter(
            values if code is None else map(code, values), dtype=np.int64, count=count
        )

    countries = sorted(set(map(itemgetter(4), rows)))
    country_position = {c: position for position, c in enumerate(countries)}
    sex_position: dict[str, int] = defaultdict(lambda: -1, {s: i for i, s in enumerate(SEXES)})
    household = column(0, household_position.__getitem__)
    stop, ban_stop = column(3), column(5)
    stop[stop == -1] = OPEN
    ban_stop[ban_stop == -1] = -OPEN + first
    return SpanRows(
        # The span's village is its household's.
        village=households.village[household],
        household=household,
        state=column(1),
        start=column(2) - first,
        stop=stop - first,
        country=column(4, country_position.__getitem__),
        ban_stop=ban_stop - first,
        sex=column(6, sex_position.__getitem__),
        birth_year=column(7),
        countries=countries,
        weight=None if weight is None else column(weight),
    )


def _care(
    ids: list[int], months: int, first: int, house_name: dict[str, int], house_pair: np.ndarray
) -> dict[int, list[tuple[int, int]]]:
    """The months each (village, house) pair of a batch is under care, from month ``first``."""
    care: dict[int, list[tuple[int, int]]] = {}
    for house, ranges in kept_ranges(ids, months).items():
        name = house_name.get(str(house))
        if name is None:
            continue
        shifted = [(max(lo - first, 0), hi - first) for lo, hi in ranges if hi > first]
        for position in np.flatnonzero(house_pair == name).tolist():
            care[position] = shifted
    return care


def _compute_batch(
    ids: list[int], months: int, first: int = 0
) -> tuple[dict[int, Series], int, int]:
    """One batch of villages: four grouped reads into arrays, then ``engine.compute_batch``
    (months ``first`` to ``months``: only the spans holding on one of their ends are read)."""
    tables = _tables()
    marks = _in(ids)
    village_position = {village_id: position for position, village_id in enumerate(ids)}
    # Households, and the (village, house) pairs their houses make.
    household_rows = _fetch(HOUSEHOLDS_SQL.format(ids=marks, **tables), ids)
    households, household_position, house_name, house_pair = _household_rows(
        household_rows, village_position
    )
    care = _care(ids, months, first, house_name, house_pair)
    # Spans, with the sex and birth year of their person (copied onto them).
    columns, bounds = _span_columns(first, months)
    sql = SPANS_SQL.format(ids=marks, columns=columns, members=MEMBERS, **tables)
    rows = _fetch(sql, [*bounds, *ids, _param(month_end(first))])
    spans = _span_rows(rows, household_position, households, first)
    del rows
    # The batch's own flows: at national scale, as cheap in total as one grouped scan of
    # every event on SQLite and a third cheaper on PostgreSQL (whose one scan spilled its
    # grouping to disk), and counted by the process that computes the batch.
    flows = _flow_rows(ids, _flows(ids, first), first)
    series = compute_batch(ids, months, spans, households, flows, care, first)
    if first:
        # A refresh from a date does not look for persons without spans: the count scans
        # every span of the villages (a fifth of a refresh), and the build, which counts them,
        # and ``check_spans`` report them.
        return series, len(household_rows), 0
    # Persons without spans (never written, or an impossible history) are left out: say so.
    persons = _fetch(PERSONS_SQL.format(ids=marks, **tables), ids)[0][0]
    spanned = _fetch(FIRST_SPANS_SQL.format(ids=marks, **tables), [*ids, _param(SPAN_START)])
    return series, len(household_rows), max(0, persons - spanned[0][0])


def _tune_reads() -> None:
    """Settings of this connection for the long grouped reads of a build."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # JIT compilation costs more than it saves on these short grouped reads.
            cursor.execute("SET jit = off")
        else:
            # The spans are read through their village index, page by page across the file:
            # mapped pages save a system call per page (a third of the CPU time of the read).
            cursor.execute("PRAGMA mmap_size = 1073741824")


def _batch_job(job: tuple[list[int], int, int]) -> tuple[dict[int, Series], int, int]:
    """One batch, in a process of the pool or in this one (``_compute_villages``)."""
    ids, months, first = job
    with no_cycle_collection():
        _tune_reads()
        return _compute_batch(ids, months, first)


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Python's cyclic garbage collector off for a block: reading spans makes hundreds of
    thousands of row tuples, which set off full collections that walk every object in memory
    again and again (half the CPU time of a refresh of 45 villages). The rows hold no cycles;
    reference counting frees them as before."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Computed(NamedTuple):
    """What ``compute_villages`` found: each village's series, its households, the persons
    left out for want of spans, and the processes that computed them."""

    series: dict[int, Series]
    households: int
    skipped: int
    jobs: int


def compute_villages(
    village_ids: Iterable[int] | None,
    months: int,
    progress: Progress | None = None,
    first: int = 0,
    jobs: int = 1,
) -> Computed:
    """Series of each village's own households. With ``first``, the series hold months
    ``first`` to ``months`` only. ``jobs``: processes computing batches at once (at most
    one a batch), when other processes can read what this one reads
    (``core.db.shareable_jobs``)."""
    with no_cycle_collection():
        return _compute_villages(village_ids, months, progress, first, jobs)


def _compute_villages(
    village_ids: Iterable[int] | None,
    months: int,
    progress: Progress | None = None,
    first: int = 0,
    jobs: int = 1,
) -> Computed:
    if village_ids is None:
        ids = sorted(set(Household.objects.order_by().values_list("village_id", flat=True)))
    else:
        ids = sorted(set(village_ids))
    batches = list(_batches(ids))
    jobs = shareable_jobs(min(jobs, len(batches)), writes=False)
    out: dict[int, Series] = {}
    households = skipped = 0
    with fork_pool(jobs) as pool:
        jobs_list = [(batch, months, first) for batch in batches]
        results = (
            map(_batch_job, jobs_list)
            if pool is None
            else pool.imap_unordered(_batch_job, jobs_list)
        )
        for series, batch_households, batch_skipped in results:
            out.update(series)
            households += batch_households
            skipped += batch_skipped
            if progress is not None:
                progress(batch_households)
    if skipped:
        logger.warning("%d persons without status spans: run keyholder rebuild_spans", skipped)
    return Computed(out, households, skipped, jobs)


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


# A stored series as written: place id, indicator, dimension, first month, values.
SeriesRow = tuple[int, str, str, int, list[int]]
SERIES_COLUMNS = ["place", "indicator", "dimension", "start", "values"]


def _rows(totals: dict[int, Series]) -> Iterator[SeriesRow]:
    for place_id, series in totals.items():
        for (indicator, dimension), values in series.items():
            if values.any():
                yield (place_id, indicator, dimension, 0, values.tolist())


def _write(rows: Iterable[SeriesRow]) -> int:
    """Insert the series around the ORM (``core.bulk.RowWriter``), a batch at a time, from
    plain rows: a model instance per series was a third of a full build's writing."""
    writer = RowWriter(IndicatorSeries, SERIES_COLUMNS)
    count = 0
    for row in rows:
        writer.add(row)
        if len(writer.rows) >= BATCH:
            count += writer.flush()
    return count + writer.flush()


def _lock_state() -> StoreState:
    StoreState.objects.get_or_create(pk=1)
    return StoreState.objects.select_for_update().get(pk=1)


def build_all(
    progress: Progress | None = None, today: dt.date | None = None, jobs: int = 1
) -> BuildReport:
    """Recompute the whole store from the status spans, replacing it in one transaction
    (``jobs``: processes computing the villages at once)."""
    began = time.perf_counter()
    months = current_month_count(today)
    started_at = timezone.now()
    own, households, skipped, jobs = compute_villages(None, months, progress, jobs=jobs)
    totals = roll_up(own, _parents())
    with _store_transaction() as state:
        IndicatorSeries.objects.all().delete()
        rows = _write(_rows(totals))
        # A refresh that ran while the build was computing (outside the lock, which would
        # have held up every refresh for minutes) may be older than what was just written:
        # the villages of events recorded since the build began are caught up, under the lock.
        late: set[int] = set()
        if state.refreshed_at is not None and state.refreshed_at >= started_at:
            events = Household.objects.filter(members__events__created_at__gte=started_at)
            late.update(events.values_list("village_id", flat=True))
        # So are the villages of the changes still in the feed: the build may have read their
        # spans before or after the change; recomputed, they are right either way, and the
        # feed is emptied.
        late.update(SpanChange.objects.values_list("village_id", flat=True).distinct())
        if late:
            _refresh_locked(sorted(late), months)
        seconds = time.perf_counter() - began
        state.months = months
        state.built_at = state.refreshed_at = timezone.now()
        state.build_seconds = seconds
        state.save()
    return BuildReport(months, len(own), households, rows, skipped, seconds, True, jobs)


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


@dataclass
class StoredRow:
    """A series as the store holds it: its row's id, its values over all months, and whether
    the row is written as a build writes it (from month 0, every month)."""

    id: int
    values: np.ndarray
    canonical: bool


StoredSeries = dict[int, dict[tuple[str, str], StoredRow]]


# The values as JSON text, parsed by NumPy: a quarter of the time of ``json.loads`` and a
# list per row (the values are a flat list of integers, as ``_write`` writes them).
STORED_SQL = """
SELECT s.id, s.place_id, s.indicator, s.dimension, s.start, {values}
FROM {series} s WHERE s.place_id IN ({ids})
"""


def _stored_rows(place_ids: Iterable[int], months: int) -> StoredSeries:
    out: StoredSeries = defaultdict(dict)
    ids = list(place_ids)
    quote = connection.ops.quote_name
    values = quote("values")
    if connection.vendor == "postgresql":
        values = f"CAST(s.{values} AS text)"
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        sql = STORED_SQL.format(
            values=values, series=quote(IndicatorSeries._meta.db_table), ids=_in(batch)
        )
        for row_id, place_id, indicator, dimension, first, text in _fetch(sql, batch):
            parsed = np.fromstring(text.strip()[1:-1], dtype=np.int64, sep=",")
            array = np.zeros(months, dtype=np.int64)
            chunk = parsed[: max(months - first, 0)]
            array[first : first + len(chunk)] = chunk
            canonical = first == 0 and len(parsed) == months
            out[place_id][(indicator, dimension)] = StoredRow(row_id, array, canonical)
    return out


def _stored(place_ids: Iterable[int], months: int) -> dict[int, Series]:
    return {
        place_id: {key: row.values for key, row in rows.items()}
        for place_id, rows in _stored_rows(place_ids, months).items()
    }


def _add_into(target: Series, series: Series) -> None:
    for key, values in series.items():
        existing = target.get(key)
        target[key] = values.copy() if existing is None else existing + values


def _later_months(
    ids: list[int], months: int, first: int, stored: StoredSeries, delta: dict[int, Series]
) -> tuple[dict[int, Series], int, int]:
    """Villages' series recomputed from month ``first`` on, the months before it kept as
    stored, moved by the village's pending changes (``delta``; their stored series is their
    own: no place lies under them)."""
    later, households, skipped, _jobs = compute_villages(ids, months, first=first)
    out: dict[int, Series] = {}
    for village_id in ids:
        before = _moved(stored.get(village_id, {}), delta.get(village_id, {}))
        after = later.get(village_id, {})
        merged: Series = {}
        for key in {*before, *after}:
            values = before[key].copy() if key in before else np.zeros(months, np.int64)
            values[first:] = after.get(key, 0)
            merged[key] = values
        out[village_id] = merged
    return out, households, skipped


def _moved(rows: dict[tuple[str, str], StoredRow], delta: Series) -> Series:
    """A place's stored series moved by a delta."""
    out: Series = {key: row.values.copy() for key, row in rows.items()}
    _add_into(out, delta)
    return out


def _write_changes(totals: dict[int, Series], stored: StoredSeries) -> int:
    """Write the series of ``totals`` over what ``stored`` holds of the same places: only the
    rows whose values changed are updated, new ones inserted, vanished ones deleted. A refresh
    after a day's events changes a few series per village; rewriting every series of every
    place touched was a third of its time. Returns the number of rows written or deleted."""
    updates: list[tuple[str, int]] = []
    inserts: list[SeriesRow] = []
    deletes: list[int] = []
    for place_id in sorted({*totals, *stored}):
        old = stored.get(place_id, {})
        new = totals.get(place_id, {})
        for key, values in new.items():
            if not values.any():
                continue
            row = old.get(key)
            if row is None:
                inserts.append((place_id, *key, 0, values.tolist()))
            elif not (row.canonical and np.array_equal(row.values, values)):
                updates.append((json.dumps(values.tolist()), row.id))
        deletes.extend(row.id for key, row in old.items() if key not in new or not new[key].any())
    table = connection.ops.quote_name(IndicatorSeries._meta.db_table)
    column = connection.ops.quote_name("values")
    if updates and connection.vendor == "postgresql":
        # One statement for them all (``executemany`` sends one per row).
        texts, ids = zip(*updates, strict=True)
        sql = (
            f"UPDATE {table} AS s SET {column} = CAST(v.t AS jsonb), start = 0"
            " FROM unnest(%s::text[], %s::bigint[]) AS v(t, id) WHERE s.id = v.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [list(texts), list(ids)])
    elif updates:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET {column} = %s, start = 0 WHERE id = %s", updates
            )
    for start in range(0, len(deletes), 500):
        IndicatorSeries.objects.filter(pk__in=deletes[start : start + 500]).delete()
    if inserts:
        _write(inserts)
    return len(updates) + len(inserts) + len(deletes)


def _totals(
    changed: set[int],
    own: dict[int, Series],
    stored: StoredSeries,
    parents: dict[int, int | None],
    months: int,
    delta: dict[int, Series] | None = None,
) -> dict[int, Series]:
    """The new totals of the places touched, deepest first. A place recomputed (``own``: a
    village touched, or a place with households of its own) is its own series plus its
    children's totals, the untouched ones as stored. Any other place (an ancestor without
    households) is its stored total moved by the differences of its touched children, and by
    the pending changes of its own households (``delta``; a village's are all its own): only
    the rows of the places touched are read, however many villages a district holds (re-summing
    every stored child of every ancestor read most of the store for a refresh spread over a
    country). The store holds each place as the sum of its children, as the build writes it
    and every refresh keeps it, so both ways give the same totals."""
    depths = _depths(changed, parents)
    children: dict[int, list[int]] = defaultdict(list)
    for place_id, parent_id in parents.items():
        if parent_id in changed:
            children[parent_id].append(place_id)
    totals: dict[int, Series] = {}
    for place_id in sorted(changed, key=lambda p: -depths[p]):
        touched = [c for c in children.get(place_id, []) if c in totals]
        if place_id not in own:
            # The stored total, plus each touched child's new series, less its stored one.
            moved = _moved(stored.get(place_id, {}), (delta or {}).get(place_id, {}))
            for child in touched:
                _add_into(moved, totals[child])
                _add_into(moved, {key: -row.values for key, row in stored.get(child, {}).items()})
            totals[place_id] = moved
            continue
        total: Series = {}
        _add_into(total, own[place_id])
        untouched = [c for c in children.get(place_id, []) if c not in totals]
        for series in _stored(untouched, months).values():
            _add_into(total, series)
        for child in touched:
            _add_into(total, totals[child])
        totals[place_id] = total
    return totals


def _refresh_locked(
    ids: list[int], months: int, first: int = 0, logged: bool = False
) -> tuple[int, int, int, set[int]]:
    """The refresh proper, inside a transaction holding the store's lock, which sees one
    snapshot of the registry (``_store_transaction``). ``first``: the first month the writes
    can have changed (their earliest date's).

    Every pending row of the change feed (spans and events) is taken in: the villages they
    touched (and the places above) move by their difference (``_deltas``,
    ``_event_deltas``), and the rows are deleted. With ``logged``, the writes announced are
    all in the feed: nothing else is read. Without it, the villages of ``ids`` are recomputed
    from their spans and events (from ``first``, the months before it kept as stored and
    moved by the feed)."""
    parents = _parents()
    tables = _tables()
    columns, bounds = _span_columns(0, months)
    changes = _fetch(CHANGES_SQL.format(columns=columns, **tables), bounds)
    events = _fetch(EVENT_CHANGES_SQL.format(month=_month_sql("e.date"), **tables), [])
    fed = {row[10] for row in changes} | {row[1] for row in events}
    partial: list[int] = []
    whole: set[int] = set()
    if not logged:
        above = {parent for parent in parents.values() if parent is not None}
        # A place with households of its own (a town) is recomputed with the villages.
        with_own = set(
            Household.objects.filter(village_id__in=_ancestors(ids, parents))
            .order_by()
            .values_list("village_id", flat=True)
            .distinct()
        )
        # Villages with no place under them keep their months before ``first``; any other
        # place with households is recomputed over the whole history.
        partial = [v for v in ids if first > 0 and v not in above and v not in with_own]
        whole = {*ids, *with_own} - set(partial)
    delta, fallback = _deltas(changes, whole, months)
    if fallback:
        # Changes whose household is gone or has moved village are recomputed instead.
        whole |= fallback
        partial = [v for v in partial if v not in fallback]
        delta = {v: series for v, series in delta.items() if v not in fallback}
    for village_id, series in _event_deltas(events, whole, months).items():
        _add_into(delta.setdefault(village_id, {}), series)
    ancestors = _ancestors({*ids, *fed, *whole}, parents)
    changed = {*ids, *fed, *whole} | ancestors
    # What the store holds of every place touched: kept months, and the rows to compare with.
    stored = _stored_rows(changed, months)
    own, households, skipped, _jobs = compute_villages(sorted(whole), months)
    if partial:
        later, more_households, more_skipped = _later_months(partial, months, first, stored, delta)
        own.update(later)
        households += more_households
        skipped += more_skipped
    # Villages recomputed without any household left (all deleted) have empty series.
    for village_id in whole:
        own.setdefault(village_id, {})
    totals = _totals(changed, own, stored, parents, months, delta)
    rows = _write_changes(totals, stored)
    for model, taken in (
        (SpanChange, [row[9] for row in changes]),
        (EventChange, [row[0] for row in events]),
    ):
        for chunk in _chunks(taken):
            model.objects.filter(pk__in=chunk).delete()
    return households, rows, skipped, ancestors


# The events of the change feed, their month worked out by the database.
EVENT_CHANGES_SQL = """
SELECT e.id, e.village_id, e.kind, e.country, {month}, e.sign FROM {event_change} e
"""


def _event_deltas(
    events: list[tuple[Any, ...]], recomputed: set[int], months: int
) -> dict[int, Series]:
    """How much the events of the change feed move each village's flows (those of
    ``recomputed`` are counted again from their events)."""
    counts: dict[tuple[int, str, str, int], int] = defaultdict(int)
    for _id, village_id, kind, country, month, sign in events:
        if village_id not in recomputed and kind in FLOW_KINDS:
            counts[(village_id, kind, country or "", month)] += sign
    flows: FlowsByVillage = defaultdict(list)
    for (village_id, kind, country, month), count in counts.items():
        if count:
            flows[village_id].append((kind, country, month, count))
    villages = sorted(flows)
    return flow_series(villages, months, _flow_rows(villages, flows, 0))


def _id_param(text: str) -> Any:
    """An id read as text (a household's, or a house's as hex), as a parameter."""
    return uuid.UUID(text) if connection.vendor == "postgresql" else text


def _chunks(values: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


HOUSEHOLD_COLUMNS = """h.village_id, CAST(h.id AS VARCHAR(36)),
       COALESCE(REPLACE(CAST(h.house_id AS VARCHAR(36)), '-', ''), '')"""


def _deltas(
    changes: list[tuple[Any, ...]], recomputed: set[int], months: int
) -> tuple[dict[int, Series], set[int]]:
    """How much the pending changes move each village's series (those of ``recomputed`` are
    made again from their spans: their changes need no difference), and the villages whose
    changes cannot be taken as a difference (the household is gone, or now in another
    village: a household moved rewrites its spans without the feed)."""
    rows = [row for row in changes if row[10] not in recomputed]
    if not rows:
        return {}, set()
    tables = _tables()
    touched = sorted({row[0] for row in rows})
    found: dict[str, tuple[Any, ...]] = {}
    for chunk in _chunks(touched):
        sql = (
            f"SELECT {HOUSEHOLD_COLUMNS} FROM {tables['household']} h WHERE h.id IN ({_in(chunk)})"
        )
        for row in _fetch(sql, [_id_param(text) for text in chunk]):
            found[row[1]] = row
    fallback: set[int] = set()
    for row in rows:
        household = found.get(row[0])
        if household is None or household[0] != row[10]:
            fallback.add(row[10])
            if household is not None:
                fallback.add(household[0])
    rows = [row for row in rows if row[10] not in fallback]
    if not rows:
        return {}, fallback
    # The households sharing a (village, house) pair with a touched one: a house is vacant
    # when none of its households has anyone present.
    pairs = {(found[row[0]][0], found[row[0]][2]) for row in rows if found[row[0]][2]}
    affected = {found[row[0]][1]: found[row[0]] for row in rows}
    houses = sorted({house for _village, house in pairs})
    for chunk in _chunks(houses):
        sql = (
            f"SELECT {HOUSEHOLD_COLUMNS} FROM {tables['household']} h"
            f" WHERE h.house_id IN ({_in(chunk)})"
        )
        for household in _fetch(sql, [_id_param(house) for house in chunk]):
            if (household[0], household[2]) in pairs:
                affected.setdefault(household[1], household)
    villages = sorted({household[0] for household in affected.values()} - fallback)
    village_position = {village_id: index for index, village_id in enumerate(villages)}
    household_rows = [h for h in affected.values() if h[0] in village_position]
    households, household_position, house_name, house_pair = _household_rows(
        household_rows, village_position
    )
    columns, bounds = _span_columns(0, months)
    current: list[tuple[Any, ...]] = []
    for chunk in _chunks([h[1] for h in household_rows]):
        sql = MEMBER_SPANS_SQL.format(columns=columns, ids=_in(chunk), members=MEMBERS, **tables)
        current.extend(_fetch(sql, [*bounds, *(_id_param(text) for text in chunk)]))
    delta = compute_delta(
        villages,
        months,
        _span_rows(rows, household_position, households, 0, weight=8),
        _span_rows(current, household_position, households, 0),
        households,
        _care(villages, months, 0, house_name, house_pair),
    )
    return delta, fallback


@contextmanager
def _store_transaction() -> Iterator[StoreState]:
    """The transaction of a build or refresh, holding the store's lock (builds and refreshes
    never interleave). On PostgreSQL, when it is not inside another transaction, it reads one
    snapshot of the registry (REPEATABLE READ, taken after the lock): the change feed and the
    spans it is checked against are then of the same moment, so a change committed meanwhile
    is neither counted twice nor lost (it stays in the feed for the next refresh). On SQLite
    the transaction is IMMEDIATE: no write commits during it."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            table = connection.ops.quote_name(StoreState._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                # A lock statement takes no snapshot: the first read after it does.
                cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        yield _lock_state()


def refresh_villages(
    village_ids: Iterable[int],
    since: dt.date | None = None,
    today: dt.date | None = None,
    logged: bool = False,
) -> BuildReport | None:
    """Re-aggregate the villages a write touched from their spans and update their ancestors.

    A village is recomputed from the month of ``since`` on (its earlier months cannot have
    changed: a status on a date depends only on the events up to it), over its whole history
    when ``since`` is None. With ``logged``, the writes were changes held by the change feed
    (``registry.SpanChange`` and ``EventChange``): the store moves by them, and no village is
    recomputed.
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
        # Once a month, in the background worker, which sends nothing meanwhile: on every
        # core, to hold the messages up half as long. The pool's processes keep the worker's
        # signal handlers: stopped, they finish their batch, as the worker finishes its turn.
        logger.info("store holds %s months, the calendar %s: full build", state.months, months)
        return build_all(today=today, jobs=os.cpu_count() or 1)
    with _store_transaction() as state, no_cycle_collection():
        first = 0 if since is None else min(max(month_index(since), 0), months - 1)
        households, rows, skipped, ancestors = _refresh_locked(ids, months, first, logged)
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
