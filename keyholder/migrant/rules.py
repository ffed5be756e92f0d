"""The rules as dated data: load, validate and look up ``data/rules.toml``.

A rule has an id, and for each *reading* (where sources disagree, both are kept) a timeline of
periods with a value, a unit, parameters and the source. The loader refuses a file in which a
reading's periods leave a gap or overlap, a reading without a primary, or a field it does not
know: the calendar must never count with a rule nobody can trace.
"""

from __future__ import annotations

import datetime as dt
import itertools
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "rules.toml"
CONFIDENCE = ("high", "medium", "low")
UNITS = {
    "days",
    "calendar_days",
    "working_days",
    "months",
    "years",
    "flag",
    "RUB/month",
}
FIELDS = {
    "id",
    "reading",
    "primary",
    "value",
    "unit",
    "params",
    "valid_from",
    "valid_to",
    "source",
    "source_date",
    "confidence",
    "note",
}
REQUIRED = {"id", "value", "unit", "valid_from", "source", "source_date", "confidence", "note"}
DEFAULT_READING = "only"


class RulesFileError(ValueError):
    """The rules file is not a consistent set of dated rules."""


class NoRuleInForce(LookupError):
    def __init__(self, rule_id: str, on: dt.date) -> None:
        super().__init__(f"no rule {rule_id} in force on {on}")
        self.rule_id = rule_id
        self.on = on


@dataclass(frozen=True)
class Rule:
    id: str
    reading: str
    primary: bool
    value: Any
    unit: str
    valid_from: dt.date
    valid_to: dt.date | None
    source: str
    source_date: dt.date
    confidence: str
    note: str
    params: dict[str, Any] = field(default_factory=dict)

    def in_force(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True)
class Place:
    """An official place where the migrant can check a matter themselves."""

    id: str
    name: str
    url: str
    checks: tuple[str, ...]
    source_date: dt.date


@dataclass(frozen=True)
class RuleSet:
    # id -> reading -> periods in order
    timelines: dict[str, dict[str, tuple[Rule, ...]]]
    primary: dict[str, str]
    places: tuple[Place, ...]

    def readings(self, rule_id: str) -> list[str]:
        return list(self.timelines[rule_id])

    def disputed(self) -> list[str]:
        """The ids of rules whose sources disagree (more than one reading)."""
        return sorted(i for i, readings in self.timelines.items() if len(readings) > 1)

    def get(self, rule_id: str, on: dt.date, reading: str | None = None) -> Rule:
        if rule_id not in self.timelines:
            raise KeyError(rule_id)
        periods = self.timelines[rule_id][reading or self.primary[rule_id]]
        for rule in periods:
            if rule.in_force(on):
                return rule
        raise NoRuleInForce(rule_id, on)

    def find(self, rule_id: str, on: dt.date, reading: str | None = None) -> Rule | None:
        try:
            return self.get(rule_id, on, reading)
        except NoRuleInForce:
            return None

    def in_force(self, on: dt.date) -> list[Rule]:
        """Every period of every reading in force on ``on``, primary readings first."""
        found = [
            rule
            for rule_id in sorted(self.timelines)
            for reading, periods in self.timelines[rule_id].items()
            for rule in periods
            if rule.in_force(on)
        ]
        return sorted(found, key=lambda r: (r.id, not r.primary))

    def places_for(self, matter: str) -> list[Place]:
        return [p for p in self.places if matter in p.checks]


def _rule(row: dict[str, Any], index: int) -> Rule:
    unknown = set(row) - FIELDS
    missing = REQUIRED - set(row)
    where = f"rule #{index + 1} ({row.get('id', '?')})"
    if unknown:
        raise RulesFileError(f"{where}: unknown fields {sorted(unknown)}")
    if missing:
        raise RulesFileError(f"{where}: missing fields {sorted(missing)}")
    if row["unit"] not in UNITS:
        raise RulesFileError(f"{where}: unknown unit {row['unit']!r}")
    if row["confidence"] not in CONFIDENCE:
        raise RulesFileError(f"{where}: confidence must be one of {CONFIDENCE}")
    if not str(row["source"]).startswith("https://"):
        raise RulesFileError(f"{where}: the source must be an https URL")
    for name in ("valid_from", "valid_to", "source_date"):
        if name in row and not isinstance(row[name], dt.date):
            raise RulesFileError(f"{where}: {name} must be a date")
    if row.get("valid_to") is not None and row["valid_to"] < row["valid_from"]:
        raise RulesFileError(f"{where}: valid_to is before valid_from")
    return Rule(
        id=row["id"],
        reading=row.get("reading", DEFAULT_READING),
        primary=bool(row.get("primary", "reading" not in row)),
        value=row["value"],
        unit=row["unit"],
        valid_from=row["valid_from"],
        valid_to=row.get("valid_to"),
        source=row["source"],
        source_date=row["source_date"],
        confidence=row["confidence"],
        note=row["note"],
        params=dict(row.get("params", {})),
    )


def _check_timeline(rule_id: str, reading: str, periods: list[Rule]) -> tuple[Rule, ...]:
    periods.sort(key=lambda r: r.valid_from)
    for before, after in itertools.pairwise(periods):
        if before.valid_to is None or before.valid_to >= after.valid_from:
            raise RulesFileError(
                f"{rule_id} ({reading}): the period from {after.valid_from} overlaps the one "
                f"from {before.valid_from}"
            )
        if before.valid_to + dt.timedelta(days=1) != after.valid_from:
            raise RulesFileError(
                f"{rule_id} ({reading}): a gap between {before.valid_to} and {after.valid_from}"
            )
    return tuple(periods)


def parse_rules(data: dict[str, Any]) -> RuleSet:
    rows = data.get("rule")
    if not isinstance(rows, list) or not rows:
        raise RulesFileError("no [[rule]] in the rules file")
    grouped: dict[str, dict[str, list[Rule]]] = defaultdict(lambda: defaultdict(list))
    for index, row in enumerate(rows):
        rule = _rule(row, index)
        grouped[rule.id][rule.reading].append(rule)
    timelines: dict[str, dict[str, tuple[Rule, ...]]] = {}
    primary: dict[str, str] = {}
    for rule_id, readings in grouped.items():
        marked = {r for r, periods in readings.items() if any(p.primary for p in periods)}
        if len(marked) != 1:
            raise RulesFileError(f"{rule_id}: exactly one reading must be primary, not {marked}")
        for reading, periods in readings.items():
            if len({p.primary for p in periods}) != 1:
                raise RulesFileError(f"{rule_id} ({reading}): primary on some periods only")
        primary[rule_id] = marked.pop()
        timelines[rule_id] = {
            reading: _check_timeline(rule_id, reading, periods)
            for reading, periods in readings.items()
        }
    places = tuple(
        Place(
            id=p["id"],
            name=p["name"],
            url=p["url"],
            checks=tuple(p["checks"]),
            source_date=p["source_date"],
        )
        for p in data.get("place", [])
    )
    return RuleSet(timelines=timelines, primary=primary, places=places)


def load_rules(path: Path = DATA) -> RuleSet:
    return parse_rules(tomllib.loads(path.read_text(encoding="utf-8")))


@cache
def rules() -> RuleSet:
    """The shipped rules, loaded and checked once per process."""
    return load_rules()
