"""The Russian production calendar: which days are working days, from a data file.

Five-day week: Monday to Friday work, except the listed days off; Saturdays and Sundays rest,
except the listed working weekends. Only the years in the file are known; counting into any
other year raises ``OutsideCalendar`` rather than guessing.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "production_calendar.toml"


class CalendarFileError(ValueError):
    """The production calendar file contradicts itself."""


class OutsideCalendar(LookupError):
    """A working-day count reached a year the production calendar does not cover."""

    def __init__(self, year: int) -> None:
        super().__init__(f"the production calendar does not cover {year}")
        self.year = year


@dataclass(frozen=True)
class CalendarYear:
    year: int
    days_off: frozenset[dt.date]
    working_weekends: frozenset[dt.date]
    working_days: int
    source: str
    source_note: str
    source_date: dt.date


@dataclass(frozen=True)
class ProductionCalendar:
    years: dict[int, CalendarYear]

    def is_working_day(self, day: dt.date) -> bool:
        year = self.years.get(day.year)
        if year is None:
            raise OutsideCalendar(day.year)
        if day.weekday() >= 5:
            return day in year.working_weekends
        return day not in year.days_off

    def add_working_days(self, start: dt.date, count: int) -> dt.date:
        """The ``count``-th working day after ``start`` (``start`` itself not counted);
        a negative count goes back."""
        step = dt.timedelta(days=1 if count >= 0 else -1)
        day, left = start, abs(count)
        while left:
            day += step
            if self.is_working_day(day):
                left -= 1
        return day


def parse_calendar(data: dict[str, object]) -> ProductionCalendar:
    years: dict[int, CalendarYear] = {}
    rows = data.get("year")
    if not isinstance(rows, list) or not rows:
        raise CalendarFileError("no [[year]] in the production calendar")
    for row in rows:
        year = int(row["year"])
        if year in years:
            raise CalendarFileError(f"{year} is listed twice")
        days_off = frozenset(row["days_off"])
        weekends = frozenset(row["working_weekends"])
        for day in days_off | weekends:
            if not isinstance(day, dt.date) or day.year != year:
                raise CalendarFileError(f"{year}: {day} is not a date of that year")
        if any(d.weekday() >= 5 for d in days_off):
            raise CalendarFileError(f"{year}: a listed day off falls on a weekend")
        if any(d.weekday() < 5 for d in weekends):
            raise CalendarFileError(f"{year}: a listed working weekend is a weekday")
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        weekdays = sum(
            1 for n in range((last - first).days + 1) if (first + dt.timedelta(n)).weekday() < 5
        )
        counted = weekdays - len(days_off) + len(weekends)
        if counted != int(row["working_days"]):
            raise CalendarFileError(
                f"{year}: the lists give {counted} working days, the file states "
                f"{row['working_days']}"
            )
        years[year] = CalendarYear(
            year=year,
            days_off=days_off,
            working_weekends=weekends,
            working_days=counted,
            source=str(row["source"]),
            source_note=str(row["source_note"]),
            source_date=row["source_date"],
        )
    ordered = sorted(years)
    if ordered != list(range(ordered[0], ordered[-1] + 1)):
        raise CalendarFileError(f"the production calendar has a gap between years: {ordered}")
    return ProductionCalendar(years=years)


@cache
def production_calendar() -> ProductionCalendar:
    return parse_calendar(tomllib.loads(DATA.read_text(encoding="utf-8")))
