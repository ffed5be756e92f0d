"""The loader refuses rule files with a gap or an overlap, and calendars that contradict
their own count; the shipped files pass, and every rule carries its source."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest

from keyholder.migrant.rules import DATA, RulesFileError, load_rules, parse_rules
from keyholder.migrant.workdays import (
    DATA as CALENDAR,
)
from keyholder.migrant.workdays import (
    CalendarFileError,
    OutsideCalendar,
    parse_calendar,
    production_calendar,
)


def shipped() -> dict:
    return tomllib.loads(DATA.read_text(encoding="utf-8"))


def fee_periods(data: dict) -> list[dict]:
    return [r for r in data["rule"] if r["id"] == "patent.fee.RU-MOW"]


def test_the_shipped_rules_load_with_sources_and_both_readings() -> None:
    rules = load_rules()
    assert rules.disputed() == ["registration.deadline", "stay.limit"]
    for readings in rules.timelines.values():
        for periods in readings.values():
            for rule in periods:
                assert rule.source.startswith("https://") and rule.note
                assert rule.confidence in ("high", "medium", "low")
    on = dt.date(2025, 1, 20)
    stay = [r for r in rules.in_force(on) if r.id == "stay.limit"]
    assert {(r.reading, r.params["method"]) for r in stay} == {
        ("law", "rolling"),
        ("mid", "calendar_year"),
    }


def test_it_refuses_a_gap() -> None:
    data = shipped()
    fee_periods(data)[1]["valid_from"] = dt.date(2026, 1, 2)
    with pytest.raises(RulesFileError, match="gap between 2025-12-31 and 2026-01-02"):
        parse_rules(data)


def test_it_refuses_an_overlap() -> None:
    data = shipped()
    fee_periods(data)[0]["valid_to"] = dt.date(2026, 1, 1)
    with pytest.raises(RulesFileError, match="overlaps"):
        parse_rules(data)


def test_it_refuses_an_open_period_before_another() -> None:
    data = shipped()
    del fee_periods(data)[0]["valid_to"]
    with pytest.raises(RulesFileError, match="overlaps"):
        parse_rules(data)


def test_it_refuses_a_rule_without_source_or_a_second_primary() -> None:
    data = shipped()
    del data["rule"][0]["source"]
    with pytest.raises(RulesFileError, match="missing fields"):
        parse_rules(data)
    data = shipped()
    for row in data["rule"]:
        if row["id"] == "stay.limit":
            row["primary"] = True
    with pytest.raises(RulesFileError, match="exactly one reading"):
        parse_rules(data)


def test_the_production_calendar_checks_its_counts_and_knows_its_years() -> None:
    calendar = production_calendar()
    assert sorted(calendar.years) == [2024, 2025, 2026]
    assert calendar.is_working_day(dt.date(2025, 11, 1))  # a working Saturday
    assert not calendar.is_working_day(dt.date(2026, 3, 9))  # 8 March moved to Monday
    with pytest.raises(OutsideCalendar):
        calendar.add_working_days(dt.date(2026, 12, 28), 5)
    data = tomllib.loads(CALENDAR.read_text(encoding="utf-8"))
    data["year"][1]["days_off"] = data["year"][1]["days_off"][:-1]
    with pytest.raises(CalendarFileError, match="248 working days"):
        parse_calendar(data)
