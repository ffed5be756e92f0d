"""Disclosure control: the one place that decides what figure a reader may see.

The API, the dashboard pages and the exports all pass their figures through ``count_cell``
and ``share_cell`` (or ``disclose_series``), so the public never sees a small number anywhere.

Rules for the public (anonymous visitors, and owners, who have no area):

- a count under ``settings.SUPPRESSION_THRESHOLD`` (5 by default), zero included, is withheld:
  value ``None``, ``suppressed`` true (showing zeros while hiding 1 to 4 would tell which cells
  are small);
- every other count is rounded to the nearest multiple of ``ROUNDING_BASE`` (5), halves up;
- a share is withheld when its numerator or its denominator is withheld, and otherwise is
  computed from the rounded numerator and denominator.

Where the public sees figures at all (``public.py`` computes them):

- public pages stop at the jamoat: a village is "not found" for the public
  (``access.view_place``), and its figures reach the public only inside its jamoat's;
- counts of houses that locate empty homes (``DISTRICT_ONLY``: vacant, kept and unkept houses,
  households fully abroad, and the vacancy rate built on them) are public only for districts
  and above; below, every month is withheld;
- a figure is disclosed (suppressed or rounded) only at the lowest public level of its
  indicator (the jamoat or town, or the district for ``DISTRICT_ONLY``); the public figure of a
  place above is the **sum of its lowest-level places' public figures**, so subtracting the
  public figures of siblings from their public parent gives back nothing but public figures.

Officers, enumerators, keyholders and administrators see exact figures, but only for places
within their area: ``access.indicator_place`` answers 404 for any other place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

ROUNDING_BASE = 5

# The deepest level (``places.models.KIND_LEVEL``) the public sees: jamoats and towns.
PUBLIC_LEVEL = 3
# Counts that would point at empty houses: public only for districts and above.
DISTRICT_LEVEL = 2
DISTRICT_ONLY = frozenset(
    {"vacant_houses", "vacant_houses_kept", "vacant_houses_unkept", "households_fully_abroad"}
)


def public_level(name: str) -> int:
    """The lowest level at which the public sees the (stored) indicator ``name``."""
    return DISTRICT_LEVEL if name in DISTRICT_ONLY else PUBLIC_LEVEL


def threshold() -> int:
    return int(getattr(settings, "SUPPRESSION_THRESHOLD", 5))


@dataclass(frozen=True)
class Cell:
    """One figure as a reader may see it."""

    value: float | int | None
    suppressed: bool = False
    rounded: bool = False


def round_count(value: int) -> int:
    return ROUNDING_BASE * ((value + ROUNDING_BASE // 2) // ROUNDING_BASE)


def count_cell(value: int, exact: bool) -> Cell:
    if exact:
        return Cell(int(value))
    if value < threshold():
        return Cell(None, suppressed=True)
    return Cell(round_count(int(value)), rounded=True)


def share_cell(numerator: int, denominator: int, exact: bool) -> Cell:
    if exact:
        return Cell(numerator / denominator if denominator else None)
    top, bottom = count_cell(numerator, False), count_cell(denominator, False)
    if top.value is None or bottom.value is None:
        return Cell(None, suppressed=True)
    return Cell(int(top.value) / int(bottom.value), rounded=True)


def disclose_series(
    values: Sequence[int], exact: bool, denominators: Sequence[int] | None = None
) -> list[Cell]:
    """Counts (or shares, when ``denominators`` is given) as the reader may see them."""
    if denominators is None:
        return [count_cell(v, exact) for v in values]
    return [share_cell(n, d, exact) for n, d in zip(values, denominators, strict=True)]
