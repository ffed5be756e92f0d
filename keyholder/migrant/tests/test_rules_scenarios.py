"""Deadlines, the day counter and flags of dated scenarios, against the shipped rules files.

Each row: a record, a day, and what the calendar must answer on it. The expected values are
worked out by hand from data/rules.toml and data/production_calendar.toml (the comments say
how), so a change to a rule file that moves an answer fails here by name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from keyholder.migrant.calculator import (
    Facts,
    Patent,
    Payment,
    Registration,
    Trip,
    assess,
)

D = dt.date


@dataclass(frozen=True)
class Scenario:
    name: str
    facts: Facts
    on: dt.date
    deadlines: dict[str, dt.date] = field(default_factory=dict)  # kind -> due (a subset)
    no_deadlines: tuple[str, ...] = ()
    flags: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> expected attrs
    no_flags: tuple[str, ...] = ()
    counter: dict[str, Any] = field(default_factory=dict)


def trip(entered: dt.date, exited: dt.date | None = None) -> tuple[Trip, ...]:
    return (Trip(entered, exited),)


SCENARIOS = [
    # 1-2. Either side of the 2025 change: 90 in any 180 days before 05.02.2025, 90 per
    # calendar year after; a stay from 10.01.2025 may last 90 days (to 09.04.2025) either way.
    Scenario(
        "entry before the change: rolling 180-day window",
        Facts(trips=trip(D(2024, 11, 1))),
        D(2024, 11, 20),
        counter={"method": "rolling", "used": 20, "left": 70, "leave_by": D(2025, 1, 29)},
    ),
    Scenario(
        "entry after the change: calendar year",
        Facts(trips=trip(D(2025, 3, 1))),
        D(2025, 3, 10),
        counter={"method": "calendar_year", "used": 10, "left": 80, "leave_by": D(2025, 5, 29)},
    ),
    # 3. Days of 2024 count in the rolling window, not in 2025's calendar year: 60 days in
    # autumn 2024, then from 10.03.2025 the 2025 counter starts at zero.
    Scenario(
        "a 2024 stay does not count in the 2025 calendar year",
        Facts(trips=(Trip(D(2024, 10, 1), D(2024, 11, 29)), Trip(D(2025, 3, 10)))),
        D(2025, 3, 19),
        counter={"used": 10, "left": 80, "leave_by": D(2025, 6, 7)},
        no_flags=("stay_exceeded",),
    ),
    # 4. The two readings of the change's start date disagree for a January 2025 entry after
    # 60 days in late 2024: the law (rolling until 04.02.2025) counts those 60 days; the MID
    # reading (calendar year from 01.01.2025) does not. The counter differs, and the flag says.
    Scenario(
        "the two sources of the 2025 start date disagree",
        Facts(trips=(Trip(D(2024, 10, 20), D(2024, 12, 18)), Trip(D(2025, 1, 10)))),
        D(2025, 1, 20),
        counter={"method": "rolling", "used": 71, "left": 19},
        flags={"sources_disagree": {"kind": "stay.limit"}},
    ),
    # 5. No dispute where the readings agree (an entry well after both start dates).
    Scenario(
        "the readings agree for a 2026 stay once registered",
        Facts(
            trips=trip(D(2026, 2, 2)),
            registrations=(Registration(D(2026, 2, 5)),),
            medical=(D(2026, 2, 10),),
            fingerprinting=(D(2026, 2, 10),),
            patents=(Patent(D(2026, 2, 20), "RU-MOW", (Payment(D(2026, 2, 20), 3),)),),
            contract_copies=(D(2026, 3, 1),),
        ),
        D(2026, 3, 5),
        no_flags=("sources_disagree", "deadline_missed", "patent_lapsed"),
        deadlines={"patent_payment": D(2026, 5, 19)},
    ),
    # 6-7. Registration: 15 calendar days for Tajik citizens (treaty, primary) and 7 working
    # days (general) across the New Year holidays 2025/26: 30.12 is working day 1, 31.12 to
    # 11.01 are days off, 12-16.01 are days 2-6, 19.01 day 7.
    Scenario(
        "registration across the New Year holidays: treaty period",
        Facts(trips=trip(D(2025, 12, 29))),
        D(2025, 12, 30),
        deadlines={"registration": D(2026, 1, 13)},
        flags={"sources_disagree": {"kind": "registration.deadline"}},
    ),
    Scenario(
        "registration across the New Year holidays: general period in working days",
        Facts(trips=trip(D(2025, 12, 29))),
        D(2025, 12, 30),
        flags={
            "sources_disagree": {
                "differences": (("deadline:registration", "2026-01-13", "2026-01-19"),)
            }
        },
    ),
    # 8. Across the May holidays 2025: 29, 30.04 (1, 2), 1-4.05 off, 5-7.05 (3-5), 8-11.05 off,
    # 12, 13.05 (6, 7).
    Scenario(
        "registration across the May holidays 2025",
        Facts(trips=trip(D(2025, 4, 28))),
        D(2025, 4, 29),
        # Both readings land on 13.05: nothing to dispute.
        deadlines={"registration": D(2025, 5, 13)},
        no_flags=("sources_disagree",),
    ),
    # 9. Across the 2024/25 New Year with the working Saturday 28.12.2024: 27.12 (1), 28.12 (2),
    # 30.12-08.01 off, 9, 10, 13, 14, 15.01 (3-7). Treaty: 26.12 + 15 = 10.01.2025.
    Scenario(
        "registration over a working Saturday and the 2025 New Year",
        Facts(trips=trip(D(2024, 12, 26))),
        D(2024, 12, 27),
        deadlines={"registration": D(2025, 1, 10)},
        flags={
            "sources_disagree": {
                "differences": (("deadline:registration", "2025-01-10", "2025-01-15"),)
            }
        },
    ),
    # 10. Registration done: no registration deadline, its renewal instead.
    Scenario(
        "registration done, renewal due at its end",
        Facts(
            trips=trip(D(2026, 3, 2)), registrations=(Registration(D(2026, 3, 5), D(2026, 6, 1)),)
        ),
        D(2026, 3, 6),
        deadlines={"registration_renewal": D(2026, 6, 1)},
        no_deadlines=("registration",),
    ),
    # 11. Registration missed: a flag from the day after, and a register trigger (since 2025).
    Scenario(
        "registration missed",
        Facts(trips=trip(D(2026, 3, 2))),
        D(2026, 3, 20),
        flags={
            "deadline_missed": {"kind": "registration", "days": 3},
            "rkl_risk": {"triggers": ("registration_missed",)},
        },
    ),
    # 12. Before 05.02.2025 there is no register of controlled persons to warn about.
    Scenario(
        "no register before it existed",
        Facts(trips=trip(D(2024, 6, 3))),
        D(2024, 6, 25),
        flags={"deadline_missed": {"kind": "registration"}},
        no_flags=("rkl_risk",),
    ),
    # 13-15. After entry: patent application, medical and fingerprinting within 30 days.
    Scenario(
        "deadlines after entry",
        Facts(trips=trip(D(2026, 4, 1))),
        D(2026, 4, 2),
        deadlines={
            "patent_apply": D(2026, 5, 1),
            "medical": D(2026, 5, 1),
            "fingerprinting": D(2026, 5, 1),
        },
    ),
    Scenario(
        "medical still valid from an earlier stay: no medical deadline",
        Facts(trips=trip(D(2026, 4, 1)), medical=(D(2025, 10, 1),)),
        D(2026, 4, 2),
        no_deadlines=("medical",),
        deadlines={"medical_renewal": D(2026, 10, 1)},
    ),
    Scenario(
        "fingerprinting and patent application missed",
        Facts(trips=trip(D(2026, 4, 1))),
        D(2026, 5, 4),
        flags={"deadline_missed": {"kind": "fingerprinting"}},
        no_deadlines=("patent_apply",),
    ),
    # 16-18. The patent: issued 10.03.2026 with 1 month paid, valid to 09.04.2026. A payment on
    # 05.04 for 2 months extends it to 09.06.2026.
    Scenario(
        "patent paid on time",
        Facts(
            trips=trip(D(2026, 3, 1)),
            patents=(
                Patent(
                    D(2026, 3, 10),
                    "RU-MOW",
                    (Payment(D(2026, 3, 9), 1), Payment(D(2026, 4, 5), 2)),
                ),
            ),
        ),
        D(2026, 4, 20),
        deadlines={"patent_payment": D(2026, 6, 9)},
        no_flags=("patent_lapsed",),
        counter={"covered_by_patent": True},
    ),
    Scenario(
        "a missed payment: the patent lapses the day after the last paid day",
        Facts(
            trips=trip(D(2026, 3, 1)),
            patents=(
                Patent(
                    D(2026, 3, 10),
                    "RU-MOW",
                    (Payment(D(2026, 3, 9), 1), Payment(D(2026, 4, 12), 1)),
                ),
            ),
        ),
        D(2026, 4, 20),
        flags={"patent_lapsed": {"since": D(2026, 4, 10)}, "rkl_risk": {}},
        no_deadlines=("patent_payment",),
    ),
    Scenario(
        "a missed payment: the stay counts again from the lapse",
        Facts(
            trips=trip(D(2026, 3, 1)),
            registrations=(Registration(D(2026, 3, 3)),),
            patents=(Patent(D(2026, 3, 10), "RU-MOW", (Payment(D(2026, 3, 9), 1),)),),
        ),
        D(2026, 4, 20),
        # 1-9.03 (9 days) and 10-20.04 (11 days) count; 10.03-09.04 was covered.
        counter={"used": 20, "left": 70, "covered_by_patent": False},
    ),
    # 19. The contract copy is due 2 months after the patent.
    Scenario(
        "contract copy due two months after the patent",
        Facts(
            trips=trip(D(2026, 1, 12)),
            patents=(Patent(D(2026, 1, 31), "RU-SPE", (Payment(D(2026, 1, 30), 12),)),),
        ),
        D(2026, 2, 1),
        deadlines={"contract_copy": D(2026, 3, 31)},
    ),
    # 20. Reissue after 12 months: the term ends 30.01.2027, outside the calendar, so no date is
    # guessed; a patent of 2025 has its window: term to 14.03.2026, 10 working days back from
    # it (09.03 is a day off) is 27.02.2026.
    Scenario(
        "patent reissue window counted in working days",
        Facts(
            trips=trip(D(2025, 3, 1)),
            patents=(Patent(D(2025, 3, 15), "RU-MOW", (Payment(D(2025, 3, 14), 12),)),),
        ),
        D(2026, 2, 1),
        # All 12 months are paid: nothing more to pay, only the reissue.
        deadlines={"patent_reissue": D(2026, 2, 27)},
        no_deadlines=("patent_payment",),
    ),
    # 21-23. Overstays of 100, 200 and 300 days after an entry on 01.03.2025 (day 90 is
    # 29.05.2025): 3, 5 and 10 years of entry ban.
    Scenario(
        "overstay of 100 days",
        Facts(trips=trip(D(2025, 3, 1))),
        D(2025, 9, 6),
        flags={"stay_exceeded": {"days": 100, "ban_years": 3}, "rkl_risk": {}},
    ),
    Scenario(
        "overstay of 200 days",
        Facts(trips=trip(D(2025, 3, 1))),
        D(2025, 12, 15),
        flags={"stay_exceeded": {"days": 200, "ban_years": 5}},
    ),
    Scenario(
        "overstay of 300 days, across the new year (the continuous limit holds)",
        Facts(trips=trip(D(2025, 3, 1))),
        D(2026, 3, 25),
        flags={"stay_exceeded": {"days": 300, "ban_years": 10}},
    ),
    # 24. After leaving, the overstay of the last stay is still what a ban is measured by.
    Scenario(
        "overstay shown after leaving",
        Facts(trips=trip(D(2025, 3, 1), D(2025, 9, 6))),
        D(2025, 10, 1),
        flags={"stay_exceeded": {"days": 100, "ban_years": 3}},
        counter={"in_russia": False},
        no_deadlines=("registration", "medical"),
    ),
    # 25. Exactly 90 days is lawful; the 91st is not.
    Scenario(
        "day 90 lawful",
        Facts(trips=trip(D(2025, 3, 1))),
        D(2025, 5, 29),
        no_flags=("stay_exceeded",),
        counter={"left": 0, "leave_by": D(2025, 5, 29)},
    ),
    Scenario(
        "day 91 is an overstay of one day",
        Facts(trips=trip(D(2025, 3, 1))),
        D(2025, 5, 30),
        flags={"stay_exceeded": {"days": 1, "ban_years": 3}},
    ),
    # 27. Two stays in one calendar year add up: 60 + 40 days.
    Scenario(
        "two stays in 2026 add up",
        Facts(trips=(Trip(D(2026, 1, 12), D(2026, 3, 12)), Trip(D(2026, 6, 1)))),
        D(2026, 7, 10),
        flags={"stay_exceeded": {"days": 10}},
        counter={"used": 100},
    ),
    # 28. The exam certificate runs 3 years; the medical certificate 1 year.
    Scenario(
        "document validity",
        Facts(trips=trip(D(2026, 1, 12)), exam=(D(2024, 5, 20),), medical=(D(2026, 1, 20),)),
        D(2026, 2, 1),
        deadlines={"exam_renewal": D(2027, 5, 20), "medical_renewal": D(2027, 1, 20)},
    ),
]


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(s: Scenario) -> None:
    result = assess(s.facts, s.on)
    due = {d.kind: d.due for d in result.deadlines}
    for kind, date in s.deadlines.items():
        assert due.get(kind) == date, (kind, due)
    for kind in s.no_deadlines:
        assert kind not in due, (kind, due)
    for code, attrs in s.flags.items():
        matching = [
            f
            for f in result.flags
            if f.code == code and all(getattr(f, k) == v for k, v in attrs.items())
        ]
        assert matching, (code, attrs, [f for f in result.flags if f.code == code])
    codes = {f.code for f in result.flags}
    for code in s.no_flags:
        assert code not in codes, (code, result.flags)
    for name, value in s.counter.items():
        assert result.counter is not None
        assert getattr(result.counter, name) == value, (name, result.counter)


def test_there_are_at_least_25_scenarios() -> None:
    assert len(SCENARIOS) >= 25
