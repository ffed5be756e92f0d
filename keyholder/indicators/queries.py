"""The read interface of the analytics store, for the API, the dashboard pages and the exports.

Every public function here takes the reader (``user``, possibly anonymous) first, checks the
place with ``access.indicator_place`` (``not_found`` for a place outside an officer's area) and
returns figures already passed through ``disclosure``: the caller renders what it gets and
never sees a number the reader may not see. Nothing here reads events: one indexed query on
``IndicatorSeries`` answers each call.

Months are given as ``"YYYY-MM"`` strings, ``datetime.date`` (any day of the month) or month
indexes (0 = 2015-01); ``None`` means the first or last month the store holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from keyholder.indicators import catalogue, public
from keyholder.indicators.access import PlaceView, indicator_place
from keyholder.indicators.catalogue import Indicator
from keyholder.indicators.disclosure import Cell, count_cell, disclose_series, threshold
from keyholder.indicators.models import IndicatorSeries, StoreState
from keyholder.indicators.months import current_month_count, label, month_index, parse_month
from keyholder.places.models import Place

Month = str | int | dt.date | None

HEADLINE = (
    "abroad",
    "share_abroad",
    "departures",
    "returns",
    "deportations",
    "households_fully_abroad",
    "vacant_houses",
    "elderly_only_households",
)


@dataclass(frozen=True)
class Point:
    month: str
    cell: Cell


@dataclass(frozen=True)
class PlaceSeries:
    place: Place
    indicator: Indicator
    dimension: str
    exact: bool
    points: list[Point]


@dataclass(frozen=True)
class Headline:
    indicator: Indicator
    month: str
    value: Cell
    previous: Cell
    # "up", "down", "flat", or None when either figure is withheld.
    trend: str | None


@dataclass(frozen=True)
class BreakdownItem:
    dimension: str  # e.g. "country:RU"
    key: str  # e.g. "RU"
    cell: Cell


@dataclass(frozen=True)
class ChildValue:
    place: Place
    cell: Cell


@dataclass
class StoreInfo:
    months: int
    first_month: str
    last_month: str
    built_at: dt.datetime | None
    refreshed_at: dt.datetime | None
    extra: dict[str, Any] = field(default_factory=dict)


def disclosure_threshold() -> int:
    return threshold()


def store_info() -> StoreInfo:
    """How far the store reaches and when it was built (for "figures as of" lines)."""
    state = StoreState.objects.filter(pk=1).first()
    months = state.months if state and state.months else current_month_count()
    return StoreInfo(
        months,
        label(0),
        label(months - 1),
        state.built_at if state else None,
        state.refreshed_at if state else None,
    )


def month_of(value: Month, default: int, field_name: str = "month") -> int:
    if value is None:
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, dt.date):
        return month_index(value)
    return parse_month(value, field_name)


def _span(start: Month, end: Month) -> tuple[int, int]:
    last = store_info().months - 1
    first_index = max(month_of(start, 0, "from"), 0)
    last_index = min(month_of(end, last, "to"), last)
    if last_index < first_index:
        from keyholder.core.errors import Code, ServiceError

        raise ServiceError(Code.INDICATORS_BAD_PERIOD, field="to")
    return first_index, last_index


def load(
    place_ids: Sequence[int],
    names: Iterable[str],
    dimensions: Iterable[str] | None = None,
    dimension_prefix: str | None = None,
) -> dict[tuple[int, str, str], tuple[int, list[int]]]:
    """Raw stored series: (place id, indicator, dimension) -> (start month, values).

    Unscoped and exact: only for callers that have already checked the place with
    ``access.indicator_place`` and pass the figures through ``disclosure`` (exports do).
    """
    rows = IndicatorSeries.objects.filter(place_id__in=list(place_ids), indicator__in=list(names))
    if dimensions is not None:
        rows = rows.filter(dimension__in=list(dimensions))
    if dimension_prefix is not None:
        rows = rows.filter(dimension__startswith=f"{dimension_prefix}:")
    return {
        (place_id, indicator, dimension): (start, values)
        for place_id, indicator, dimension, start, values in rows.values_list(
            "place_id", "indicator", "dimension", "start", "values"
        )
    }


def _values(
    stored: dict[tuple[int, str, str], tuple[int, list[int]]],
    place_id: int,
    name: str,
    dimension: str,
    first: int,
    last: int,
) -> list[int]:
    found = stored.get((place_id, name, dimension))
    if found is None:
        return [0] * (last - first + 1)
    start, values = found
    return [
        int(values[m - start]) if 0 <= m - start < len(values) else 0
        for m in range(first, last + 1)
    ]


def _needed(indicator: Indicator) -> tuple[str, ...]:
    return indicator.derived if indicator.derived else (indicator.name,)


def _cells(
    stored: dict[tuple[int, str, str], tuple[int, list[int]]],
    place_id: int,
    indicator: Indicator,
    dimension: str,
    first: int,
    last: int,
    exact: bool,
) -> list[Cell]:
    if indicator.derived:
        numerator, denominator = indicator.derived
        return disclose_series(
            _values(stored, place_id, numerator, dimension, first, last),
            exact,
            _values(stored, place_id, denominator, "", first, last),
        )
    return disclose_series(_values(stored, place_id, indicator.name, dimension, first, last), exact)


def public_cells(
    places: Sequence[Place], indicator: Indicator, dimension: str, first: int, last: int
) -> dict[int, list[Cell]]:
    """Public cells of one indicator (a share from its public parts) for each place."""
    found = public.counts(places, _needed(indicator), first, last, {dimension, ""})
    if indicator.derived:
        top, bottom = indicator.derived
        return {
            p.pk: public.share(found[(p.pk, top, dimension)], found[(p.pk, bottom, "")])
            for p in places
        }
    return {p.pk: found[(p.pk, indicator.name, dimension)] for p in places}


def _series_for(
    views: Sequence[PlaceView], indicator: Indicator, dimension: str, first: int, last: int
) -> list[PlaceSeries]:
    if views and not views[0].exact:
        found = public_cells([v.place for v in views], indicator, dimension, first, last)
        return [
            PlaceSeries(
                v.place,
                indicator,
                dimension,
                False,
                [Point(label(first + i), cell) for i, cell in enumerate(found[v.place.pk])],
            )
            for v in views
        ]
    dims = {dimension, ""}
    stored = load([v.place.pk for v in views], _needed(indicator), dims)
    out = []
    for view in views:
        cells = _cells(stored, view.place.pk, indicator, dimension, first, last, view.exact)
        points = [Point(label(first + i), cell) for i, cell in enumerate(cells)]
        out.append(PlaceSeries(view.place, indicator, dimension, view.exact, points))
    return out


def series(
    user: Any,
    place: Place | str,
    indicator: str,
    start: Month = None,
    end: Month = None,
    dimension: str = "",
) -> PlaceSeries:
    """The monthly series of one indicator (or one breakdown, e.g. ``"country:RU"``)."""
    view = indicator_place(user, place)
    spec = catalogue.get(indicator)
    dimension = catalogue.check_dimension(spec, dimension)
    first, last = _span(start, end)
    return _series_for([view], spec, dimension, first, last)[0]


def children_series(
    user: Any,
    place: Place | str,
    indicator: str,
    start: Month = None,
    end: Month = None,
    dimension: str = "",
) -> list[PlaceSeries]:
    """The series of every child place (villages of a jamoat, jamoats of a district...)."""
    view = indicator_place(user, place)
    spec = catalogue.get(indicator)
    dimension = catalogue.check_dimension(spec, dimension)
    first, last = _span(start, end)
    children = list(Place.objects.defer("boundary").filter(parent=view.place).order_by("code"))
    if not view.exact:
        # Public pages stop at the jamoat: its villages are not listed for the public.
        children = [c for c in children if not public.is_below_public(c)]
    views = [PlaceView(child, view.exact) for child in children]
    return _series_for(views, spec, dimension, first, last)


def children_values(
    user: Any, place: Place | str, indicator: str, month: Month = None
) -> list[ChildValue]:
    """One figure per child place for one month: the numbers of a choropleth map."""
    found = children_series(user, place, indicator, month, month if month is not None else None)
    if month is None:
        return [ChildValue(s.place, s.points[-1].cell) for s in found]
    return [ChildValue(s.place, s.points[0].cell) for s in found]


def _trend(value: Cell, previous: Cell) -> str | None:
    if value.value is None or previous.value is None:
        return None
    if value.value > previous.value:
        return "up"
    if value.value < previous.value:
        return "down"
    return "flat"


def headline(
    user: Any, place: Place | str, month: Month = None, indicators: Sequence[str] = HEADLINE
) -> list[Headline]:
    """The headline figures of a month with the month before, for trend arrows.

    The trend compares the figures as the reader sees them (rounded for the public), so an
    arrow never reveals a change hidden by rounding.
    """
    view = indicator_place(user, place)
    last = store_info().months - 1
    current = min(month_of(month, last), last)
    previous = max(current - 1, 0)
    specs = [catalogue.get(name) for name in indicators]
    needed = {name for spec in specs for name in _needed(spec)}
    if view.exact:
        stored = load([view.place.pk], needed, [""])
    else:
        found = public.counts([view.place], needed, previous, current)
    out = []
    for spec in specs:
        if view.exact:
            cells = _cells(stored, view.place.pk, spec, "", previous, current, view.exact)
        elif spec.derived:
            top, bottom = spec.derived
            cells = public.share(
                found[(view.place.pk, top, "")], found[(view.place.pk, bottom, "")]
            )
        else:
            cells = found[(view.place.pk, spec.name, "")]
        value, before = cells[-1], cells[0]
        out.append(Headline(spec, label(current), value, before, _trend(value, before)))
    return out


def breakdown(
    user: Any, place: Place | str, indicator: str, month: Month = None, prefix: str = "country"
) -> list[BreakdownItem]:
    """The breakdown of an indicator by ``prefix`` ("country", "sex", "age") for one month,
    largest first (age bands in their natural order)."""
    view = indicator_place(user, place)
    spec = catalogue.get(indicator)
    if prefix not in spec.breakdowns:
        from keyholder.core.errors import Code, ServiceError

        raise ServiceError(Code.INDICATORS_UNKNOWN_DIMENSION, field="dimension", value=prefix)
    last = store_info().months - 1
    current = min(month_of(month, last), last)
    items = []
    if not view.exact:
        found = public.counts([view.place], [spec.name], current, current, None, prefix)
        for (_place_id, _name, dimension), cells in found.items():
            if dimension and (cells[0].value is not None or prefix != catalogue.COUNTRY):
                items.append(BreakdownItem(dimension, dimension.partition(":")[2], cells[0]))
    stored = load([view.place.pk], [spec.name], dimension_prefix=prefix) if view.exact else {}
    for _place_id, _name, dimension in stored:
        value = _values(stored, view.place.pk, spec.name, dimension, current, current)[0]
        if value or prefix != catalogue.COUNTRY:
            items.append(
                BreakdownItem(dimension, dimension.partition(":")[2], count_cell(value, view.exact))
            )
    if prefix == catalogue.AGE:
        order = {f"{catalogue.AGE}:{lab}": i for i, lab in enumerate(catalogue.AGE_BAND_LABELS)}
        items.sort(key=lambda item: order.get(item.dimension, 99))
    else:
        # Ordered by the figures as the reader sees them, so the order reveals nothing more.
        items.sort(key=lambda item: (-(item.cell.value or 0), item.key))
    return items
