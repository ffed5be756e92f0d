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

Officers, enumerators, keyholders and administrators see exact figures, but only for places
within their area: ``access.indicator_place`` answers 404 for any other place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

ROUNDING_BASE = 5


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
