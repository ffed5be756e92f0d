"""API v1 endpoints of the keeping service.

Thin: reads through ``access`` (a record out of scope is 404), writes through the ``do_*``
services with client-supplied UUIDs (201 created, 200 identical resend, 409 other content).
Lists are cursor-paginated (``keyholder.core.pagination``).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import WithJsonSchema

from keyholder.accounts.access import require_user
from keyholder.accounts.models import User
from keyholder.accounts.services import audit_list
from keyholder.core.api import DATE_TEXT, READ, WRITE, one_of, page_of
from keyholder.core.errors import Code, ServiceError
from keyholder.core.idempotency import created_status
from keyholder.core.pagination import Page, PageQuery, paginate, paginate_keys
from keyholder.keeping import access, queries, services
from keyholder.keeping.ledger import AgreementLedger
from keyholder.keeping.models import (
    AgreementStatus,
    Duty,
    Incident,
    KeepingAgreement,
    KeyCustody,
    Payment,
    Photo,
    Task,
    TaskStatus,
    Visit,
    WateringSeason,
)
from keyholder.keeping.reports import OwnerReport, render_owner_report_pdf
from keyholder.keeping.schemas import (
    AgreementIn,
    AgreementOut,
    AgreementPage,
    ArrearsPage,
    ChangeIn,
    ChangeOut,
    DutyIn,
    DutyOut,
    DutyPage,
    IncidentIn,
    IncidentOut,
    IncidentPage,
    IncidentStatusIn,
    KeyIn,
    KeyOut,
    KeyReturnIn,
    LedgerOut,
    PaymentIn,
    PaymentOut,
    PaymentPage,
    PhotoForm,
    PhotoOut,
    ReportOut,
    SeasonAnswer,
    SeasonIn,
    SummaryOut,
    TaskPage,
    VisitIn,
    VisitOut,
    VisitPage,
    WaterTurnsAnswer,
    WaterTurnsIn,
)
from keyholder.places.models import Place, require_place
from keyholder.registry.access import houses_to_choose
from keyholder.registry.models import House

router = Router(tags=["keeping"])


def _audited(request: HttpRequest, object_type: str, ids: list[object]) -> None:
    """One audit row for a page of records naming owners or houses under care."""
    audit_list(request.user, object_type, request.GET.dict(), ids, via="api")


def _keyholder(actor: User, username: str | None) -> User:
    """The keyholder named; only an administrator names an account other than their own."""
    if not username or username == actor.username:
        return actor
    if not actor.is_admin:
        # Refused before any lookup, so the answer says nothing of which accounts exist.
        raise ServiceError(Code.AUTH_FORBIDDEN)
    keyholder = User.objects.filter(username=username, is_active=True).first()
    if keyholder is None:
        raise ServiceError(Code.INVALID_FIELD, field="keyholder", detail=username)
    return keyholder


def _owners(house: House, usernames: list[str]) -> list[User]:
    """The owners named, looked up only among the owner accounts of the house's households.

    An unknown username, a user who is not an owner and an owner of another house all get the
    same answer: nothing outside the house is ever looked at.
    """
    found = {u.username: u for u in access.owners_of_house(house).filter(username__in=usernames)}
    for name in usernames:
        if name not in found:
            raise ServiceError(Code.KEEPING_OWNER_NOT_OF_HOUSE, field="owners", value=name)
    return [found[name] for name in dict.fromkeys(usernames)]


def _village(code: str) -> Place:
    return require_place(code, "village")


@dataclass(frozen=True)
class WaterTurnsAdded:
    added: int


# A month of a report, as YYYY-MM: said in the schema, refused by the code (keeping.bad_month).
ReportMonth = Annotated[
    str,
    WithJsonSchema(
        {"type": "string", "description": "YYYY-MM", "pattern": "^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"}
    ),
]


class AgreementFilter(Schema):
    status: str | None = Field(None, json_schema_extra=one_of(AgreementStatus.values))


class TaskFilter(Schema):
    agreement: uuid.UUID | None = None
    status: str | None = Field(None, json_schema_extra=one_of(TaskStatus.values))
    due_before: str | None = Field(
        None, description="Last due day, YYYY-MM-DD.", json_schema_extra=DATE_TEXT
    )


class AgreementRef(Schema):
    agreement: uuid.UUID | None = None


# Agreements.


@router.get("/keeping/agreements", response={200: AgreementPage, **READ}, summary="Agreements")
def list_agreements(
    request: HttpRequest, filters: Query[AgreementFilter], page: Query[PageQuery]
) -> Page[KeepingAgreement]:
    qs = access.agreements_for(request.user).prefetch_related("owners", "changes", "keys")
    if filters.status:
        qs = qs.filter(status=filters.status)
    result = paginate(qs, ("start", "id"), page.cursor, page.limit)
    _audited(request, "keeping_agreement", [row.pk for row in result.results])
    return result


@router.post(
    "/keeping/agreements",
    response={200: AgreementOut, 201: AgreementOut, **WRITE},
    summary="Entrust a house to a keyholder",
)
def create_agreement(request: HttpRequest, payload: AgreementIn) -> tuple[int, KeepingAgreement]:
    user = require_user(request.user)
    house = houses_to_choose(user).filter(pk=payload.house).first()
    if house is None:
        raise ServiceError(Code.INVALID_FIELD, field="house", detail=str(payload.house))
    keyholder = _keyholder(user, payload.keyholder)
    agreement, created = services.do_create_agreement(
        actor=user,
        house=house,
        keyholder=keyholder,
        owners=_owners(house, list(payload.owners)),
        start=payload.start,
        end=payload.end,
        fee_amount=payload.fee_amount,
        fee_currency=payload.fee_currency,
        fee_period=payload.fee_period,
        notes=payload.notes,
        id=payload.id,
    )
    return created_status(agreement, created)


@router.get(
    "/keeping/agreements/{agreement_id}", response={200: AgreementOut, **READ}, summary="One"
)
def get_agreement(request: HttpRequest, agreement_id: uuid.UUID) -> KeepingAgreement:
    return access.get_agreement(request.user, agreement_id)


@router.post(
    "/keeping/agreements/{agreement_id}/changes",
    response={201: ChangeOut, **WRITE},
    summary="Pause, resume or end an agreement",
)
def change_agreement(
    request: HttpRequest, agreement_id: uuid.UUID, payload: ChangeIn
) -> tuple[int, Any]:
    agreement = access.get_agreement(request.user, agreement_id)
    change = services.do_change_agreement(
        actor=require_user(request.user),
        agreement=agreement,
        kind=payload.kind,
        date=payload.date,
        note=payload.note,
    )
    return 201, change


@router.post(
    "/keeping/agreements/{agreement_id}/keys",
    response={200: KeyOut, 201: KeyOut, **WRITE},
    summary="Record a key handed over",
)
def add_key(request: HttpRequest, agreement_id: uuid.UUID, payload: KeyIn) -> tuple[int, Any]:
    agreement = access.get_agreement(request.user, agreement_id)
    key, created = services.do_record_key(
        actor=require_user(request.user),
        agreement=agreement,
        label=payload.label,
        handed_over_on=payload.handed_over_on,
        handed_over_by=payload.handed_over_by,
        id=payload.id,
    )
    return created_status(key, created)


@router.post(
    "/keeping/keys/{key_id}/return", response={200: KeyOut, **WRITE}, summary="A key went back"
)
def return_key(request: HttpRequest, key_id: uuid.UUID, payload: KeyReturnIn) -> KeyCustody:
    key = access.get_key(request.user, key_id)
    return services.do_return_key(
        actor=require_user(request.user),
        key=key,
        returned_on=payload.returned_on,
        returned_to=payload.returned_to,
    )


@router.get(
    "/keeping/agreements/{agreement_id}/ledger",
    response={200: LedgerOut, **READ},
    summary="Charges, payments (with what each settles) and the balance in the fee currency",
)
def get_ledger(request: HttpRequest, agreement_id: uuid.UUID) -> AgreementLedger:
    agreement, book = access.get_ledger(request.user, agreement_id)
    return AgreementLedger(agreement.pk, book)


@router.get(
    "/keeping/agreements/{agreement_id}/reports/{month}",
    response={200: ReportOut, **READ},
    summary="The owner's report for a month (YYYY-MM)",
)
def get_report(request: HttpRequest, agreement_id: uuid.UUID, month: ReportMonth) -> OwnerReport:
    _agreement, report = access.get_owner_report(request.user, agreement_id, month, "json")
    return report


@router.get(
    "/keeping/arrears",
    response={200: ArrearsPage, **READ},
    summary="The keyholder's houses whose families owe, most owed first, with the months owed",
)
def list_arrears(request: HttpRequest, page: Query[PageQuery]) -> Page[queries.ArrearsRow]:
    rows = queries.arrears_for(request.user)
    if rows is None:
        raise ServiceError(Code.NOT_FOUND)
    # Sorted by the amount owed, which is computed: paged by keys made in Python.
    by_key = {str(r.agreement.pk): r for r in rows}
    keys = [(-int(r.owed * 100), str(r.agreement.pk)) for r in rows]
    found = paginate_keys(keys, 2, page.cursor, page.limit)
    return page_of(found, [by_key[key[1]] for key in found.results])


@router.get(
    "/keeping/agreements/{agreement_id}/reports/{month}/pdf",
    response={200: None, **READ},
    summary="The owner's report as a PDF, in the requester's language",
)
def get_report_pdf(
    request: HttpRequest, agreement_id: uuid.UUID, month: ReportMonth
) -> HttpResponse:
    _, report = access.get_owner_report(request.user, agreement_id, month, "pdf")
    language = getattr(request.user, "language", "") or "tg"
    response = HttpResponse(render_owner_report_pdf(report, language), "application/pdf")
    response["Content-Disposition"] = f'attachment; filename="report-{report.key}.pdf"'
    return response


# Duties, tasks, water.


@router.get("/keeping/duties", response={200: DutyPage, **READ}, summary="Duties")
def list_duties(
    request: HttpRequest, filters: Query[AgreementRef], page: Query[PageQuery]
) -> Page[Duty]:
    qs = access.duties_for(request.user)
    if filters.agreement:
        qs = qs.filter(agreement_id=filters.agreement)
    result = paginate(qs, ("starts_on", "id"), page.cursor, page.limit)
    _audited(request, "duty", [row.pk for row in result.results])
    return result


@router.post(
    "/keeping/duties",
    response={200: DutyOut, 201: DutyOut, **WRITE},
    summary="Add a duty; its tasks are generated at once",
)
def create_duty(request: HttpRequest, payload: DutyIn) -> tuple[int, Any]:
    agreement = access.get_agreement(request.user, payload.agreement)
    duty, created = services.do_create_duty(
        actor=require_user(request.user),
        agreement=agreement,
        kind=payload.kind,
        title=payload.title,
        every_days=payload.every_days,
        follows_water_turns=payload.follows_water_turns,
        starts_on=payload.starts_on,
        due_date=payload.due_date,
        id=payload.id,
    )
    return created_status(duty, created)


@router.get("/keeping/tasks", response={200: TaskPage, **READ}, summary="Tasks")
def list_tasks(
    request: HttpRequest, filters: Query[TaskFilter], page: Query[PageQuery]
) -> Page[Task]:
    qs = access.tasks_for(request.user)
    if filters.agreement:
        qs = qs.filter(agreement_id=filters.agreement)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.due_before:
        try:
            qs = qs.filter(due_date__lte=dt.date.fromisoformat(filters.due_before))
        except ValueError as exc:
            raise ServiceError(
                Code.INVALID_DATE, field="due_before", value=filters.due_before
            ) from exc
    result = paginate(qs, ("due_date", "id"), page.cursor, page.limit)
    _audited(request, "task", [row.pk for row in result.results])
    return result


@router.post(
    "/keeping/water-turns",
    response={200: WaterTurnsAnswer, **WRITE},
    summary="Enter the village's water turns",
)
def add_water_turns(request: HttpRequest, payload: WaterTurnsIn) -> WaterTurnsAdded:
    added = services.do_add_water_turns(
        actor=require_user(request.user),
        village=_village(payload.village),
        dates=payload.dates,
        note=payload.note,
    )
    return WaterTurnsAdded(added)


@router.put(
    "/keeping/watering-seasons",
    response={200: SeasonAnswer, **WRITE},
    summary="Set the village's watering season for a year",
)
def set_season(request: HttpRequest, payload: SeasonIn) -> WateringSeason:
    return services.do_set_watering_season(
        actor=require_user(request.user),
        village=_village(payload.village),
        year=payload.year,
        start=payload.start,
        end=payload.end,
    )


# Visits and photos.


@router.get("/keeping/visits", response={200: VisitPage, **READ}, summary="Visits")
def list_visits(
    request: HttpRequest, filters: Query[AgreementRef], page: Query[PageQuery]
) -> Page[Visit]:
    qs = access.visits_for(request.user).prefetch_related("tasks", "photos")
    if filters.agreement:
        qs = qs.filter(agreement_id=filters.agreement)
    result = paginate(qs, ("checked_in_at", "id"), page.cursor, page.limit)
    _audited(request, "visit", [row.pk for row in result.results])
    return result


@router.post(
    "/keeping/visits",
    response={200: VisitOut, 201: VisitOut, **WRITE},
    summary="Record a visit (it keeps the time it happened)",
)
def create_visit(request: HttpRequest, payload: VisitIn) -> tuple[int, Visit]:
    agreement = access.get_agreement(request.user, payload.agreement)
    visit, created = services.do_record_visit(
        actor=require_user(request.user),
        agreement=agreement,
        checked_in_at=payload.checked_in_at,
        checked_out_at=payload.checked_out_at,
        task_ids=payload.tasks,
        checklist_answers=payload.checklist,
        notes=payload.notes,
        photos=_visit_photos(payload),
        id=payload.id,
    )
    return created_status(visit, created)


def _visit_photos(payload: VisitIn) -> list[services.PhotoUpload]:
    uploads = []
    for index, text in enumerate(payload.photos):
        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ServiceError(Code.KEEPING_PHOTO_UNREADABLE, field="photos") from exc
        # One id per photo, derived from the visit's: a resent visit adds nothing twice.
        photo_id = uuid.uuid5(payload.id, f"photo-{index}") if payload.id else None
        uploads.append(services.PhotoUpload(data=data, id=photo_id))
    return uploads


@router.get("/keeping/visits/{visit_id}", response={200: VisitOut, **READ}, summary="One visit")
def get_visit(request: HttpRequest, visit_id: uuid.UUID) -> Visit:
    return access.get_visit(request.user, visit_id)


@router.post(
    "/keeping/photos",
    response={200: PhotoOut, 201: PhotoOut, **WRITE},
    summary="Add a photo to a visit or an incident (multipart)",
)
def add_photo(
    request: HttpRequest, payload: Form[PhotoForm], image: File[UploadedFile]
) -> tuple[int, Photo]:
    user = require_user(request.user)
    visit = access.get_visit(user, payload.visit) if payload.visit else None
    incident = access.get_incident(user, payload.incident) if payload.incident else None
    keep = payload.attach_position
    photo, created = services.do_add_photo(
        actor=user,
        upload=services.PhotoUpload(
            data=image.read(),
            id=payload.id,
            latitude=payload.latitude if keep else None,
            longitude=payload.longitude if keep else None,
        ),
        visit=visit,
        incident=incident,
    )
    return created_status(photo, created)


@router.get("/keeping/photos/{photo_id}", response={200: PhotoOut, **READ}, summary="One photo")
def get_photo(request: HttpRequest, photo_id: uuid.UUID) -> Photo:
    return access.get_photo(request.user, photo_id)


@router.get(
    "/keeping/photos/{photo_id}/image", response={200: None, **READ}, summary="The JPEG itself"
)
def get_photo_image(request: HttpRequest, photo_id: uuid.UUID) -> HttpResponse:
    photo = access.get_photo(request.user, photo_id)
    with photo.image.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response


# Incidents.


@router.get("/keeping/incidents", response={200: IncidentPage, **READ}, summary="Incidents")
def list_incidents(
    request: HttpRequest, filters: Query[AgreementRef], page: Query[PageQuery]
) -> Page[Incident]:
    qs = access.incidents_for(request.user).prefetch_related("photos")
    if filters.agreement:
        qs = qs.filter(agreement_id=filters.agreement)
    result = paginate(qs, ("occurred_on", "id"), page.cursor, page.limit)
    _audited(request, "incident", [row.pk for row in result.results])
    return result


@router.post(
    "/keeping/incidents",
    response={200: IncidentOut, 201: IncidentOut, **WRITE},
    summary="Report an incident; a serious one is sent to the owners at once",
)
def create_incident(request: HttpRequest, payload: IncidentIn) -> tuple[int, Incident]:
    agreement = access.get_agreement(request.user, payload.agreement)
    incident, created = services.do_report_incident(
        actor=require_user(request.user),
        agreement=agreement,
        occurred_on=payload.occurred_on,
        kind=payload.kind,
        severity=payload.severity,
        notes=payload.notes,
        cost_amount=payload.cost_amount,
        cost_currency=payload.cost_currency,
        id=payload.id,
    )
    return created_status(incident, created)


@router.post(
    "/keeping/incidents/{incident_id}/status",
    response={200: IncidentOut, **WRITE},
    summary="Mark an incident in hand or resolved, with its cost",
)
def update_incident(
    request: HttpRequest, incident_id: uuid.UUID, payload: IncidentStatusIn
) -> Incident:
    incident = access.get_incident(request.user, incident_id)
    return services.do_update_incident(
        actor=require_user(request.user),
        incident=incident,
        status=payload.status,
        cost_amount=payload.cost_amount,
        cost_currency=payload.cost_currency,
    )


# Payments and the officer's counts.


@router.get("/keeping/payments", response={200: PaymentPage, **READ}, summary="Payments")
def list_payments(
    request: HttpRequest, filters: Query[AgreementRef], page: Query[PageQuery]
) -> Page[Payment]:
    qs = access.payments_for(request.user)
    if filters.agreement:
        qs = qs.filter(agreement_id=filters.agreement)
    result = paginate(qs, ("paid_on", "id"), page.cursor, page.limit)
    _audited(request, "payment", [row.pk for row in result.results])
    return result


@router.post(
    "/keeping/payments",
    response={200: PaymentOut, 201: PaymentOut, **WRITE},
    summary="Record a payment received",
)
def create_payment(request: HttpRequest, payload: PaymentIn) -> tuple[int, Payment]:
    agreement = access.get_agreement(request.user, payload.agreement)
    payment, created = services.do_record_payment(
        actor=require_user(request.user),
        agreement=agreement,
        amount=payload.amount,
        currency=payload.currency,
        rate=payload.rate,
        settled_amount=payload.settled_amount,
        paid_on=payload.paid_on,
        method=payload.method,
        note=payload.note,
        id=payload.id,
    )
    return created_status(payment, created)


@router.get(
    "/keeping/summary",
    response={200: SummaryOut, **READ},
    summary="Counts for officers: houses under care, vacant houses without a keyholder",
)
def summary(request: HttpRequest) -> Any:
    counts = queries.officer_counts(request.user, timezone.localdate())
    if counts is None:
        raise ServiceError(Code.NOT_FOUND)
    return counts
