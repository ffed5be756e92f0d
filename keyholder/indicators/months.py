"""Months as integer indexes from the store's epoch (2015-01), so series are plain lists.

Index 0 is January 2015. A stock's value for month ``i`` is its value on ``month_end(i)``;
an event dated ``d`` first shows in month ``month_index(d)``.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from keyholder.core import dates
from keyholder.core.errors import Code, ServiceError

EPOCH_YEAR = 2015
EPOCH = dt.date(EPOCH_YEAR, 1, 1)


def month_index(day: dt.date) -> int:
    return (day.year - EPOCH_YEAR) * 12 + day.month - 1


def month_start(index: int) -> dt.date:
    year, month = divmod(index, 12)
    return dt.date(EPOCH_YEAR + year, month + 1, 1)


def month_end(index: int) -> dt.date:
    return dates.month_end(month_start(index))


def january_index(year: int) -> int:
    return (year - EPOCH_YEAR) * 12


def year_of(index: int) -> int:
    return EPOCH_YEAR + index // 12


def expiry_index(until: dt.date) -> int:
    """The first month whose last day is after ``until`` (a ban ending then is over)."""
    return month_index(until + dt.timedelta(days=1))


def current_month_count(today: dt.date | None = None) -> int:
    """How many months the store holds: from the epoch up to and including this month."""
    return month_index(today or timezone.localdate()) + 1


def label(index: int) -> str:
    start = month_start(index)
    return f"{start.year:04d}-{start.month:02d}"


def parse_month(value: str, field: str) -> int:
    """Parse ``YYYY-MM`` into a month index, refusing anything else."""
    try:
        year_text, month_text = value.split("-")
        year, month = int(year_text), int(month_text)
        if len(year_text) != 4 or not 1 <= month <= 12:
            raise ValueError(value)
    except ValueError as exc:
        raise ServiceError(Code.INDICATORS_BAD_MONTH, field=field, value=value) from exc
    return month_index(dt.date(year, month, 1))
