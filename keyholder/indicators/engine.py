"""Monthly series of a batch of villages from the status spans, as NumPy arithmetic.

The status rules are those of ``keyholder.registry.status``, applied once when the spans were
written (``registry.spans``): a span says that from ``valid_from`` until ``valid_until`` the
person's status is what ``replay`` answers. A stock counts in month ``i`` as it stands on the
month's last day, so a span counts in months ``[month_index(valid_from),
month_index(valid_until))`` (none when it begins and ends within one month: a later span holds
on the month's last day). Every series is then a sum of such month ranges, added with
difference arrays (``+1`` at the first month, ``-1`` after the last, a cumulative sum), grouped
by village and breakdown with ``np.bincount``: the cost is per span, not per person and month.

Flows (departures, returns, deportations) are counts of events by village, kind, country and
month, grouped by the database. Household figures (households, fully abroad, elderly-only,
vacant houses) are read from per-household counts of members by state in each month, which
are sums of the same month ranges.

The store's property test compares all of this with a replay of every person on every month
(``tests/test_store_equals_replay.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter

import numpy as np

from keyholder.indicators.catalogue import (
    AGE,
    AGE_BAND_LABELS,
    AGE_BANDS,
    COUNTRY,
    ELDERLY_AGE,
    SEX,
)
from keyholder.indicators.months import EPOCH_YEAR
from keyholder.registry.status import State

Key = tuple[str, str]
Series = dict[Key, np.ndarray]

FLOW_KINDS = {"departed": "departures", "returned": "returns", "deported": "deportations"}
# State codes: the position in ``State.ALL``.
STATE_CODE = {state: code for code, state in enumerate(State.ALL)}
MEMBER_CODES = np.array([STATE_CODE[s] for s in State.MEMBER])
IN_VILLAGE_CODES = np.array([STATE_CODE[s] for s in State.IN_VILLAGE])
ABROAD_CODE = STATE_CODE[State.ABROAD]
SEXES = ("f", "m")
# An open end, later than any month of the store.
OPEN = 1 << 30


@dataclass
class SpanRows:
    """The spans of a batch of villages, one array entry per span, months as indexes."""

    village: np.ndarray  # position of the village in the batch
    household: np.ndarray  # position of the household in the batch
    state: np.ndarray  # STATE_CODE
    start: np.ndarray  # month index of valid_from
    stop: np.ndarray  # month index of valid_until (OPEN when open)
    country: np.ndarray  # position in ``countries``
    ban_stop: np.ndarray  # first month after the entry ban (-OPEN: no ban)
    sex: np.ndarray  # position in SEXES, -1 for another value
    birth_year: np.ndarray
    countries: Sequence[str]
    # Each span's weight: None for 1 each; +1 and -1 for spans added and removed (the
    # store's change feed, ``compute_delta``).
    weight: np.ndarray | None = None


@dataclass
class HouseholdRows:
    """The households of the batch (with or without members), in their batch order."""

    village: np.ndarray  # position of the village in the batch
    house: np.ndarray  # position of the (village, house) in the batch, -1 without a house
    houses: int  # number of (village, house) pairs
    house_village: np.ndarray  # position of each house's village


@dataclass
class FlowRows:
    """Events counted by the database: (village position, kind, country, month, count)."""

    rows: Sequence[tuple[int, str, str, int, int]]


def january(years: np.ndarray) -> np.ndarray:
    return (years - EPOCH_YEAR) * 12


def ranges(
    groups: np.ndarray,
    start: np.ndarray,
    stop: np.ndarray,
    ngroups: int,
    months: int,
    weight: np.ndarray | None = None,
) -> np.ndarray:
    """For each group, the number of ranges ``[start, stop)`` holding each month (each range
    counted ``weight`` times when given): a (ngroups, months) array, from one difference
    array per group."""
    start = np.clip(start, 0, months)
    stop = np.clip(stop, 0, months)
    keep = start < stop
    width = months + 1
    groups, start, stop = groups[keep], start[keep], stop[keep]
    size = ngroups * width
    if weight is None:
        diff = np.bincount(groups * width + start, minlength=size).astype(np.int64)
        diff -= np.bincount(groups * width + stop, minlength=size)
    else:
        # Weighted counts come back as floats: small integers, exact, rounded back.
        weight = weight[keep]
        diff = np.rint(
            np.bincount(groups * width + start, weights=weight, minlength=size)
            - np.bincount(groups * width + stop, weights=weight, minlength=size)
        ).astype(np.int64)
    return np.cumsum(diff.reshape(ngroups, width), axis=1)[:, :months]


def group_sum(table: np.ndarray, groups: np.ndarray, ngroups: int) -> np.ndarray:
    """The rows of ``table`` summed by group (``groups[i]`` is row i's): each group's rows
    made adjacent (they already are when ``groups`` is sorted, as the households and houses of
    a batch are by village), then one ``np.add.reduceat`` over the groups that have rows. A
    third of the time of a cumulative sum and its differences, and far less than
    ``np.add.at``; with a row per group at most, the rows are simply put in place."""
    counts = np.bincount(groups, minlength=ngroups)
    out = np.zeros((ngroups, table.shape[1]), dtype=np.int64)
    if len(groups) and counts.max() == 1:
        # A row per group at most (most houses hold one household): the sums are the rows.
        out[groups] = table
        return out
    if len(groups) > 1 and not bool(np.all(groups[:-1] <= groups[1:])):
        table = table[np.argsort(groups, kind="stable")]
    present = counts > 0
    if present.any():
        starts = (np.cumsum(counts) - counts)[present]
        out[present] = np.add.reduceat(table, starts, axis=0, dtype=np.int64)
    return out


class Batch:
    """The series of each village of a batch, as (villages, months) arrays per key.

    ``first``: the first month computed (a refresh from a date needs no earlier one); every
    month index of the batch (spans, flows, care) is then counted from it, and ``months`` is
    the number of months computed."""

    def __init__(self, villages: int, months: int, first: int = 0) -> None:
        self.villages = villages
        self.months = months
        self.first = first
        self.out: dict[Key, np.ndarray] = {}

    def january(self, years: np.ndarray) -> np.ndarray:
        """The month index of each year's January, counted from ``first``."""
        return january(years) - self.first

    def add(self, key: Key, values: np.ndarray) -> None:
        existing = self.out.get(key)
        self.out[key] = values if existing is None else existing + values

    def add_ranges(
        self,
        key: Key,
        village: np.ndarray,
        start: np.ndarray,
        stop: np.ndarray,
        weight: np.ndarray | None = None,
    ) -> None:
        self.add(key, ranges(village, start, stop, self.villages, self.months, weight))

    def add_breakdown(
        self,
        indicator: str,
        labels: Sequence[str],
        village: np.ndarray,
        label: np.ndarray,
        start: np.ndarray,
        stop: np.ndarray,
        weight: np.ndarray | None = None,
    ) -> None:
        """One series per label (``label`` indexes ``labels``; -1 rows are left out)."""
        known = label >= 0
        village, label, start, stop = village[known], label[known], start[known], stop[known]
        weight = None if weight is None else weight[known]
        width = len(labels)
        if not width:
            return
        table = ranges(
            village * width + label, start, stop, self.villages * width, self.months, weight
        )
        table = table.reshape(self.villages, width, self.months)
        for position, name in enumerate(labels):
            self.add((indicator, name), table[:, position, :])

    def series(self, position: int) -> Series:
        out: Series = {}
        for key, table in self.out.items():
            values = table[position]
            if values.any():
                out[key] = values.astype(np.int64)
        return out


def _persons(batch: Batch, spans: SpanRows) -> None:
    """Residents, persons abroad (by country, sex and age band) and active entry bans."""
    v, start, stop, weight = spans.village, spans.start, spans.stop, spans.weight

    def part(mask: np.ndarray) -> np.ndarray | None:
        return None if weight is None else weight[mask]

    member = np.isin(spans.state, MEMBER_CODES)
    batch.add_ranges(("residents", ""), v[member], start[member], stop[member], part(member))
    banned = spans.ban_stop > -OPEN
    batch.add_ranges(
        ("entry_bans_active", ""),
        v[banned],
        start[banned],
        np.minimum(stop[banned], spans.ban_stop[banned]),
        part(banned),
    )
    abroad = spans.state == ABROAD_CODE
    va, sa, ea, wa = v[abroad], start[abroad], stop[abroad], part(abroad)
    batch.add_ranges(("abroad", ""), va, sa, ea, wa)
    batch.add_breakdown(
        "abroad",
        [f"{COUNTRY}:{c}" for c in spans.countries],
        va,
        spans.country[abroad],
        sa,
        ea,
        wa,
    )
    batch.add_breakdown("abroad", [f"{SEX}:{s}" for s in SEXES], va, spans.sex[abroad], sa, ea, wa)
    # Age bands: a stay abroad is cut at the Januaries where the person changes band (age is
    # the year of the month less the birth year; a negative age falls in the first band).
    born = spans.birth_year[abroad]
    low = np.full(len(born), -OPEN)
    for band, (_first, last) in enumerate(AGE_BANDS):
        high = np.full(len(born), OPEN) if last is None else batch.january(born + last + 1)
        batch.add_ranges(
            ("abroad", f"{AGE}:{AGE_BAND_LABELS[band]}"),
            va,
            np.maximum(sa, low),
            np.minimum(ea, high),
            wa,
        )
        low = high


@dataclass
class MemberCounts:
    """Per household and month (a (households, months) array each): living members, members
    in the village, members abroad, and members in the village younger than the elderly
    age. Counts, not flags: a change's removed and added spans are subtracted from them."""

    alive: np.ndarray
    present: np.ndarray
    abroad: np.ndarray
    young: np.ndarray

    def __sub__(self, other: MemberCounts) -> MemberCounts:
        return MemberCounts(
            self.alive - other.alive,
            self.present - other.present,
            self.abroad - other.abroad,
            self.young - other.young,
        )


def member_counts(batch: Batch, spans: SpanRows, households: int) -> MemberCounts:
    months = batch.months
    h, start, stop, weight = spans.household, spans.start, spans.stop, spans.weight

    def per_household(mask: np.ndarray, until: np.ndarray | None = None) -> np.ndarray:
        end = stop[mask] if until is None else np.minimum(stop[mask], until)
        part = None if weight is None else weight[mask]
        return ranges(h[mask], start[mask], end, households, months, part)

    in_village = np.isin(spans.state, IN_VILLAGE_CODES)
    return MemberCounts(
        alive=per_household(np.isin(spans.state, MEMBER_CODES)),
        present=per_household(in_village),
        abroad=per_household(spans.state == ABROAD_CODE),
        # Members present and younger than the elderly age in the month (their age is the
        # year of the month less their birth year).
        young=per_household(in_village, batch.january(spans.birth_year[in_village] + ELDERLY_AGE)),
    )


def household_figures(
    batch: Batch,
    counts: MemberCounts,
    households: HouseholdRows,
    care: Mapping[int, Sequence[tuple[int, int]]],
) -> dict[Key, np.ndarray]:
    """Households, fully abroad, elderly-only, and vacant houses (kept or not), by village."""
    months = batch.months
    alive, present = counts.alive > 0, counts.present > 0
    abroad, young = counts.abroad > 0, counts.young > 0

    def by_village(table: np.ndarray, villages: np.ndarray) -> np.ndarray:
        return group_sum(table, villages, batch.villages)

    village = households.village
    out: dict[Key, np.ndarray] = {
        ("households", ""): by_village(alive, village),
        ("households_fully_abroad", ""): by_village(~present & abroad, village),
        ("elderly_only_households", ""): by_village(present & ~young, village),
    }
    # A house is vacant when none of its households has anyone present.
    housed = households.house >= 0
    vacant = group_sum(present[housed], households.house[housed], households.houses) == 0
    kept = np.zeros((households.houses, months), dtype=bool)
    for house, month_ranges in care.items():
        for lo, hi in month_ranges:
            kept[house, lo:hi] = True
    where = households.house_village
    out[("houses", "")] = by_village(np.ones_like(vacant), where)
    out[("vacant_houses", "")] = by_village(vacant, where)
    out[("vacant_houses_kept", "")] = by_village(vacant & kept, where)
    out[("vacant_houses_unkept", "")] = by_village(vacant & ~kept, where)
    return out


def _households(
    batch: Batch,
    spans: SpanRows,
    households: HouseholdRows,
    care: Mapping[int, Sequence[tuple[int, int]]],
) -> None:
    counts = member_counts(batch, spans, len(households.village))
    for key, table in household_figures(batch, counts, households, care).items():
        batch.add(key, table)


def _flows(batch: Batch, flows: FlowRows) -> None:
    """Each (kind, country) of the rows counted by village and month with one ``bincount``
    (a loop per row was a tenth of a full build's time after its batches)."""
    rows = [row for row in flows.rows if row[1] in FLOW_KINDS and 0 <= row[3] < batch.months]
    if not rows:
        return
    count = len(rows)
    keys = list(map(itemgetter(1, 2), rows))  # (kind, country)
    pairs = sorted(set(keys))
    pair_code = {pair: code for code, pair in enumerate(pairs)}
    pair = np.fromiter(map(pair_code.__getitem__, keys), dtype=np.int64, count=count)
    village = np.fromiter(map(itemgetter(0), rows), dtype=np.int64, count=count)
    month = np.fromiter(map(itemgetter(3), rows), dtype=np.int64, count=count)
    weight = np.fromiter(map(itemgetter(4), rows), dtype=np.float64, count=count)
    cells = batch.villages * batch.months
    tables = (
        np.rint(
            np.bincount(
                pair * cells + village * batch.months + month,
                weights=weight,
                minlength=len(pairs) * cells,
            )
        )
        .astype(np.int64)
        .reshape(len(pairs), batch.villages, batch.months)
    )
    for code, (kind, country) in enumerate(pairs):
        name = FLOW_KINDS[kind]
        batch.add((name, ""), tables[code])
        if name == "departures" and country:
            batch.add((name, f"{COUNTRY}:{country.upper()}"), tables[code])


def compute_batch(
    village_ids: Sequence[int],
    months: int,
    spans: SpanRows,
    households: HouseholdRows,
    flows: FlowRows,
    care: Mapping[int, Sequence[tuple[int, int]]],
    first: int = 0,
) -> dict[int, Series]:
    """Every series of each village of a batch (``care``: the months each house, by its batch
    position, is under a keeping agreement). With ``first``, months ``first`` to ``months``
    only: every month index given (spans, flows, care) is counted from ``first`` already, and
    the series hold ``months - first`` values."""
    batch = Batch(len(village_ids), months - first, first)
    _persons(batch, spans)
    _households(batch, spans, households, care)
    _flows(batch, flows)
    return {village_id: batch.series(position) for position, village_id in enumerate(village_ids)}


def compute_delta(
    village_ids: Sequence[int],
    months: int,
    changes: SpanRows,
    current: SpanRows,
    households: HouseholdRows,
    care: Mapping[int, Sequence[tuple[int, int]]],
) -> dict[int, Series]:
    """How much each village's series move by ``changes`` (spans removed, weight -1, and
    added, +1, since the store last took them in), over every month.

    The persons' figures are sums over spans: the changes' own sum is their difference. A
    household's figures are not (a household is abroad when no member is present): they are
    worked out for the households the changes touched, and those sharing a house with one,
    from ``current`` (the spans of every member of these households now) and from the same
    less the changes (as they were), and subtracted."""
    batch = Batch(len(village_ids), months)
    _persons(batch, changes)
    count = len(households.village)
    now = member_counts(batch, current, count)
    before = now - member_counts(batch, changes, count)
    new = household_figures(batch, now, households, care)
    old = household_figures(batch, before, households, care)
    for key, table in new.items():
        batch.add(key, table - old[key])
    return {village_id: batch.series(position) for position, village_id in enumerate(village_ids)}


def flow_series(
    village_ids: Sequence[int], months: int, flows: FlowRows, first: int = 0
) -> dict[int, Series]:
    """The flows of each village alone, months ``first`` to ``months``."""
    batch = Batch(len(village_ids), months - first, first)
    _flows(batch, flows)
    return {village_id: batch.series(position) for position, village_id in enumerate(village_ids)}
