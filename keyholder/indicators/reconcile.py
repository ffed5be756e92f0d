"""Registry figures side by side with official ones: coverage, gap and growth.

An official figure names its indicator in its publisher's words; ``OFFICIAL_EQUIVALENTS`` in the
catalogue says which registry figure answers it. A stock (``abroad``, ``residents``) is compared
with the registry's value on the figure's very day: the store's month end when the day is one
("2023-12-31"), otherwise the month end before it corrected by the few persons with events in
between (``day_correction``); other stocks, and days in January 2015, use the month's end. A
flow published for a calendar year (its ``period`` is a year, or its unit is per year) is
compared with the registry's total over that year, otherwise with the month's total.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from keyholder.indicators import catalogue
from keyholder.indicators.access import indicator_place
from keyholder.indicators.disclosure import Cell, count_cell
from keyholder.indicators.months import month_end, month_index, month_start
from keyholder.indicators.queries import load, store_info
from keyholder.places.models import OfficialFigure, Place, subtree_q
from keyholder.registry.models import EventKind, MigrationEvent, Person
from keyholder.registry.queries import events_by_person
from keyholder.registry.status import State, replay

YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class RegistryFigure:
    indicator: str
    dimension: str
    months: tuple[int, int]
    cell: Cell


@dataclass(frozen=True)
class Comparison:
    figure: OfficialFigure
    registry: RegistryFigure | None
    # registry / official, official - registry; None without a registry figure.
    coverage: float | None
    gap: float | None
    previous: OfficialFigure | None
    official_growth: float | None
    registry_growth: float | None


def _is_yearly(figure: OfficialFigure) -> bool:
    return bool(YEAR.match(figure.period or "")) or "year" in (figure.unit or "")


def registry_months(figure: OfficialFigure) -> tuple[int, int]:
    name = catalogue.OFFICIAL_EQUIVALENTS.get(figure.indicator, ("", ""))[0]
    spec = catalogue.CATALOGUE.get(name)
    if spec is not None and not spec.is_stock and _is_yearly(figure):
        year = int(figure.period) if YEAR.match(figure.period or "") else figure.as_of.year
        return month_index(dt.date(year, 1, 1)), month_index(dt.date(year, 12, 1))
    index = month_index(figure.as_of)
    return index, index


Stored = dict[tuple[int, str, str], tuple[int, list[int]]]


def series_for(place: Place, figures: Iterable[OfficialFigure]) -> Stored:
    """The stored series of ``place`` the registry needs to answer ``figures``: one query."""
    wanted = {
        catalogue.OFFICIAL_EQUIVALENTS[f.indicator]
        for f in figures
        if f.indicator in catalogue.OFFICIAL_EQUIVALENTS
    }
    if not wanted:
        return {}
    return load([place.pk], {n for n, _d in wanted}, {d for _n, d in wanted})


def registry_figure(
    place: Place, figure: OfficialFigure, months_held: int, stored: Stored, exact: bool
) -> RegistryFigure | None:
    """The registry's figure to set beside an official one, disclosed as ``exact`` says: a
    stock on the figure's very day (``DAY_EXACT``) or at its month's end, a flow over its month
    or calendar year. ``None`` when the registry has no equivalent or does not hold the months.
    ``stored`` holds the place's series (``series_for``). The reconciliation and the dashboard
    both set the registry beside official figures through this one function."""
    equivalent = catalogue.OFFICIAL_EQUIVALENTS.get(figure.indicator)
    if equivalent is None:
        return None
    name, dimension = equivalent
    first, last = registry_months(figure)
    if first < 0 or last >= months_held:
        return None
    start, values = stored.get((place.pk, name, dimension), (0, []))

    def at(month: int) -> int:
        return int(values[month - start]) if 0 <= month - start < len(values) else 0

    # A stock published for a day inside a month ("24,000 on 15 July 2024") is set beside the
    # registry on that very day: the month end before it, corrected by the events in between.
    if name in DAY_EXACT and not dimension and first > 0 and figure.as_of != month_end(first):
        total = at(first - 1) + day_correction(place, name, figure.as_of)
    else:
        total = sum(at(m) for m in range(first, last + 1))
    return RegistryFigure(name, dimension, (first, last), count_cell(total, exact))


def previous_figure(
    figures: Iterable[OfficialFigure], figure: OfficialFigure
) -> OfficialFigure | None:
    """The figure growth runs from: of the same indicator, one of the latest date before
    ``figure``'s (figures of the same date from different sources are not a growth).

    Of several figures of that date, the last entered (highest pk): the one ``reconcile`` shows
    as the latest figure on that date, so that growth always runs from a figure the reader saw.
    """
    earlier = [f for f in figures if f.indicator == figure.indicator and f.as_of < figure.as_of]
    return max(earlier, key=lambda f: (f.as_of, f.pk), default=None)


def compare(
    figure: OfficialFigure,
    registry: RegistryFigure | None,
    previous: OfficialFigure | None,
    previous_registry: RegistryFigure | None,
) -> Comparison:
    """An official figure beside the registry's: coverage (registry / official), gap
    (official - registry), and growth since ``previous`` (official and registry alike)."""
    coverage = gap = official_growth = registry_growth = None
    value = registry.cell.value if registry is not None else None
    if value is not None:
        coverage = _ratio(float(value), float(figure.value))
        gap = float(figure.value) - float(value)
    if previous is not None:
        official_growth = _growth(previous.value, figure.value)
        before = previous_registry.cell.value if previous_registry is not None else None
        if value is not None and before:
            registry_growth = float(value) / float(before) - 1
    return Comparison(figure, registry, coverage, gap, previous, official_growth, registry_growth)


# Stocks that ``day_correction`` can carry from a month end to any day exactly: they change
# only through events (an entry ban also ends by its date, so it is not among them).
DAY_EXACT = {
    "abroad": lambda status: status.state == State.ABROAD,
    "residents": lambda status: status.alive_member,
}


def day_correction(place: Place, name: str, day: dt.date) -> int:
    """How much a stock moved from the last month end before ``day`` to ``day`` itself.

    An official figure dated mid-month ("24,000 on 15 July 2024") is compared with the
    registry on that very day: the stored month end before it, plus the change of the persons
    with events in between, replayed with ``registry.status``. Everybody else has the same
    status on both days. The read is bounded by the days of that one month, through the
    (kind, date) index of events.
    """
    count = DAY_EXACT[name]
    before = month_start(month_index(day)) - dt.timedelta(days=1)
    person_ids = set(
        MigrationEvent.objects.filter(
            subtree_q(place, "person__household__village__"),
            kind__in=EventKind.values,
            date__gt=before,
            date__lte=day,
        ).values_list("person_id", flat=True)
    )
    if not person_ids:
        return 0
    births = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "birth_year"))
    delta = 0
    for person_id, events in events_by_person(person_ids).items():
        birth_year = births[person_id]
        delta += int(count(replay(events, birth_year, on=day))) - int(
            count(replay(events, birth_year, on=before))
        )
    return delta


def registry_value(user: Any, place: Place | str, figure: OfficialFigure) -> Cell | None:
    """The registry's figure to set beside an official one, disclosed for ``user``: the stock
    on the figure's very day, or the flow over its month or calendar year. ``None`` when the
    registry has no equivalent."""
    view = indicator_place(user, place)
    stored = series_for(view.place, [figure])
    found = registry_figure(view.place, figure, store_info().months, stored, view.exact)
    return None if found is None else found.cell


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def official_figures(user: Any, place: Place | str) -> list[OfficialFigure]:
    """The official figures of a place, oldest first (published numbers, not suppressed)."""
    view = indicator_place(user, place)
    return list(
        OfficialFigure.objects.filter(place=view.place)
        .select_related("place")
        .order_by("indicator", "as_of", "source")
    )


def reconcile(user: Any, place: Place | str, on: dt.date | None = None) -> list[Comparison]:
    """For each official indicator of the place: its latest figure on or before ``on`` beside
    the registry's figure for the same date, with coverage, gap, and growth since the previous
    figure of the same indicator (official and registry alike)."""
    view = indicator_place(user, place)
    figures = list(
        OfficialFigure.objects.filter(place=view.place, as_of__lte=on or dt.date.max).order_by(
            "indicator", "as_of", "pk"
        )
    )
    stored = series_for(view.place, figures)
    months_held = store_info().months
    # Figures are in (indicator, date, pk) order: the last of an indicator is its latest.
    latest_of = {figure.indicator: figure for figure in figures}
    out = []
    for latest in latest_of.values():
        previous = previous_figure(figures, latest)
        out.append(
            compare(
                latest,
                registry_figure(view.place, latest, months_held, stored, view.exact),
                previous,
                None
                if previous is None
                else registry_figure(view.place, previous, months_held, stored, view.exact),
            )
        )
    return out


def _growth(before: Decimal, after: Decimal) -> float | None:
    if not before:
        return None
    return float(after) / float(before) - 1
