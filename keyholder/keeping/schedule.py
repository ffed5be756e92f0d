"""Dates that follow from an agreement's history and its duties. Pure: no database access.

The services feed these functions with rows they have loaded, so that the rules (when is a
house under care, when is a round or a watering due, which fee periods are charged) live in one
place and are easy to test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from keyholder.core.dates import add_months, month_end, month_start

Interval = tuple[dt.date, dt.date | None]

# When no watering season is recorded for a village and year, a fee "per season" follows the
# usual irrigation season of the Ferghana valley, April to October.
DEFAULT_SEASON = ((4, 1), (10, 31))


@dataclass(frozen=True)
class ChangeLike:
    kind: str  # pause | resume | end
    date: dt.date


def active_intervals(
    start: dt.date, end: dt.date | None, changes: Iterable[ChangeLike]
) -> list[Interval]:
    """The periods during which the agreement was in force and not paused (ends inclusive)."""
    intervals: list[Interval] = []
    current: dt.date | None = start
    for change in sorted(changes, key=lambda c: c.date):
        if change.kind in ("pause", "end") and current is not None:
            # A pause starts on its date (the day before was the last day of care); an end
            # date is the last day of care itself.
            last = change.date - dt.timedelta(days=1) if change.kind == "pause" else change.date
            if last >= current:
                intervals.append((current, last))
            current = None
        elif change.kind == "resume" and current is None:
            current = change.date
    if current is not None:
        intervals.append((current, end))
    # A planned end is the last day of care even when a pause is recorded after it.
    if end is not None:
        intervals = [(a, end if b is None or b > end else b) for a, b in intervals]
    return [(a, b) for a, b in intervals if b is None or a <= b]


def agreement_intervals(
    start: dt.date, end: dt.date | None, status: str, changes: Iterable[ChangeLike]
) -> list[Interval]:
    """When an agreement has its house under care: ``active_intervals`` of its history.

    An agreement marked ended with no date for its end (only possible by editing rows by hand:
    ending one through the services records the date) never counts, since nobody knows when
    its care stopped.
    """
    changes = list(changes)
    if status == "ended" and end is None and not any(c.kind == "end" for c in changes):
        return []
    return active_intervals(start, end, changes)


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """The same days as ``intervals``, as few disjoint intervals as possible, in order."""
    merged: list[Interval] = []
    for first, last in sorted(intervals, key=lambda i: i[0]):
        if last is not None and last < first:
            continue
        if merged:
            previous_first, previous_last = merged[-1]
            if previous_last is None:
                continue
            if first <= previous_last + dt.timedelta(days=1):
                merged[-1] = (
                    previous_first,
                    None if last is None else max(last, previous_last),
                )
                continue
        merged.append((first, last))
    return merged


def is_active_on(intervals: Sequence[Interval], day: dt.date) -> bool:
    return any(a <= day and (b is None or day <= b) for a, b in intervals)


def overlaps(intervals: Sequence[Interval], first: dt.date, last: dt.date) -> bool:
    return any(a <= last and (b is None or first <= b) for a, b in intervals)


def every_n_days(anchor: dt.date, n: int, first: dt.date, last: dt.date) -> Iterator[dt.date]:
    """The dates anchor + k*n (k >= 0) that fall within [first, last]."""
    if n <= 0 or last < first:
        return
    if first <= anchor:
        day = anchor
    else:
        steps = -(-(first - anchor).days // n)
        day = anchor + dt.timedelta(days=steps * n)
    while day <= last:
        yield day
        day += dt.timedelta(days=n)


@dataclass(frozen=True)
class DutyLike:
    kind: str
    every_days: int | None
    follows_water_turns: bool
    starts_on: dt.date
    due_date: dt.date | None


def duty_dates(
    duty: DutyLike,
    first: dt.date,
    last: dt.date,
    intervals: Sequence[Interval],
    seasons: Sequence[tuple[dt.date, dt.date]] = (),
    water_turns: Iterable[dt.date] = (),
) -> list[dt.date]:
    """The due dates of a duty within [first, last], on days the agreement is in force."""
    first = max(first, duty.starts_on)
    if last < first:
        return []
    dates: list[dt.date] = []
    if duty.kind == "other":
        if duty.due_date is not None and first <= duty.due_date <= last:
            dates = [duty.due_date]
    elif duty.kind == "security_round":
        dates = list(every_n_days(duty.starts_on, duty.every_days or 7, first, last))
    elif duty.kind == "watering":
        if duty.follows_water_turns:
            in_season = sorted(
                d
                for d in set(water_turns)
                if first <= d <= last and (not seasons or any(s <= d <= e for s, e in seasons))
            )
            dates = in_season
        else:
            for season_start, season_end in seasons:
                dates.extend(
                    every_n_days(
                        season_start,
                        duty.every_days or 7,
                        max(first, season_start),
                        min(last, season_end),
                    )
                )
    return [d for d in dates if is_active_on(intervals, d)]


def fee_periods(
    period: str,
    intervals: Sequence[Interval],
    until: dt.date,
    seasons: dict[int, tuple[dt.date, dt.date]] | None = None,
) -> list[tuple[dt.date, dt.date]]:
    """The fee periods that began on or before ``until`` and overlap a time of care."""
    if not intervals:
        return []
    first_day = min(a for a, _ in intervals)
    periods: list[tuple[dt.date, dt.date]] = []
    if period == "month":
        day = month_start(first_day)
        while day <= until:
            periods.append((day, month_end(day)))
            day = add_months(day, 1)
    elif period == "year":
        for year in range(first_day.year, until.year + 1):
            periods.append((dt.date(year, 1, 1), dt.date(year, 12, 31)))
    elif period == "season":
        for year in range(first_day.year, until.year + 1):
            if seasons and year in seasons:
                periods.append(seasons[year])
            else:
                (sm, sd), (em, ed) = DEFAULT_SEASON
                periods.append((dt.date(year, sm, sd), dt.date(year, em, ed)))
    return [(a, b) for a, b in periods if a <= until and overlaps(intervals, a, b)]
