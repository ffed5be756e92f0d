"""Typed shapes of the keeping API (django-ninja schemas)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import WithJsonSchema

from keyholder.core.api import PLACE_CODE, SOME_TEXT, Money, Rate, one_of
from keyholder.core.text import NOTE_MAX_LENGTH
from keyholder.keeping.models import (
    AgreementChange,
    Currency,
    DutyKind,
    FeePeriod,
    Incident,
    IncidentKind,
    IncidentStatus,
    KeepingAgreement,
    PaymentMethod,
    Photo,
    Severity,
    Task,
    Visit,
)


class AgreementIn(Schema):
    id: uuid.UUID | None = Field(None, description="Made by the client; a resend is safe.")
    house: uuid.UUID
    keyholder: str | None = Field(
        None, max_length=150, description="Username; the requester by default."
    )
    owners: list[Annotated[str, Field(max_length=150)]] = Field(
        default_factory=list,
        description="Usernames of owner accounts of the households living in the house.",
    )
    start: dt.date
    end: dt.date | None = None
    fee_amount: Money
    fee_currency: str = Field(description="TJS, RUB or USD", json_schema_extra=one_of(Currency))
    fee_period: str = Field(
        description="month, season or year", json_schema_extra=one_of(FeePeriod)
    )
    notes: str = Field("", max_length=NOTE_MAX_LENGTH)


class ChangeOut(Schema):
    kind: str
    date: dt.date
    note: str


class KeyOut(Schema):
    id: uuid.UUID
    label: str
    handed_over_on: dt.date
    handed_over_by: str
    returned_on: dt.date | None
    returned_to: str


class AgreementOut(Schema):
    id: uuid.UUID
    house: uuid.UUID
    house_label: str
    village: str
    keyholder: str
    owners: list[str]
    start: dt.date
    end: dt.date | None
    fee_amount: Decimal
    fee_currency: str
    fee_period: str
    status: str
    notes: str
    changes: list[ChangeOut]
    keys: list[KeyOut]

    @staticmethod
    def resolve_house(obj: KeepingAgreement) -> uuid.UUID:
        return obj.house_id

    @staticmethod
    def resolve_house_label(obj: KeepingAgreement) -> str:
        return str(obj.house)

    @staticmethod
    def resolve_village(obj: KeepingAgreement) -> str:
        return obj.house.village.code

    @staticmethod
    def resolve_keyholder(obj: KeepingAgreement) -> str:
        return obj.keyholder.username

    @staticmethod
    def resolve_owners(obj: KeepingAgreement) -> list[str]:
        return [o.username for o in obj.owners.all()]

    @staticmethod
    def resolve_changes(obj: KeepingAgreement) -> list[Any]:
        return list(obj.changes.all())

    @staticmethod
    def resolve_keys(obj: KeepingAgreement) -> list[Any]:
        return list(obj.keys.all())


class AgreementPage(Schema):
    count: int
    next: str | None
    results: list[AgreementOut]


class ChangeIn(Schema):
    kind: str = Field(
        description="pause, resume or end", json_schema_extra=one_of(AgreementChange.Kind)
    )
    date: dt.date
    note: str = Field("", max_length=NOTE_MAX_LENGTH)


class KeyIn(Schema):
    id: uuid.UUID | None = None
    label: str = Field(max_length=200, json_schema_extra=SOME_TEXT)
    handed_over_on: dt.date
    handed_over_by: str = Field(max_length=200)


class KeyReturnIn(Schema):
    returned_on: dt.date
    returned_to: str = Field(max_length=200)


class DutyIn(Schema):
    id: uuid.UUID | None = None
    agreement: uuid.UUID
    kind: str = Field(
        description="security_round, watering or other", json_schema_extra=one_of(DutyKind)
    )
    title: str = Field("", max_length=200)
    every_days: int | None = None
    follows_water_turns: bool = False
    starts_on: dt.date | None = None
    due_date: dt.date | None = None


class DutyOut(Schema):
    id: uuid.UUID
    agreement: uuid.UUID = Field(alias="agreement_id")
    kind: str
    title: str
    every_days: int | None
    follows_water_turns: bool
    starts_on: dt.date
    due_date: dt.date | None
    active: bool


class DutyPage(Schema):
    count: int
    next: str | None
    results: list[DutyOut]


class TaskOut(Schema):
    id: uuid.UUID
    agreement: uuid.UUID = Field(alias="agreement_id")
    duty: uuid.UUID = Field(alias="duty_id")
    kind: str
    due_date: dt.date
    status: str
    fulfilled_by: uuid.UUID | None = Field(None, alias="fulfilled_by_id")

    @staticmethod
    def resolve_fulfilled_by(obj: Task) -> uuid.UUID | None:
        return obj.fulfilled_by_id


class TaskPage(Schema):
    count: int
    next: str | None
    results: list[TaskOut]


class VisitIn(Schema):
    id: uuid.UUID | None = None
    agreement: uuid.UUID
    checked_in_at: dt.datetime = Field(description="When the visit happened, not when it is sent.")
    checked_out_at: dt.datetime | None = None
    tasks: list[uuid.UUID] = Field(default_factory=list)
    checklist: dict[str, Any] = Field(default_factory=dict)
    notes: str = Field("", max_length=NOTE_MAX_LENGTH)
    photos: list[str] = Field(
        default_factory=list,
        description=(
            "Photos sent with the visit, each a base64-encoded JPEG, PNG or WebP. A check "
            "answered false needs a note and at least one photo here."
        ),
    )


class PhotoOut(Schema):
    id: uuid.UUID
    visit: uuid.UUID | None
    incident: uuid.UUID | None
    width: int
    height: int
    taken_at: dt.datetime | None
    latitude: float | None
    longitude: float | None
    url: str

    @staticmethod
    def resolve_visit(obj: Photo) -> uuid.UUID | None:
        return obj.visit_id

    @staticmethod
    def resolve_incident(obj: Photo) -> uuid.UUID | None:
        return obj.incident_id

    @staticmethod
    def resolve_url(obj: Photo) -> str:
        return f"/api/v1/keeping/photos/{obj.pk}/image"


class VisitOut(Schema):
    id: uuid.UUID
    agreement: uuid.UUID
    keyholder: str
    checked_in_at: dt.datetime
    checked_out_at: dt.datetime | None
    tasks: list[uuid.UUID]
    checklist: dict[str, Any]
    notes: str
    photos: list[PhotoOut]

    @staticmethod
    def resolve_agreement(obj: Visit) -> uuid.UUID:
        return obj.agreement_id

    @staticmethod
    def resolve_keyholder(obj: Visit) -> str:
        return obj.keyholder.username

    @staticmethod
    def resolve_tasks(obj: Visit) -> list[uuid.UUID]:
        return sorted((t.pk for t in obj.tasks.all()), key=str)

    @staticmethod
    def resolve_photos(obj: Visit) -> list[Any]:
        return list(obj.photos.all())


class VisitPage(Schema):
    count: int
    next: str | None
    results: list[VisitOut]


class PhotoForm(Schema):
    id: uuid.UUID | None = None
    visit: uuid.UUID | None = None
    incident: uuid.UUID | None = None
    attach_position: bool = False
    latitude: float | None = None
    longitude: float | None = None


class IncidentIn(Schema):
    id: uuid.UUID | None = None
    agreement: uuid.UUID
    occurred_on: dt.date
    kind: str = Field(json_schema_extra=one_of(IncidentKind))
    severity: str = Field(json_schema_extra=one_of(Severity))
    notes: str = Field("", max_length=NOTE_MAX_LENGTH)
    cost_amount: Money | None = None
    cost_currency: str = Field("", json_schema_extra=one_of(["", *Currency]))


class IncidentStatusIn(Schema):
    status: str = Field(json_schema_extra=one_of(IncidentStatus))
    cost_amount: Money | None = None
    cost_currency: str = Field("", json_schema_extra=one_of(["", *Currency]))


class IncidentOut(Schema):
    id: uuid.UUID
    agreement: uuid.UUID
    occurred_on: dt.date
    kind: str
    severity: str
    status: str
    notes: str
    cost_amount: Decimal | None
    cost_currency: str
    photos: list[PhotoOut]

    @staticmethod
    def resolve_agreement(obj: Incident) -> uuid.UUID:
        return obj.agreement_id

    @staticmethod
    def resolve_photos(obj: Incident) -> list[Any]:
        return list(obj.photos.all())


class IncidentPage(Schema):
    count: int
    next: str | None
    results: list[IncidentOut]


class PaymentIn(Schema):
    id: uuid.UUID | None = None
    agreement: uuid.UUID
    amount: Money
    currency: str = Field(json_schema_extra=one_of(Currency))
    rate: Rate | None = Field(
        None,
        description="the exchange rate agreed with the owner (fee-currency units per unit "
        "paid); required when the currency is not the agreement's fee currency",
    )
    settled_amount: Money | None = Field(
        None, description="what it settles in the fee currency; default amount × rate"
    )
    paid_on: dt.date
    method: str = Field(
        description="cash, card_transfer, remittance_service or other",
        json_schema_extra=one_of(PaymentMethod),
    )
    note: str = Field("", max_length=NOTE_MAX_LENGTH)


class PaymentOut(Schema):
    id: uuid.UUID
    agreement: uuid.UUID = Field(alias="agreement_id")
    amount: Decimal
    currency: str
    rate: Decimal | None
    settled_amount: Decimal | None
    paid_on: dt.date
    method: str
    note: str


class PaymentPage(Schema):
    count: int
    next: str | None
    results: list[PaymentOut]


class TotalsOut(Schema):
    currency: str
    charged: Decimal
    paid: Decimal
    balance: Decimal
    arrears: Decimal


class EntryOut(Schema):
    date: dt.date
    kind: str
    amount: Decimal
    currency: str
    period_end: dt.date | None
    method: str
    note: str
    rate: Decimal | None = None
    settled: Decimal | None = Field(None, description="in the fee currency; None: awaiting a rate")
    balance: Decimal | None = Field(None, description="the running balance in the fee currency")


class LedgerOut(Schema):
    agreement: uuid.UUID
    currency: str = Field(description="the fee currency: every balance is in it")
    balance: Decimal
    arrears: Decimal
    totals: list[TotalsOut]
    entries: list[EntryOut]


class StatementOut(Schema):
    currency: str
    opening: Decimal
    closing: Decimal
    entries: list[EntryOut]


class DueDoneOut(Schema):
    due: int
    done: int = Field(description="done on time")
    late: int = 0


class ArrearsOut(Schema):
    # Reads a keeping.queries.ArrearsRow.
    agreement: uuid.UUID
    house: str
    village: str
    currency: str
    owed: Decimal
    months: list[str] = Field(description="the months (YYYY-MM) not yet covered, oldest first")

    @staticmethod
    def resolve_agreement(row: Any) -> uuid.UUID:
        return row.agreement.pk

    @staticmethod
    def resolve_house(row: Any) -> str:
        return str(row.agreement.house)

    @staticmethod
    def resolve_village(row: Any) -> str:
        return str(row.agreement.house.village.name)

    @staticmethod
    def resolve_months(row: Any) -> list[str]:
        return [f"{m:%Y-%m}" for m in row.months]


class ArrearsPage(Schema):
    count: int
    next: str | None
    results: list[ArrearsOut]


class VisitLineOut(Schema):
    visit_id: str
    checked_in_at: dt.datetime
    checked_out_at: dt.datetime | None
    task_kinds: list[str]
    problems: list[str] = Field(description="the failed checks, in the request's language")
    meter_reading: str
    notes: str
    photo_count: int
    problem_keys: list[str] = Field(description="the failed checks as checklist keys")


class IncidentLineOut(Schema):
    incident_id: str
    occurred_on: dt.date
    kind: str
    kind_label: str
    severity: str
    severity_label: str
    status_label: str
    notes: str
    cost: str


class ReportOut(Schema):
    # Reads a keeping.reports.OwnerReport.
    agreement: uuid.UUID = Field(alias="agreement_id")
    month: str = Field(alias="key", description="YYYY-MM")
    house: str
    village: str
    keyholder: str
    rounds: DueDoneOut
    watering: DueDoneOut
    other: DueDoneOut
    visits: list[VisitLineOut]
    incidents: list[IncidentLineOut]
    photos: list[uuid.UUID] = Field(alias="photo_ids")
    charges: list[EntryOut]
    payments: list[EntryOut]
    totals: list[TotalsOut]
    statement: StatementOut


class WaterTurnsIn(Schema):
    village: str = Field(max_length=64, json_schema_extra=PLACE_CODE)
    dates: list[dt.date] = Field(max_length=366)
    note: str = Field("", max_length=NOTE_MAX_LENGTH)


class SeasonIn(Schema):
    village: str = Field(max_length=64, json_schema_extra=PLACE_CODE)
    year: int = Field(ge=1900, le=2199)
    start: dt.date
    end: dt.date


# The answers of the water-turns and watering-season endpoints are typed, but documented as
# the string-keyed objects the OpenAPI document always showed.
class WaterTurnsOut(Schema):
    added: int


class SeasonOut(Schema):
    start: dt.date
    end: dt.date


WaterTurnsAnswer = Annotated[
    WaterTurnsOut,
    WithJsonSchema(
        {"additionalProperties": {"type": "integer"}, "title": "Response", "type": "object"}
    ),
]
SeasonAnswer = Annotated[
    SeasonOut,
    WithJsonSchema(
        {"additionalProperties": {"type": "string"}, "title": "Response", "type": "object"}
    ),
]


class SummaryOut(Schema):
    houses_under_care: int
    vacant_houses: int
    vacant_without_keyholder: int
