"""The batch upload: records made on a phone offline, each applied on its own, in order.

Every record goes through the service that creates it anywhere else (``do_record_visit``,
``do_create_person``...), with the phone's UUID, inside its own transaction: a refused record
loses nothing of the others, and a batch cut off half-way and sent again finds what it had
already written (``exists``). Two phones sending the same record at once cannot both insert
it: the loser's insert fails on the primary key, and the record is looked up again, which
answers ``exists`` (or ``conflict`` for other content).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ValidationError

from keyholder.accounts.models import AuditLog, User
from keyholder.accounts.services import audit
from keyholder.core.errors import Code, ServiceError
from keyholder.keeping import access as keeping_access
from keyholder.keeping import services as keeping
from keyholder.places.models import require_place
from keyholder.registry import access as registry_access
from keyholder.registry import services as registry
from keyholder.registry.models import Relation

logger = logging.getLogger(__name__)

MAX_BATCH = 200


class PhotoIn(Schema):
    id: uuid.UUID = Field(..., description="Made on the phone: a resend adds nothing.")
    data: str = Field(..., description="The image, base64-encoded (JPEG, PNG or WebP).")


class VisitData(Schema):
    agreement: uuid.UUID
    checked_in_at: dt.datetime = Field(..., description="When the visit happened.")
    checked_out_at: dt.datetime | None = None
    tasks: list[uuid.UUID] = Field(default_factory=list)
    checklist: dict[str, Any] = Field(default_factory=dict)
    notes: str = ""
    photos: list[PhotoIn] = Field(
        default_factory=list,
        description=(
            "Photos sent inside the visit: needed only when a check failed (such a visit is "
            "refused without one); any other photo goes to POST /api/v1/sync/photos."
        ),
    )


class IncidentData(Schema):
    agreement: uuid.UUID
    occurred_on: dt.date
    kind: str
    severity: str
    notes: str = ""
    cost_amount: Decimal | None = None
    cost_currency: str = ""


class PaymentData(Schema):
    agreement: uuid.UUID
    amount: Decimal
    currency: str
    rate: Decimal | None = None
    settled_amount: Decimal | None = None
    paid_on: dt.date
    method: str
    note: str = ""


class HouseIn(Schema):
    village: str
    street: str = Field("", max_length=200)
    number: str = Field("", max_length=32)
    trees: dict[str, int] = Field(default_factory=dict)
    garden_area_m2: int | None = Field(None, ge=0)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    notes: str = ""


class HouseholdIn(Schema):
    village: str
    name: str = Field(..., max_length=200)
    house: uuid.UUID | None = None
    notes: str = ""


class PersonIn(Schema):
    household: uuid.UUID
    given_name: str = Field(..., max_length=100)
    family_name: str = Field("", max_length=100)
    sex: str
    birth_year: int
    relation: str = Relation.OTHER.value
    phone: str = ""


class EventIn(Schema):
    person: uuid.UUID
    kind: str
    date: dt.date
    country: str = ""
    destination: str = Field("", max_length=200)
    purpose: str = ""
    until: dt.date | None = None
    moved_to: str | None = None
    note: str = ""


def _photos(items: list[PhotoIn]) -> list[keeping.PhotoUpload]:
    uploads = []
    for item in items:
        try:
            data = base64.b64decode(item.data, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ServiceError(Code.KEEPING_PHOTO_UNREADABLE, field="photos") from exc
        uploads.append(keeping.PhotoUpload(data=data, id=item.id))
    return uploads


def _visit(user: User, record_id: uuid.UUID, d: VisitData) -> bool:
    agreement = keeping_access.get_agreement(user, d.agreement)
    _visit, created = keeping.do_record_visit(
        actor=user,
        agreement=agreement,
        checked_in_at=d.checked_in_at,
        checked_out_at=d.checked_out_at,
        task_ids=d.tasks,
        checklist_answers=d.checklist,
        notes=d.notes,
        photos=_photos(d.photos),
        id=record_id,
    )
    return created


def _incident(user: User, record_id: uuid.UUID, d: IncidentData) -> bool:
    agreement = keeping_access.get_agreement(user, d.agreement)
    _incident, created = keeping.do_report_incident(
        actor=user,
        agreement=agreement,
        occurred_on=d.occurred_on,
        kind=d.kind,
        severity=d.severity,
        notes=d.notes,
        cost_amount=d.cost_amount,
        cost_currency=d.cost_currency,
        id=record_id,
    )
    return created


def _payment(user: User, record_id: uuid.UUID, d: PaymentData) -> bool:
    agreement = keeping_access.get_agreement(user, d.agreement)
    _payment, created = keeping.do_record_payment(
        actor=user,
        agreement=agreement,
        amount=d.amount,
        currency=d.currency,
        rate=d.rate,
        settled_amount=d.settled_amount,
        paid_on=d.paid_on,
        method=d.method,
        note=d.note,
        id=record_id,
    )
    return created


def _house(user: User, record_id: uuid.UUID, d: HouseIn) -> bool:
    _house, created = registry.do_create_house(
        actor=user,
        village=registry.village_by_code(d.village),
        street=d.street,
        number=d.number,
        trees=d.trees,
        garden_area_m2=d.garden_area_m2,
        latitude=d.latitude,
        longitude=d.longitude,
        notes=d.notes,
        id=record_id,
    )
    return created


def _household(user: User, record_id: uuid.UUID, d: HouseholdIn) -> bool:
    house = registry_access.get_house(user, d.house) if d.house else None
    _household, created = registry.do_create_household(
        actor=user,
        village=registry.village_by_code(d.village),
        name=d.name,
        house=house,
        notes=d.notes,
        id=record_id,
    )
    return created


def _person(user: User, record_id: uuid.UUID, d: PersonIn) -> bool:
    household = registry_access.get_household(user, d.household, audited=False)
    _person, created = registry.do_create_person(
        actor=user,
        household=household,
        given_name=d.given_name,
        family_name=d.family_name,
        sex=d.sex,
        birth_year=d.birth_year,
        relation=d.relation,
        phone=d.phone,
        id=record_id,
    )
    return created


def _event(user: User, record_id: uuid.UUID, d: EventIn) -> bool:
    person = registry_access.get_person(user, d.person, audited=False)
    _event, created = registry.do_record_event(
        actor=user,
        person=person,
        kind=d.kind,
        date=d.date,
        country=d.country,
        destination=d.destination,
        purpose=d.purpose,
        until=d.until,
        moved_to=require_place(d.moved_to, "moved_to") if d.moved_to else None,
        note=d.note,
        id=record_id,
    )
    return created


@dataclass(frozen=True)
class Handler:
    schema: type[Schema]
    apply: Callable[[User, uuid.UUID, Any], bool]


HANDLERS: dict[str, Handler] = {
    "visit": Handler(VisitData, _visit),
    "incident": Handler(IncidentData, _incident),
    "payment": Handler(PaymentData, _payment),
    "house": Handler(HouseIn, _house),
    "household": Handler(HouseholdIn, _household),
    "person": Handler(PersonIn, _person),
    "event": Handler(EventIn, _event),
}


@dataclass(frozen=True)
class Record:
    type: str
    id: uuid.UUID
    made_at: dt.datetime
    data: dict[str, Any]


@dataclass(frozen=True)
class Result:
    id: uuid.UUID
    result: str
    code: str | None = None
    message: str | None = None
    field: str | None = None

    @classmethod
    def refused(cls, record_id: uuid.UUID, error: ServiceError) -> Result:
        result = "conflict" if error.code == Code.CONFLICT_UUID else "refused"
        return cls(record_id, result, error.code.value, error.message, error.field)


def _invalid(exc: ValidationError) -> ServiceError:
    details = []
    field = None
    for item in exc.errors():
        loc = ".".join(str(p) for p in item.get("loc", ()))
        if loc and field is None:
            field = loc
        details.append(f"{loc or _('request')}: {item.get('msg', '')}")
    return ServiceError(Code.INVALID, field=field, detail="; ".join(details))


def apply_one(user: User, record: Record) -> Result:
    """Apply one record in its own transaction; any refusal is its answer, never an exception."""
    handler = HANDLERS.get(record.type)
    try:
        if handler is None:
            raise ServiceError(Code.INVALID_FIELD, field="type", detail=record.type)
        try:
            data = handler.schema.model_validate(record.data)
        except ValidationError as exc:
            raise _invalid(exc) from exc
        try:
            with transaction.atomic():
                created = handler.apply(user, record.id, data)
        except IntegrityError:
            # A racing resend inserted the same id first: look again, it is there now.
            with transaction.atomic():
                created = handler.apply(user, record.id, data)
    except ServiceError as error:
        return Result.refused(record.id, error)
    except Exception as exc:
        # One record's failure must not cost the answers of the others: it is logged, and
        # the phone keeps the record to send again.
        logger.error("field push of %s %s failed", record.type, record.id, exc_info=exc)
        return Result.refused(record.id, ServiceError(Code.INTERNAL))
    return Result(record.id, "created" if created else "exists")


def push(user: User, records: list[Record]) -> list[Result]:
    results = [apply_one(user, record) for record in records]
    made = [r.made_at for r in records]
    audit(
        user,
        AuditLog.Action.IMPORT,
        "field_push",
        user.pk,
        records=len(records),
        created=sum(r.result == "created" for r in results),
        refused=sum(r.result in ("refused", "conflict") for r in results),
        made_from=min(made).isoformat() if made else None,
        made_until=max(made).isoformat() if made else None,
    )
    return results
