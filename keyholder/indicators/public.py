"""Public figures that locate nothing (the rules are in ``disclosure.py`` and docs/indicators.md).

A count is disclosed (withheld under the threshold, otherwise rounded to 5) only at the lowest
level at which the public sees its indicator: the jamoat or town, or the district for the
counts of empty houses. The public figure of a place above that level is the sum of the public
figures of its places at that level. So a public parent is always exactly the sum of its public
children: subtracting public siblings from a public parent gives a child's public figure, never
its exact one, and never a withheld cell. (Rounding each level on its own would not: a parent
at the bottom of its rounding interval and siblings at the top of theirs pin a child exactly.)

"No data" (``Cell(None)``, not suppressed) is a place the registry holds no household of: it is
drawn apart from a withheld figure, and counts neither as zero nor as withheld in a sum.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import Q

from keyholder.indicators.disclosure import PUBLIC_LEVEL, Cell, count_cell, public_level
from keyholder.indicators.models import IndicatorSeries
from keyholder.places.models import KIND_LEVEL, Place, PlaceKind, subtree_q

Key = tuple[int, str, str]
# The series whose presence says the registry holds the place at all.
COVERAGE = "households"


def level_of(place: Place) -> int:
    return dict(KIND_LEVEL).get(PlaceKind(place.kind), 0)


def _kinds_at(level: int) -> list[str]:
    return [kind for kind, at in KIND_LEVEL.items() if at == level]


def _month_values(start: int, values: list[int], first: int, last: int) -> list[int]:
    return [
        int(values[m - start]) if 0 <= m - start < len(values) else 0
        for m in range(first, last + 1)
    ]


def counts(
    places: Sequence[Place],
    names: Iterable[str],
    first: int,
    last: int,
    dimensions: Iterable[str] | None = ("",),
    dimension_prefix: str | None = None,
) -> dict[Key, list[Cell]]:
    """Public cells of stored (not derived) indicators: (place id, name, dimension) -> cells.

    Breakdowns found under ``dimension_prefix`` come back under their own dimension. Every
    place and name gets its total (dimension "") or the asked dimensions, present or not.
    Two queries per level of the names asked (the places at that level, their series).
    """
    span = last - first + 1
    out: dict[Key, list[Cell]] = {}
    by_level: dict[int, list[str]] = {}
    for name in dict.fromkeys(names):
        by_level.setdefault(public_level(name), []).append(name)
    for level, level_names in by_level.items():
        shallow = [p for p in places if level_of(p) <= level]
        deep = [p for p in places if level_of(p) > level]
        units: dict[int, list[int]] = {}  # unit id -> ids of the asked places it is inside
        if shallow:
            where = Q()
            for place in shallow:
                where |= subtree_q(place)
            by_code = {p.code: p.pk for p in shallow}
            rows = Place.objects.filter(where, kind__in=_kinds_at(level)).values_list("pk", "path")
            for unit_id, path in rows:
                units[unit_id] = [by_code[c] for c in path.split("/") if c in by_code]
        stored = IndicatorSeries.objects.filter(
            place_id__in=list(units), indicator__in=[*level_names, COVERAGE]
        )
        if dimension_prefix is not None:
            stored = stored.filter(
                Q(dimension__startswith=f"{dimension_prefix}:")
                | Q(indicator=COVERAGE, dimension="")
            )
        elif dimensions is not None:
            stored = stored.filter(dimension__in=[*dimensions, ""])
        covered: set[int] = set()
        series: dict[Key, list[int]] = {}
        dims_found: set[str] = set() if dimension_prefix is not None else set(dimensions or ("",))
        for unit_id, name, dimension, start, values in stored.values_list(
            "place_id", "indicator", "dimension", "start", "values"
        ):
            if name == COVERAGE and dimension == "":
                covered.add(unit_id)
            if name in level_names:
                series[(unit_id, name, dimension)] = _month_values(start, values, first, last)
                if dimension_prefix is not None:
                    dims_found.add(dimension)
        # Sums of the units' public figures, for every asked place above or at the level.
        totals: dict[Key, list[int]] = {}
        seen: dict[int, bool] = {}  # asked place -> holds a covered unit
        for unit_id, inside in units.items():
            for place_id in inside:
                seen[place_id] = seen.get(place_id, False) or unit_id in covered
            if unit_id not in covered:
                continue
            for name in level_names:
                for dimension in dims_found:
                    cells = [
                        count_cell(v, False)
                        for v in series.get((unit_id, name, dimension), [0] * span)
                    ]
                    for place_id in inside:
                        key = (place_id, name, dimension)
                        total = totals.setdefault(key, [0] * span)
                        for i, cell in enumerate(cells):
                            if cell.value is not None:
                                total[i] += int(cell.value)
        for place in shallow:
            for name in level_names:
                for dimension in dims_found:
                    key = (place.pk, name, dimension)
                    if not seen.get(place.pk):
                        out[key] = [Cell(None)] * span
                        continue
                    total = totals.get(key, [0] * span)
                    out[key] = [
                        Cell(t, rounded=True) if t else Cell(None, suppressed=True) for t in total
                    ]
        for place in deep:
            for name in level_names:
                for dimension in dims_found:
                    out[(place.pk, name, dimension)] = [Cell(None, suppressed=True)] * span
    return out


def share(top: Sequence[Cell], bottom: Sequence[Cell]) -> list[Cell]:
    """A public share from public counts: withheld when a part is, no data when both are."""
    out = []
    for t, b in zip(top, bottom, strict=True):
        if t.value is None or b.value is None or not b.value:
            if (t.value is None and not t.suppressed) and (b.value is None and not b.suppressed):
                out.append(Cell(None))
            else:
                out.append(Cell(None, suppressed=True))
        else:
            out.append(Cell(int(t.value) / int(b.value), rounded=True))
    return out


def is_below_public(place: Place) -> bool:
    return level_of(place) > PUBLIC_LEVEL
