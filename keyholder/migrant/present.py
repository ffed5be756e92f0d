"""An assessment put into words, in the active language: what the pages and the API show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from keyholder.migrant.calculator import Assessment, Deadline, Flag
from keyholder.migrant.labels import ADVICE, DEADLINE_LABELS, RULE_TITLES, TRIGGER_LABELS
from keyholder.migrant.rules import Place, Rule

SEVERE = {"patent_lapsed", "stay_exceeded", "rkl_risk"}


def day(value: dt.date) -> str:
    return date_format(value, "j E Y")


@dataclass(frozen=True)
class ShownRule:
    id: str
    title: str
    reading: str
    source: str
    source_date: dt.date
    confidence: str

    @staticmethod
    def of(rule: Rule) -> ShownRule:
        return ShownRule(
            id=rule.id,
            title=str(RULE_TITLES.get(rule.id, rule.id)),
            reading=rule.reading,
            source=rule.source,
            source_date=rule.source_date,
            confidence=rule.confidence,
        )


@dataclass(frozen=True)
class ShownDeadline:
    kind: str
    due: dt.date
    days_left: int
    what: str
    rule: ShownRule


@dataclass(frozen=True)
class ShownFlag:
    code: str
    severe: bool
    text: str
    details: tuple[str, ...]
    advice: str
    places: tuple[Place, ...]
    rules: tuple[ShownRule, ...]


def _difference_label(key: str) -> str:
    kind, _sep, name = key.partition(":")
    if kind == "deadline":
        return str(DEADLINE_LABELS.get(name, name))
    if kind == "missed":
        return _("Missed: %(what)s") % {"what": DEADLINE_LABELS.get(name, name)}
    if kind == "counter" and name == "left":
        return _("Days of stay left")
    if kind == "counter":
        return _("Last lawful day of the stay")
    return {
        "patent_lapsed": _("Patent lapsed"),
        "stay_exceeded": _("Stay exceeded"),
        "rkl_risk": _("Register of controlled persons"),
    }.get(name, name)


def _value(text: str) -> str:
    if not text:
        return _("none")
    try:
        return day(dt.date.fromisoformat(text))
    except ValueError:
        return text


def flag_text(flag: Flag) -> tuple[str, tuple[str, ...]]:
    if flag.code == "patent_lapsed" and flag.since:
        return _("Your patent lapsed on %(date)s: a monthly payment was missed.") % {
            "date": day(flag.since)
        }, ()
    if flag.code == "stay_exceeded":
        days = flag.days or 0
        text = ngettext(
            "You have stayed %(days)d day longer than the rules allow.",
            "You have stayed %(days)d days longer than the rules allow.",
            days,
        ) % {"days": days}
        details: tuple[str, ...] = ()
        if flag.ban_years:
            details = (
                ngettext(
                    "An overstay of this length carries an entry ban of %(years)d year.",
                    "An overstay of this length carries an entry ban of %(years)d years.",
                    flag.ban_years,
                )
                % {"years": flag.ban_years},
            )
        return text, details
    if flag.code == "rkl_risk":
        return _("Reasons for the register of controlled persons are met:"), tuple(
            str(TRIGGER_LABELS.get(t, t)) for t in flag.triggers
        )
    if flag.code == "deadline_missed":
        days = flag.days or 0
        return ngettext(
            "Missed %(days)d day ago: %(what)s.",
            "Missed %(days)d days ago: %(what)s.",
            days,
        ) % {"days": days, "what": DEADLINE_LABELS.get(flag.kind, flag.kind)}, ()
    if flag.code == "sources_disagree":
        text = _("The sources disagree: %(rule)s.") % {
            "rule": RULE_TITLES.get(flag.kind, flag.kind)
        }
        details = tuple(
            _("%(what)s: %(primary)s in the reading we count with, %(other)s in the other.")
            % {"what": _difference_label(key), "primary": _value(a), "other": _value(b)}
            for key, a, b in flag.differences
        )
        return text, details
    return flag.code, ()


def shown_flags(assessment: Assessment) -> list[ShownFlag]:
    out = []
    for flag in assessment.flags:
        text, details = flag_text(flag)
        out.append(
            ShownFlag(
                code=flag.code,
                severe=flag.code in SEVERE,
                text=text,
                details=details,
                advice=str(ADVICE.get(flag.code, "")),
                places=flag.places,
                rules=tuple(ShownRule.of(r) for r in flag.rules),
            )
        )
    return sorted(out, key=lambda f: not f.severe)


def shown_deadlines(assessment: Assessment) -> list[ShownDeadline]:
    return [
        ShownDeadline(
            kind=d.kind,
            due=d.due,
            days_left=(d.due - assessment.on).days,
            what=str(DEADLINE_LABELS.get(d.kind, d.kind)),
            rule=ShownRule.of(d.rule),
        )
        for d in assessment.deadlines
    ]


def deadline_rule(deadline: Deadline) -> ShownRule:
    return ShownRule.of(deadline.rule)
