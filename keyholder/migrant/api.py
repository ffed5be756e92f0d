"""The migrant calendar's JSON API: the public rules, and the caller's own calendar only.

There is no endpoint that takes another person's id: a token of any other role (an
administrator's included) answers 404 for the calendar, its export and its writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from keyholder.core.api import READ, WRITE
from keyholder.migrant import access, services
from keyholder.migrant.labels import RULE_TITLES
from keyholder.migrant.present import ShownDeadline, ShownFlag, shown_deadlines, shown_flags
from keyholder.migrant.record import assessment_of
from keyholder.migrant.rules import Rule
from keyholder.migrant.rules import rules as load_rules

router = Router(tags=["migrant"])


class RuleOut(Schema):
    id: str
    title: str
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

    @staticmethod
    def resolve_title(obj: Rule) -> str:
        return str(RULE_TITLES.get(obj.id, obj.id))


@router.get(
    "/migrant/rules",
    response={200: list[RuleOut], **READ},
    auth=None,
    summary="Rules in force on a date (public)",
)
def rules_in_force(request: HttpRequest, on: dt.date | None = None) -> list[Rule]:
    return load_rules().in_force(on or timezone.localdate())


class PlaceOut(Schema):
    name: str
    url: str


class ShownRuleOut(Schema):
    id: str
    title: str
    reading: str
    source: str
    source_date: dt.date
    confidence: str


class DeadlineOut(Schema):
    kind: str
    due: dt.date
    days_left: int
    what: str
    rule: ShownRuleOut


class FlagOut(Schema):
    code: str
    severe: bool
    text: str
    details: list[str]
    advice: str
    places: list[PlaceOut]
    rules: list[ShownRuleOut]


class CounterOut(Schema):
    in_russia: bool
    method: str
    limit: int
    used: int
    left: int
    covered_by_patent: bool
    leave_by: dt.date | None
    overstay_days: int


@dataclass(frozen=True)
class CalendarAnswer:
    on: dt.date
    counter: Any
    deadlines: list[ShownDeadline]
    flags: list[ShownFlag]
    not_legal_advice: str


class CalendarOut(Schema):
    on: dt.date
    counter: CounterOut | None
    deadlines: list[DeadlineOut]
    flags: list[FlagOut]
    not_legal_advice: str


@router.get(
    "/migrant/calendar",
    response={200: CalendarOut, **READ},
    summary="My day counter, deadlines and risk flags",
)
def my_calendar(request: HttpRequest) -> CalendarAnswer:
    from django.utils.translation import gettext as _

    profile = access.profile_of(request.user)
    today = timezone.localdate()
    assessment = assessment_of(profile, today)
    return CalendarAnswer(
        on=today,
        counter=assessment.counter,
        deadlines=shown_deadlines(assessment),
        flags=shown_flags(assessment),
        not_legal_advice=_("This is not legal advice."),
    )


@router.get(
    "/migrant/export",
    response={200: dict[str, Any], **READ},
    summary="All of my calendar (JSON)",
)
def my_export(request: HttpRequest) -> dict[str, Any]:
    return services.do_export(actor=request.user)


class TripIn(Schema):
    entered_on: dt.date
    exited_on: dt.date | None = None
    note: str = Field("", max_length=200)


class TripOut(Schema):
    id: str
    entered_on: dt.date
    exited_on: dt.date | None

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return str(obj.pk)


@router.post(
    "/migrant/trips",
    response={201: TripOut, **WRITE},
    summary="Add an entry to (and exit from) Russia",
)
def add_trip(request: HttpRequest, payload: TripIn) -> tuple[int, Any]:
    return 201, services.do_add_trip(actor=request.user, **payload.dict())


@router.delete(
    "/migrant/calendar",
    response={204: None, **WRITE},
    summary="Delete all of my calendar",
)
def delete_calendar(request: HttpRequest) -> tuple[int, None]:
    services.do_delete_all(actor=request.user)
    return 204, None
