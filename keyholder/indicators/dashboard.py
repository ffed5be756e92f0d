"""Everything the dashboard page of a place shows, gathered through the scoped read interface.

Figures come from ``queries`` (scoped to the reader and disclosed: public figures suppressed and
rounded, exact ones only within the reader's area) and official figures from the places app.
The view renders what ``build`` returns and reads nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from keyholder.accounts.access import place_in_area
from keyholder.indicators import catalogue, queries, reconcile
from keyholder.indicators.access import PlaceView, indicator_place, is_public
from keyholder.indicators.disclosure import Cell
from keyholder.indicators.maps import (
    SHARE_BREAKS,
    VACANCY_BREAKS,
    MapData,
    build_map,
    legend,
    share_class,
    village_points,
)
from keyholder.indicators.models import IndicatorSeries
from keyholder.indicators.months import label, month_start
from keyholder.indicators.public import COVERAGE
from keyholder.places.models import OfficialFigure, Place, PlaceKind, subtree_q

TREND = ("abroad", "departures", "returns", "deportations")
HEADLINES = (
    "abroad",
    "share_abroad",
    "departures",
    "returns",
    "deportations",
    "vacant_houses",
    "vacant_houses_kept",
    "vacant_houses_unkept",
    "households_fully_abroad",
    "elderly_only_households",
)
LAYERS = ("share_abroad", "vacancy_rate")
BREAKDOWNS = (catalogue.COUNTRY, catalogue.SEX, catalogue.AGE)

# Official figures are published under their publisher's names; these are the ones shipped.
OFFICIAL_LABELS: dict[str, Promise] = {
    "residents_in_labour_migration": _("Residents in labour migration"),
    "migrants_departed_to_russia_in_year": _("Migrants who left for Russia in the year"),
    "labour_migrants_departed": _("Labour migrants who left in the year"),
    "labour_migrants_departed_to_russia": _("Labour migrants who left for Russia in the year"),
    "labour_migrants_departed_to_kazakhstan": _(
        "Labour migrants who left for Kazakhstan in the year"
    ),
    "labour_migrants_returned": _("Labour migrants who returned in the year"),
    "population": _("Population"),
    "remittances_pct_gdp": _("Remittances as a share of GDP, per cent"),
    "remittances_usd_bn": _("Remittances, billion US dollars"),
    "citizens_at_risk_of_deportation_from_russia": _("Citizens at risk of deportation from Russia"),
}
SEX_LABELS: dict[str, Promise] = {"f": _("Women"), "m": _("Men")}
# The qualifiers of the shipped figures ("about 24,000"), in the reader's language.
# "derived": computed by the source's reporter from other published figures.
QUALIFIERS: dict[str, Promise] = {
    "about": _("about"),
    "more than": _("more than"),
    "derived": _("derived"),
}


@dataclass(frozen=True)
class OfficialRow:
    figure: OfficialFigure
    label: str
    registry: Cell | None
    registry_month: str
    coverage: float | None
    gap: float | None
    previous: OfficialFigure | None
    official_growth: float | None
    registry_growth: float | None

    @property
    def qualifier(self) -> str:
        text = self.figure.qualifier
        return str(QUALIFIERS.get(text, text))


@dataclass(frozen=True)
class ChildRow:
    place: Place
    url: str | None
    abroad: Cell
    share: Cell
    vacancy: Cell


@dataclass(frozen=True)
class TrendRow:
    month: str
    cells: list[Cell]


def _crumbs(user: Any, view: PlaceView) -> list[dict[str, str | None]]:
    """Country down to the place; a link only where the reader may open the dashboard."""
    chain = [*view.place.ancestors(), view.place]
    public = is_public(user)
    return [
        {
            "label": p.name,
            "url": reverse("indicators:dashboard", args=[p.code])
            if public or place_in_area(user, p)
            else None,
        }
        for p in chain
    ]


def official_rows(view: PlaceView, months_held: int) -> tuple[list[OfficialRow], list[OfficialRow]]:
    """Every official figure of the place: those the registry can answer beside the registry's
    figure for the same date (coverage = registry / official, gap = official - registry, growth
    since the previous figure of the same indicator), and the others on their own.

    One query for the figures, one for the registry series they need, whatever their number.
    """
    figures = list(
        OfficialFigure.objects.filter(place=view.place).order_by("indicator", "as_of", "pk")
    )
    stored = reconcile.series_for(view.place, figures)
    registry = {
        f.pk: reconcile.registry_figure(view.place, f, months_held, stored, view.exact)
        for f in figures
    }
    compared: list[OfficialRow] = []
    others: list[OfficialRow] = []
    for figure in figures:
        # The same comparison as the reconciliation's, growth from the same previous figure.
        previous = reconcile.previous_figure(figures, figure)
        found = registry[figure.pk]
        comparison = reconcile.compare(
            figure, found, previous, registry[previous.pk] if previous is not None else None
        )
        if found is None:
            months = ""
        elif found.months[0] == found.months[1]:
            months = label(found.months[0])
        else:
            months = f"{label(found.months[0])} – {label(found.months[1])}"
        row = OfficialRow(
            figure,
            str(OFFICIAL_LABELS.get(figure.indicator, figure.indicator)),
            found.cell if found is not None else None,
            months,
            comparison.coverage,
            comparison.gap,
            comparison.previous,
            comparison.official_growth,
            comparison.registry_growth,
        )
        (compared if found is not None else others).append(row)
    return compared, others


def _num(cell: Cell | None) -> float | None:
    return float(cell.value) if cell is not None and cell.value is not None else None


def _map(view: PlaceView, children: Sequence[Place], rows: dict[int, ChildRow]) -> MapData:
    place = view.place
    geometry = dict(
        Place.objects.filter(pk__in=[c.pk for c in children]).values_list("pk", "boundary")
    )
    for child in children:
        # Children were read without their boundary (it can be large); reattach it here.
        child.boundary = geometry.get(child.pk)
    # The outline is the place's own boundary, else its nearest ancestor's (a jamoat sits
    # inside its district's outline).
    outline = None
    for code in reversed(place.path.split("/")):
        found = Place.objects.filter(code=code, boundary__isnull=False).only("boundary").first()
        if found is not None:
            outline = found
            break
    missing = [
        c for c in children if not c.boundary and (c.latitude is None or c.longitude is None)
    ]
    dots: list[tuple[float, float]] = []
    fallback: dict[int, tuple[float, float]] = {}
    if place.kind in (PlaceKind.DISTRICT, PlaceKind.JAMOAT, PlaceKind.TOWN) or missing:
        dots, middles = village_points(place)
        fallback = {c.pk: middles[c.code] for c in missing if c.code in middles}
    if place.kind == PlaceKind.JAMOAT:
        # The villages are the children themselves: no separate dots.
        dots = []
    own_outline = outline is not None and outline.pk == place.pk
    data = build_map(outline, children, fallback, dots, frame_outline=own_outline or not children)
    for shape in data.shapes:
        row = rows[shape.place.pk]
        shape.share_class = _class(row.share, SHARE_BREAKS)
        shape.vacancy_class = _class(row.vacancy, VACANCY_BREAKS)
    return data


def _class(cell: Cell, breaks: Sequence[float]) -> str:
    """A choropleth class; "nd" (no data: no household in the registry) is drawn apart from
    "qn" (withheld)."""
    if cell.value is None and not cell.suppressed:
        return "nd"
    return share_class(_num(cell), breaks)


@dataclass(frozen=True)
class Coverage:
    """How much of a place the registry holds: places of one level with households in it."""

    covered: list[Place]
    total: int
    level: str  # "district" or "inside"


def coverage(place: Place) -> Coverage | None:
    """None when the registry holds every place inside (or there is none); otherwise which.

    Countries and regions are counted in districts, other places in the places directly
    inside. Two queries.
    """
    if place.kind in (PlaceKind.COUNTRY, PlaceKind.REGION):
        inside = Place.objects.filter(subtree_q(place), kind=PlaceKind.DISTRICT)
        level = "district"
    else:
        inside = Place.objects.filter(parent=place)
        level = "inside"
    ids = list(inside.values_list("pk", flat=True))
    covered_ids = set(
        IndicatorSeries.objects.filter(
            place_id__in=ids, indicator=COVERAGE, dimension=""
        ).values_list("place_id", flat=True)
    )
    if not ids or len(covered_ids) == len(ids):
        return None
    covered = list(Place.objects.defer("boundary").filter(pk__in=covered_ids).order_by("code"))
    return Coverage(covered, len(ids), level)


def _any_series(
    user: Any, place: Place, name: str, dimension: str, breakdowns: list[Any]
) -> dict[str, Any]:
    """One indicator of the catalogue (or one of its breakdowns) over time: chart and table."""
    spec = catalogue.get(name)
    found = queries.series(user, place, name, dimension=dimension)
    options: list[tuple[str, str]] = [("", str(_("All")))]
    for prefix in spec.breakdowns:
        if prefix == catalogue.SEX:
            options += [(f"sex:{k}", str(v)) for k, v in SEX_LABELS.items()]
        elif prefix == catalogue.AGE:
            options += [(f"age:{band}", band) for band in catalogue.AGE_BAND_LABELS]
        else:
            options += [
                (item.dimension, item.key) for group, item, _l in breakdowns if group == prefix
            ]
    return {
        "spec": spec,
        "dimension": found.dimension,
        "options": options,
        "rows": [(p.month, p.cell) for p in reversed(found.points)],
        "chart": {
            "months": [p.month for p in found.points],
            "series": {spec.name: [p.cell.value for p in found.points]},
            "labels": {spec.name: str(spec.label)},
            "time": str(_("Month")),
            "share": not spec.is_count,
        },
    }


def build(
    user: Any,
    code: str,
    month: str | None = None,
    series_name: str | None = None,
    dimension: str = "",
) -> dict[str, Any]:
    """The dashboard of the place ``code`` as ``user`` may see it (``not_found`` otherwise).

    ``month`` (YYYY-MM) is the month of the headline figures, breakdowns and map; by default
    the last complete month (the current month is still provisional).
    """
    view = indicator_place(user, code)
    place = view.place
    info = queries.store_info()
    last = info.months - 1
    current = min(queries.month_of(month, last), last) if month else max(last - 1, 0)
    headline = queries.headline(user, place, current, HEADLINES)
    trend_series = [queries.series(user, place, name) for name in TREND]
    months = [p.month for p in trend_series[0].points]
    # The table reads newest first; the chart runs left to right in time.
    trend = [TrendRow(m, [s.points[i].cell for s in trend_series]) for i, m in enumerate(months)]
    trend.reverse()
    breakdowns = []
    for prefix in BREAKDOWNS:
        items = queries.breakdown(user, place, "abroad", current, prefix)
        for item in items:
            if prefix == catalogue.SEX:
                item_label = str(SEX_LABELS.get(item.key, item.key))
            else:
                item_label = item.key
            breakdowns.append((prefix, item, item_label))
    child_series = {
        name: queries.children_values(user, place, name, current) for name in ("abroad", *LAYERS)
    }
    children = [cv.place for cv in child_series["abroad"]]
    public = is_public(user)
    rows: dict[int, ChildRow] = {}
    for index, child in enumerate(children):
        rows[child.pk] = ChildRow(
            child,
            reverse("indicators:dashboard", args=[child.code]),
            child_series["abroad"][index].cell,
            child_series["share_abroad"][index].cell,
            child_series["vacancy_rate"][index].cell,
        )
    compared, others = official_rows(view, info.months)
    any_series = _any_series(user, place, series_name or "abroad", dimension, breakdowns)
    map_data = _map(view, children, rows)
    return {
        "place": place,
        "exact": view.exact,
        "public": public,
        "threshold": queries.disclosure_threshold(),
        "month": label(current),
        "month_date": month_start(current),
        "month_index": current,
        "months_held": info,
        "crumbs": _crumbs(user, view),
        "headline": headline,
        "trend": trend,
        "trend_names": [catalogue.get(n) for n in TREND],
        "chart": {
            "months": months,
            "series": {s.indicator.name: [p.cell.value for p in s.points] for s in trend_series},
            "labels": {s.indicator.name: str(s.indicator.label) for s in trend_series},
            "time": str(_("Month")),
        },
        "coverage": coverage(place),
        "any": any_series,
        "indicators": list(catalogue.CATALOGUE.values()),
        "as_of": info.refreshed_at or info.built_at,
        "breakdowns": breakdowns,
        "children": [rows[c.pk] for c in children],
        "official": compared,
        "official_other": others,
        "map": map_data,
        "legend_share": legend(SHARE_BREAKS),
        "legend_vacancy": legend(VACANCY_BREAKS),
        "first_month": label(0),
        "last_month": label(last),
        "default_from": label(max(current - 23, 0)),
    }
