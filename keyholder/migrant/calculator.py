"""Deadlines, the day counter and risk flags from a migrant's record and the dated rules.

A pure module (no database): ``assess(facts, on)`` takes the record as plain facts and answers
what is due, what is left and what is wrong on ``on``, each with the rule (and so the source)
behind it. Every number comes from ``rules.toml`` and the production calendar, never from
here. Where the sources disagree, the record is assessed again under each other reading, and
whatever that changes is reported as a ``sources_disagree`` flag beside the primary answer.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from keyholder.migrant.rules import NoRuleInForce, Place, Rule, RuleSet, rules
from keyholder.migrant.workdays import OutsideCalendar, ProductionCalendar, production_calendar

DAY = dt.timedelta(days=1)
# How far ahead the counter looks for the last lawful day of a stay that goes on.
LOOKAHEAD_DAYS = 400


def shift_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, kept within the month's length (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


# The record, as facts.


@dataclass(frozen=True)
class Trip:
    entered: dt.date
    exited: dt.date | None = None


@dataclass(frozen=True)
class Payment:
    paid_on: dt.date
    months: int = 1


@dataclass(frozen=True)
class Patent:
    issued: dt.date
    region: str = ""
    payments: tuple[Payment, ...] = ()


@dataclass(frozen=True)
class Registration:
    registered: dt.date
    valid_until: dt.date | None = None


@dataclass(frozen=True)
class Facts:
    trips: tuple[Trip, ...] = ()
    registrations: tuple[Registration, ...] = ()
    patents: tuple[Patent, ...] = ()
    medical: tuple[dt.date, ...] = ()
    fingerprinting: tuple[dt.date, ...] = ()
    exam: tuple[dt.date, ...] = ()
    contract_copies: tuple[dt.date, ...] = ()


# The answers.


@dataclass(frozen=True)
class Deadline:
    kind: str  # registration, patent_apply, medical, fingerprinting, patent_payment, ...
    due: dt.date
    rule: Rule

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.due.isoformat()}"


@dataclass(frozen=True)
class Flag:
    code: str  # patent_lapsed, stay_exceeded, rkl_risk, deadline_missed, sources_disagree
    matter: str  # what the official places check: patent, entry_ban, rkl, registration...
    rules: tuple[Rule, ...]
    since: dt.date | None = None
    days: int | None = None
    ban_years: int | None = None
    kind: str = ""  # the missed deadline's kind
    triggers: tuple[str, ...] = ()
    # sources_disagree: (what, under the primary reading, under the other reading)
    differences: tuple[tuple[str, str, str], ...] = ()
    places: tuple[Place, ...] = ()


@dataclass(frozen=True)
class Counter:
    in_russia: bool
    method: str  # rolling or calendar_year
    limit: int
    used: int
    left: int
    covered_by_patent: bool
    leave_by: dt.date | None
    overstay_days: int
    rule: Rule


@dataclass(frozen=True)
class Assessment:
    on: dt.date
    counter: Counter | None
    deadlines: tuple[Deadline, ...]
    flags: tuple[Flag, ...]
    uncovered_years: tuple[int, ...] = field(default=())


# The computation.


@dataclass
class _Context:
    facts: Facts
    on: dt.date
    rules: RuleSet
    calendar: ProductionCalendar
    readings: dict[str, str]
    uncovered: set[int] = field(default_factory=set)

    def rule(self, rule_id: str, on: dt.date) -> Rule | None:
        return self.rules.find(rule_id, on, self.readings.get(rule_id))


def patent_paid_until(patent: Patent, ctx: _Context) -> tuple[dt.date, dt.date | None, dt.date]:
    """(last paid day, the day the patent lapsed for a missed payment or None, end of term).

    A payment counts only if made by the last paid day (or by the issue for the first): a
    patent that lapsed is not revived by paying late.
    """
    max_term = ctx.rule("patent.max_term", patent.issued)
    term_months = int(max_term.value) if max_term else 12
    term_end = shift_months(patent.issued, term_months) - DAY
    paid_until = patent.issued - DAY
    months = 0
    for payment in sorted(patent.payments, key=lambda p: p.paid_on):
        if payment.paid_on > max(paid_until, patent.issued):
            break
        months += payment.months
        paid_until = min(shift_months(patent.issued, months) - DAY, term_end)
    lapsed = None
    if paid_until < term_end:
        lapse = ctx.rule("patent.lapse_after_last_paid_day", paid_until)
        lapsed = paid_until + dt.timedelta(days=int(lapse.value) if lapse else 1)
    return paid_until, lapsed, term_end


def _covered_days(ctx: _Context) -> set[dt.date]:
    """Days on which a paid patent made the stay lawful (if the rule says it does)."""
    covered: set[dt.date] = set()
    for patent in ctx.facts.patents:
        paid_until, _, _ = patent_paid_until(patent, ctx)
        day = patent.issued
        while day <= paid_until:
            if ctx.rule("stay.patent_extends", day):
                covered.add(day)
            day += DAY
    return covered


@dataclass
class _StayDay:
    counted: bool
    unlawful: bool
    used: int
    rule: Rule


def _walk_stay(
    ctx: _Context, trips: list[Trip], until: dt.date, covered: set[dt.date]
) -> dict[dt.date, _StayDay]:
    """Every day in Russia up to ``until``: counted towards the limit, and lawful or not."""
    days: dict[dt.date, _StayDay] = {}
    counted_days: list[dt.date] = []
    for trip in sorted(trips, key=lambda t: t.entered):
        end = min(trip.exited or until, until)
        day = trip.entered
        continuous = 0
        while day <= end:
            rule = ctx.rule("stay.limit", day)
            if rule is None:
                day += DAY
                continue
            counted = day not in covered
            if counted:
                counted_days.append(day)
                continuous += 1
            else:
                continuous = 0
            if rule.params.get("method") == "calendar_year":
                start = dt.date(day.year, 1, 1)
            else:
                start = day - dt.timedelta(days=int(rule.params.get("window_days", 180)) - 1)
            used = len(counted_days) - bisect.bisect_left(counted_days, start) if counted else 0
            over_limit = counted and used > int(rule.value)
            over_continuous = counted and continuous > int(
                rule.params.get("max_continuous_days", 10**6)
            )
            days[day] = _StayDay(counted, over_limit or over_continuous, used, rule)
            day += DAY
    return days


def _counter(ctx: _Context, covered: set[dt.date]) -> Counter | None:
    trips = [t for t in ctx.facts.trips if t.entered <= ctx.on]
    if not trips:
        return None
    rule = ctx.rule("stay.limit", ctx.on)
    if rule is None:
        return None
    current = max(trips, key=lambda t: t.entered)
    in_russia = current.exited is None or current.exited >= ctx.on
    walked = _walk_stay(ctx, trips, ctx.on, covered)
    # The overstay of the latest trip: what an entry ban would be measured by.
    overstay = sum(
        1
        for day, stay in walked.items()
        if stay.unlawful and current.entered <= day <= (current.exited or ctx.on)
    )
    if rule.params.get("method") == "calendar_year":
        start = dt.date(ctx.on.year, 1, 1)
    else:
        start = ctx.on - dt.timedelta(days=int(rule.params.get("window_days", 180)) - 1)
    used = sum(1 for day, stay in walked.items() if stay.counted and start <= day <= ctx.on)
    leave_by = None
    if in_russia and overstay == 0:
        # Stay on, with nothing new paid: the last day that would still be lawful.
        staying = [t for t in trips if t is not current] + [Trip(current.entered)]
        ahead = _walk_stay(ctx, staying, ctx.on + dt.timedelta(days=LOOKAHEAD_DAYS), covered)
        for day in sorted(d for d in ahead if d > ctx.on):
            if ahead[day].unlawful:
                leave_by = day - DAY
                break
    return Counter(
        in_russia=in_russia,
        method=str(rule.params.get("method", "rolling")),
        limit=int(rule.value),
        used=used,
        left=max(0, int(rule.value) - used),
        covered_by_patent=ctx.on in covered,
        leave_by=leave_by,
        overstay_days=overstay,
        rule=rule,
    )


def _deadline(ctx: _Context, kind: str, rule_id: str, start: dt.date) -> Deadline | None:
    """The deadline ``kind`` counted by rule ``rule_id`` (in force on ``start``) from ``start``."""
    rule = ctx.rule(rule_id, start)
    if rule is None:
        return None
    value = int(rule.value)
    if rule.unit == "calendar_days":
        due = start + dt.timedelta(days=value)
    elif rule.unit == "working_days":
        try:
            due = ctx.calendar.add_working_days(start, value)
        except OutsideCalendar as exc:
            ctx.uncovered.add(exc.year)
            return None
    elif rule.unit == "months":
        due = shift_months(start, value)
    else:
        raise ValueError(f"{rule_id}: a deadline cannot be counted in {rule.unit}")
    return Deadline(kind=kind, due=due, rule=rule)


def _deadlines(ctx: _Context) -> list[Deadline]:
    facts, found = ctx.facts, []
    trips = [t for t in facts.trips if t.entered <= ctx.on]
    current = max(trips, key=lambda t: t.entered) if trips else None
    if current is not None and (current.exited is None or current.exited >= ctx.on):
        entered = current.entered
        if not any(r.registered >= entered for r in facts.registrations):
            found.append(_deadline(ctx, "registration", "registration.deadline", entered))
        patent_at_entry = any(
            p.issued <= entered <= patent_paid_until(p, ctx)[0] for p in facts.patents
        )
        if not patent_at_entry and not any(p.issued >= entered for p in facts.patents):
            found.append(_deadline(ctx, "patent_apply", "patent.apply_deadline", entered))
        validity = ctx.rule("medical.validity", entered)
        still_valid = validity is not None and any(
            shift_months(m, int(validity.value)) > entered for m in facts.medical
        )
        if not still_valid and not any(m >= entered for m in facts.medical):
            found.append(_deadline(ctx, "medical", "medical.deadline", entered))
        if not facts.fingerprinting:
            found.append(_deadline(ctx, "fingerprinting", "fingerprinting.deadline", entered))
        registered = [r for r in facts.registrations if r.valid_until and r.registered >= entered]
        if registered:
            latest = max(registered, key=lambda r: r.registered)
            rule = ctx.rule("registration.deadline", entered)
            if rule is not None and latest.valid_until is not None:
                found.append(Deadline("registration_renewal", latest.valid_until, rule))
    if facts.patents:
        patent = max(facts.patents, key=lambda p: p.issued)
        paid_until, lapsed, term_end = patent_paid_until(patent, ctx)
        if lapsed is None or lapsed > ctx.on:
            if paid_until < term_end:
                rule = ctx.rule("patent.lapse_after_last_paid_day", paid_until)
                if rule is not None:
                    found.append(Deadline("patent_payment", paid_until, rule))
            window = ctx.rule("patent.reissue_window", patent.issued)
            if window is not None:
                try:
                    due = ctx.calendar.add_working_days(term_end, -int(window.value))
                    found.append(Deadline("patent_reissue", due, window))
                except OutsideCalendar as exc:
                    ctx.uncovered.add(exc.year)
        if not any(c >= patent.issued for c in facts.contract_copies):
            found.append(_deadline(ctx, "contract_copy", "contract.copy_deadline", patent.issued))
    if facts.medical and (current is not None or facts.patents):
        found.append(_deadline(ctx, "medical_renewal", "medical.validity", max(facts.medical)))
    if facts.exam:
        found.append(_deadline(ctx, "exam_renewal", "exam.validity", max(facts.exam)))
    return sorted((d for d in found if d is not None), key=lambda d: (d.due, d.kind))


MATTER = {
    "registration": "registration",
    "registration_renewal": "registration",
    "patent_apply": "patent",
    "patent_payment": "patent",
    "patent_reissue": "patent",
    "contract_copy": "contract",
    "medical": "medical",
    "medical_renewal": "medical",
    "fingerprinting": "medical",
    "exam_renewal": "patent",
}


def _ban_years(ctx: _Context, days: int) -> tuple[int | None, Rule | None]:
    rule = ctx.rule("entry_ban.overstay", ctx.on)
    if rule is None or days <= 0:
        return None, rule
    years = None
    for band in rule.params.get("bands", []):
        if days > int(band["more_than_days"]):
            years = int(band["years"])
    return years, rule


def _flags(ctx: _Context, counter: Counter | None, deadlines: list[Deadline]) -> list[Flag]:
    flags: list[Flag] = []
    triggers: list[str] = []
    trips = [t for t in ctx.facts.trips if t.entered <= ctx.on]
    in_russia = bool(counter and counter.in_russia)
    if ctx.facts.patents:
        patent = max(ctx.facts.patents, key=lambda p: p.issued)
        paid_until, lapsed, _ = patent_paid_until(patent, ctx)
        rule = ctx.rule("patent.lapse_after_last_paid_day", paid_until)
        if lapsed is not None and lapsed <= ctx.on and rule is not None:
            flags.append(Flag("patent_lapsed", "patent", (rule,), since=lapsed))
            if in_russia:
                triggers.append("patent_lapsed")
    if counter is not None and counter.overstay_days > 0:
        years, ban_rule = _ban_years(ctx, counter.overstay_days)
        used_rules = (counter.rule,) + ((ban_rule,) if ban_rule else ())
        flags.append(
            Flag(
                "stay_exceeded",
                "entry_ban",
                used_rules,
                days=counter.overstay_days,
                ban_years=years,
            )
        )
        triggers.append("stay_exceeded")
    for deadline in deadlines:
        if deadline.due < ctx.on and deadline.kind not in ("patent_payment",):
            flags.append(
                Flag(
                    "deadline_missed",
                    MATTER[deadline.kind],
                    (deadline.rule,),
                    since=deadline.due + DAY,
                    kind=deadline.kind,
                    days=(ctx.on - deadline.due).days,
                )
            )
            if deadline.kind in ("registration", "registration_renewal") and in_russia:
                triggers.append("registration_missed")
            if deadline.kind == "contract_copy" and in_russia:
                triggers.append("contract_missed")
    rkl = ctx.rule("rkl.triggers", ctx.on)
    if rkl is not None and trips:
        met = tuple(t for t in rkl.params.get("triggers", []) if t in triggers)
        if met:
            flags.append(Flag("rkl_risk", "rkl", (rkl,), triggers=met))
    return [replace(f, places=tuple(ctx.rules.places_for(f.matter))) for f in flags]


def _evaluate(ctx: _Context) -> Assessment:
    covered = _covered_days(ctx)
    counter = _counter(ctx, covered)
    all_deadlines = _deadlines(ctx)
    flags = _flags(ctx, counter, all_deadlines)
    upcoming = tuple(d for d in all_deadlines if d.due >= ctx.on)
    return Assessment(
        on=ctx.on,
        counter=counter,
        deadlines=upcoming,
        flags=tuple(flags),
        uncovered_years=tuple(sorted(ctx.uncovered)),
    )


def _summary(assessment: Assessment) -> dict[str, str]:
    """What an assessment says, as comparable labels: deadline dates and flags."""
    out: dict[str, str] = {}
    for d in assessment.deadlines:
        out[f"deadline:{d.kind}"] = d.due.isoformat()
    for f in assessment.flags:
        if f.code == "deadline_missed":
            out[f"missed:{f.kind}"] = f"{f.days}"
        else:
            out[f"flag:{f.code}"] = f"{f.days or ''}{f.ban_years or ''}{','.join(f.triggers)}"
    if assessment.counter is not None:
        out["counter:left"] = str(assessment.counter.left)
        out["counter:leave_by"] = str(assessment.counter.leave_by or "")
    return out


def assess(
    facts: Facts,
    on: dt.date,
    ruleset: RuleSet | None = None,
    readings: dict[str, str] | None = None,
) -> Assessment:
    """The counter, upcoming deadlines and flags of ``facts`` on ``on``, and where a disputed
    rule's other reading would answer differently, a ``sources_disagree`` flag saying how."""
    ruleset = ruleset or rules()
    cal = production_calendar()
    ctx = _Context(facts, on, ruleset, cal, dict(readings or {}))
    primary = _evaluate(ctx)
    if readings:
        return primary
    disputes: list[Flag] = []
    base = _summary(primary)
    for rule_id in ruleset.disputed():
        for reading in ruleset.readings(rule_id):
            if reading == ruleset.primary[rule_id]:
                continue
            try:
                other = _evaluate(_Context(facts, on, ruleset, cal, {rule_id: reading}))
            except NoRuleInForce:
                continue
            alt = _summary(other)
            differences = tuple(
                (key, base.get(key, ""), alt.get(key, ""))
                for key in sorted(set(base) | set(alt))
                if base.get(key, "") != alt.get(key, "")
            )
            if differences:
                periods = ruleset.timelines[rule_id]
                used = (
                    periods[ruleset.primary[rule_id]][0],
                    periods[reading][0],
                )
                disputes.append(
                    Flag(
                        "sources_disagree",
                        "rules",
                        used,
                        kind=rule_id,
                        differences=differences,
                    )
                )
    return replace(primary, flags=primary.flags + tuple(disputes))


def rule_of(assessment: Assessment, code: str) -> Any:
    """The first flag with ``code``, or None (a helper for pages and tests)."""
    return next((f for f in assessment.flags if f.code == code), None)
