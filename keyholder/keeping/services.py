"""Every write of the keeping service: validated, in one transaction, audited, idempotent.

Pages, the API and the sample generator come through here. Records carry a UUID the client may
supply: an identical resend returns the existing record (``created`` is False), other content
under the same UUID is ``conflict.uuid``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from keyholder.accounts.access import place_in_area
from keyholder.accounts.models import AuditLog, Role, User, hash_token
from keyholder.accounts.services import audit
from keyholder.core import effects
from keyholder.core.errors import Code, ServiceError
from keyholder.core.idempotency import create_once, find_resend
from keyholder.keeping import access, checklist, incident_messages, schedule
from keyholder.keeping.generation import (
    MISSED_AFTER,
    generate_charges,
    generate_tasks,
    intervals_for,
)
from keyholder.keeping.models import (
    AgreementChange,
    AgreementStatus,
    CalendarFeed,
    Currency,
    Duty,
    DutyKind,
    FeePeriod,
    Incident,
    IncidentKind,
    IncidentStatus,
    KeepingAgreement,
    KeyCustody,
    Payment,
    PaymentMethod,
    Photo,
    Severity,
    Task,
    TaskStatus,
    Visit,
    WateringSeason,
    WaterTurn,
    new_calendar_token,
)
from keyholder.keeping.photos import ProcessedPhoto, process_photo
from keyholder.keeping.signals import CARE_CHANGED
from keyholder.keeping.visit_messages import queue_visit_reports
from keyholder.places.models import Place
from keyholder.registry.models import House

M = TypeVar("M", bound=models.Model)

# A phone's clock may run a little ahead of the server's.
CLOCK_LEEWAY = dt.timedelta(minutes=10)


def _choice(value: str, choices: Iterable[str], field: str) -> str:
    if value not in choices:
        raise ServiceError(Code.INVALID_FIELD, field=field, detail=value)
    return value


def _scope(actor: User | None, reader: Callable[[Any], QuerySet[M]]) -> QuerySet[M] | None:
    """What the actor may see of a model, for a resend's id (None: the system sees all)."""
    return None if actor is None else reader(actor)


def _amount(value: object, field: str = "amount", allow_zero: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise ServiceError(Code.KEEPING_BAD_AMOUNT, field=field, value=value) from exc
    if amount < 0 or (amount == 0 and not allow_zero) or not amount.is_finite():
        raise ServiceError(Code.KEEPING_BAD_AMOUNT, field=field, value=value)
    return amount


def _require_keeper(actor: User | None, agreement: KeepingAgreement) -> None:
    """The agreement's keyholder and administrators write; the system (actor None) too."""
    if actor is None:
        return
    if not actor.is_authenticated:
        raise ServiceError(Code.AUTH_REQUIRED)
    if actor.is_admin or actor.pk == agreement.keyholder_id:
        return
    raise ServiceError(Code.AUTH_FORBIDDEN)


def _require_village_keyholder(actor: User | None, village: Place) -> None:
    if actor is None or actor.is_admin:
        return
    if actor.role != Role.KEYHOLDER:
        raise ServiceError(Code.AUTH_FORBIDDEN)
    if not place_in_area(actor, village):
        raise ServiceError(Code.OUT_OF_SCOPE)


def _in_force(agreement: KeepingAgreement, day: dt.date) -> None:
    if not schedule.is_active_on(intervals_for(agreement), day):
        raise ServiceError(Code.KEEPING_NOT_IN_FORCE, field="date", date=day.isoformat())


# Agreements and keys.


def _check_owners(owners: Sequence[User], house: House) -> None:
    """An agreement's owners are the owner accounts of the households living in its house.

    Naming any other account would hand it the house's visits, photos and ledger. Every refusal
    reads the same, whether the account is missing elsewhere, not an owner or another house's.
    """
    if not owners:
        return
    allowed = set(access.owners_of_house(house).values_list("pk", flat=True))
    for owner in owners:
        if owner.pk not in allowed:
            raise ServiceError(
                Code.KEEPING_OWNER_NOT_OF_HOUSE, field="owners", value=owner.username
            )


@transaction.atomic
def do_create_agreement(
    *,
    actor: User | None,
    house: House,
    keyholder: User,
    owners: Sequence[User] = (),
    start: dt.date,
    end: dt.date | None = None,
    fee_amount: object,
    fee_currency: str,
    fee_period: str,
    notes: str = "",
    id: uuid.UUID | None = None,
    is_sample: bool = False,
) -> tuple[KeepingAgreement, bool]:
    if actor is not None and not actor.is_admin and actor.pk != keyholder.pk:
        raise ServiceError(Code.AUTH_FORBIDDEN)
    if keyholder.role != Role.KEYHOLDER:
        raise ServiceError(Code.KEEPING_NOT_KEYHOLDER, field="keyholder", value=keyholder.username)
    if not place_in_area(keyholder, house.village):
        raise ServiceError(Code.KEEPING_HOUSE_OUT_OF_SCOPE, field="house")
    _check_owners(owners, house)
    if end is not None and end < start:
        raise ServiceError(
            Code.KEEPING_END_BEFORE_START, field="end", end=end.isoformat(), start=start.isoformat()
        )
    fields = {
        "house": house,
        "keyholder": keyholder,
        "start": start,
        "end": end,
        "fee_amount": _amount(fee_amount, "fee_amount", allow_zero=True),
        "fee_currency": _choice(fee_currency, Currency.values, "fee_currency"),
        "fee_period": _choice(fee_period, FeePeriod.values, "fee_period"),
        "notes": notes.strip(),
    }
    # One keyholder at a time for a house: lock the house so two phones cannot both take it,
    # and look for a resend under the lock, so a twin request answers with its twin's row.
    House.objects.select_for_update().filter(pk=house.pk).order_by().first()
    existing, agreement_id = find_resend(
        KeepingAgreement, id, fields, _scope(actor, access.agreements_for)
    )
    owner_ids = {o.pk for o in owners}
    if existing is not None:
        if set(existing.owners.values_list("pk", flat=True)) != owner_ids:
            raise ServiceError(Code.CONFLICT_UUID, id=agreement_id)
        return existing, False
    if KeepingAgreement.objects.filter(house=house).exclude(status=AgreementStatus.ENDED).exists():
        raise ServiceError(Code.KEEPING_HOUSE_ALREADY_KEPT, field="house")
    agreement = KeepingAgreement.objects.create(
        id=agreement_id, created_by=actor, is_sample=is_sample, **fields
    )
    agreement.owners.set(list(owners))
    audit(actor, AuditLog.Action.CREATE, "keeping_agreement", agreement.pk)
    effects.announce(CARE_CHANGED, [house.village_id])
    generate_charges([agreement], is_sample=is_sample)
    return agreement, True


TRANSITIONS = {
    AgreementChange.Kind.PAUSE: ({AgreementStatus.ACTIVE}, AgreementStatus.PAUSED),
    AgreementChange.Kind.RESUME: ({AgreementStatus.PAUSED}, AgreementStatus.ACTIVE),
    AgreementChange.Kind.END: (
        {AgreementStatus.ACTIVE, AgreementStatus.PAUSED},
        AgreementStatus.ENDED,
    ),
}


@transaction.atomic
def do_change_agreement(
    *, actor: User | None, agreement: KeepingAgreement, kind: str, date: dt.date, note: str = ""
) -> AgreementChange:
    """Pause, resume or end an agreement on a date. Its history stays in ``changes``."""
    _require_keeper(actor, agreement)
    _choice(kind, AgreementChange.Kind.values, "kind")
    agreement = KeepingAgreement.objects.select_for_update().get(pk=agreement.pk)
    allowed, new_status = TRANSITIONS[AgreementChange.Kind(kind)]
    if agreement.status not in allowed:
        raise ServiceError(
            Code.KEEPING_BAD_TRANSITION, field="kind", status=agreement.status, action=kind
        )
    last = agreement.changes.order_by("-date").first()
    if date < agreement.start or (last is not None and date < last.date):
        raise ServiceError(Code.INVALID_FIELD, field="date", detail=date.isoformat())
    change = AgreementChange.objects.create(
        agreement=agreement, kind=kind, date=date, note=note.strip(), created_by=actor
    )
    agreement.status = new_status
    if kind == AgreementChange.Kind.END:
        agreement.end = date
    agreement.save(update_fields=["status", "end", "updated_at"])
    audit(actor, AuditLog.Action.UPDATE, "keeping_agreement", agreement.pk, change=kind)
    effects.announce(CARE_CHANGED, [agreement.house.village_id], since=date)
    # Open tasks on days no longer under care disappear; resumed days get theirs.
    agreement.refresh_from_db()
    generate_tasks([agreement])
    return change


@transaction.atomic
def do_record_key(
    *,
    actor: User | None,
    agreement: KeepingAgreement,
    label: str,
    handed_over_on: dt.date,
    handed_over_by: str,
    id: uuid.UUID | None = None,
) -> tuple[KeyCustody, bool]:
    _require_keeper(actor, agreement)
    fields = {
        "agreement": agreement,
        "label": label.strip(),
        "handed_over_on": handed_over_on,
        "handed_over_by": handed_over_by.strip(),
    }
    if not fields["label"]:
        raise ServiceError(Code.INVALID_FIELD, field="label", detail="empty")
    scope = _scope(actor, access.keys_for)
    key, created = create_once(
        KeyCustody,
        id,
        fields,
        lambda key_id: KeyCustody.objects.create(id=key_id, created_by=actor, **fields),
        scope,
    )
    if not created:
        return key, False
    audit(actor, AuditLog.Action.CREATE, "key_custody", key.pk)
    return key, True


@transaction.atomic
def do_return_key(
    *, actor: User | None, key: KeyCustody, returned_on: dt.date, returned_to: str
) -> KeyCustody:
    _require_keeper(actor, key.agreement)
    if returned_on < key.handed_over_on:
        raise ServiceError(Code.INVALID_FIELD, field="returned_on", detail=returned_on.isoformat())
    key.returned_on = returned_on
    key.returned_to = returned_to.strip()
    key.save(update_fields=["returned_on", "returned_to", "updated_at"])
    audit(actor, AuditLog.Action.UPDATE, "key_custody", key.pk, returned=True)
    return key


# Seasons, water turns and duties.


def _regenerate_village(village: Place) -> None:
    agreements = KeepingAgreement.objects.filter(house__village=village).exclude(
        status=AgreementStatus.ENDED
    )
    generate_tasks(list(agreements))


@transaction.atomic
def do_set_watering_season(
    *, actor: User | None, village: Place, year: int, start: dt.date, end: dt.date
) -> WateringSeason:
    _require_village_keyholder(actor, village)
    if end < start:
        raise ServiceError(
            Code.KEEPING_END_BEFORE_START, field="end", end=end.isoformat(), start=start.isoformat()
        )
    if start.year != year or end.year != year:
        raise ServiceError(Code.INVALID_FIELD, field="year", detail=str(year))
    season, _ = WateringSeason.objects.update_or_create(
        village=village, year=year, defaults={"start": start, "end": end}
    )
    audit(actor, AuditLog.Action.UPDATE, "watering_season", season.pk, year=year)
    _regenerate_village(village)
    return season


@transaction.atomic
def do_add_water_turns(
    *, actor: User | None, village: Place, dates: Iterable[dt.date], note: str = ""
) -> int:
    """Enter the village's water turns as the irrigation schedule comes. Repeats are ignored."""
    _require_village_keyholder(actor, village)
    rows = [
        WaterTurn(village=village, date=d, note=note.strip(), created_by=actor)
        for d in sorted(set(dates))
    ]
    before = WaterTurn.objects.filter(village=village).count()
    WaterTurn.objects.bulk_create(rows, ignore_conflicts=True)
    added = WaterTurn.objects.filter(village=village).count() - before
    audit(actor, AuditLog.Action.CREATE, "water_turn", village.code, count=added)
    _regenerate_village(village)
    return added


@transaction.atomic
def do_create_duty(
    *,
    actor: User | None,
    agreement: KeepingAgreement,
    kind: str,
    every_days: int | None = None,
    follows_water_turns: bool = False,
    starts_on: dt.date | None = None,
    due_date: dt.date | None = None,
    title: str = "",
    id: uuid.UUID | None = None,
    is_sample: bool = False,
    generate: bool = True,
) -> tuple[Duty, bool]:
    _require_keeper(actor, agreement)
    _choice(kind, DutyKind.values, "kind")
    if kind == DutyKind.OTHER:
        if due_date is None:
            raise ServiceError(Code.KEEPING_DUTY_NEEDS_DATE, field="due_date")
        every_days, follows_water_turns = None, False
    elif not (kind == DutyKind.WATERING and follows_water_turns) and (
        not every_days or every_days < 1 or every_days > 366
    ):
        raise ServiceError(Code.KEEPING_DUTY_NEEDS_INTERVAL, field="every_days")
    if kind != DutyKind.WATERING:
        follows_water_turns = False
    fields = {
        "agreement": agreement,
        "kind": kind,
        "title": title.strip(),
        "every_days": every_days if not follows_water_turns else None,
        "follows_water_turns": follows_water_turns,
        "starts_on": starts_on or max(agreement.start, timezone.localdate()),
        "due_date": due_date,
    }
    scope = _scope(actor, access.duties_for)
    duty, created = create_once(
        Duty,
        id,
        fields,
        lambda duty_id: Duty.objects.create(
            id=duty_id, created_by=actor, is_sample=is_sample, **fields
        ),
        scope,
    )
    if not created:
        return duty, False
    audit(actor, AuditLog.Action.CREATE, "duty", duty.pk)
    if generate:
        generate_tasks([agreement], is_sample=is_sample)
    return duty, True


# Visits and photos.


@dataclass(frozen=True)
class PhotoUpload:
    data: bytes
    id: uuid.UUID | None = None
    # The position is kept only when the keyholder ticks "attach the position".
    latitude: float | None = None
    longitude: float | None = None
    # When the phone says the photo was taken; the file's own capture time (EXIF) wins.
    taken_at: dt.datetime | None = None
    # Already resized and stripped (a photo kept from a refused form): not processed again.
    processed: ProcessedPhoto | None = None


def _check_position(lat: float | None, lon: float | None) -> tuple[float | None, float | None]:
    if lat is None and lon is None:
        return None, None
    if lat is None or lon is None or not (-90 <= lat <= 90) or not (-180 <= lon <= 180):
        raise ServiceError(Code.KEEPING_BAD_POSITION, field="latitude")
    return round(lat, 6), round(lon, 6)


def _add_photo(
    actor: User | None,
    upload: PhotoUpload,
    *,
    visit: Visit | None = None,
    incident: Incident | None = None,
    is_sample: bool = False,
) -> tuple[Photo, bool]:
    latitude, longitude = _check_position(upload.latitude, upload.longitude)
    processed = upload.processed or process_photo(upload.data)
    fields = {
        "visit": visit,
        "incident": incident,
        "source_sha256": processed.source_sha256,
        "latitude": latitude,
        "longitude": longitude,
    }
    existing, photo_id = find_resend(Photo, upload.id, fields, _scope(actor, access.photos_for))
    if existing is not None:
        return existing, False
    photo = Photo(
        id=photo_id,
        created_by=actor,
        is_sample=is_sample,
        width=processed.width,
        height=processed.height,
        taken_at=processed.taken_at or upload.taken_at,
        **fields,
    )
    photo.image.save(f"{photo_id}.jpg", ContentFile(processed.content), save=False)
    try:
        photo.save(force_insert=True)
    except Exception:
        # The row was refused: do not leave its file behind in storage.
        photo.image.delete(save=False)
        raise
    audit(actor, AuditLog.Action.CREATE, "photo", photo.pk, file=photo.image.name)
    return photo, True


@transaction.atomic
def do_add_photo(
    *,
    actor: User | None,
    upload: PhotoUpload,
    visit: Visit | None = None,
    incident: Incident | None = None,
) -> tuple[Photo, bool]:
    if (visit is None) == (incident is None):
        raise ServiceError(Code.INVALID_FIELD, field="visit", detail="visit or incident")
    agreement = visit.agreement if visit is not None else incident.agreement  # type: ignore[union-attr]
    _require_keeper(actor, agreement)
    return _add_photo(actor, upload, visit=visit, incident=incident)


def late_tasks(tasks: Sequence[Task], visit_day: dt.date) -> set[uuid.UUID]:
    """The tasks a visit on ``visit_day`` does late: on a day they already counted as missed.

    The rule is ``generation.mark_missed``'s, read on the visit's day rather than today's (a
    visit sent days later from a phone offline still counts on the day it happened): a recurring
    task is late from the day the next task of its duty falls due, and any task (one-off ones
    too) from the day after the week it had (``MISSED_AFTER``). One query for all the tasks.
    """
    recurring = [t for t in tasks if t.kind != DutyKind.OTHER]
    next_due: dict[uuid.UUID, list[dt.date]] = {}
    if recurring:
        for duty_id, due in (
            Task.objects.filter(
                duty_id__in={t.duty_id for t in recurring},
                due_date__gt=min(t.due_date for t in recurring),
                due_date__lte=visit_day,
            )
            .order_by()
            .values_list("duty_id", "due_date")
        ):
            next_due.setdefault(duty_id, []).append(due)
    late = set()
    for task in tasks:
        later = [d for d in next_due.get(task.duty_id, []) if d > task.due_date]
        superseded = task.kind != DutyKind.OTHER and bool(later)
        if superseded or visit_day > task.due_date + MISSED_AFTER:
            late.add(task.pk)
    return late


def _aware(value: dt.datetime) -> dt.datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value)


@transaction.atomic
def do_record_visit(
    *,
    actor: User | None,
    agreement: KeepingAgreement,
    checked_in_at: dt.datetime,
    checked_out_at: dt.datetime | None = None,
    task_ids: Iterable[uuid.UUID] = (),
    checklist_answers: Mapping[str, Any] | None = None,
    notes: str = "",
    photos: Sequence[PhotoUpload] = (),
    id: uuid.UUID | None = None,
    keyholder: User | None = None,
    is_sample: bool = False,
) -> tuple[Visit, bool]:
    """Record a visit when it happened (a phone may send it days later) and fulfil its tasks."""
    _require_keeper(actor, agreement)
    # An administrator may record a visit on the keyholder's behalf: it stays theirs.
    keeper = keyholder or agreement.keyholder
    checked_in_at = _aware(checked_in_at)
    checked_out_at = _aware(checked_out_at) if checked_out_at else None
    now = timezone.now()
    for name, value in (("checked_in_at", checked_in_at), ("checked_out_at", checked_out_at)):
        if value is not None and value > now + CLOCK_LEEWAY:
            raise ServiceError(Code.KEEPING_TIME_IN_FUTURE, field=name, value=value.isoformat())
    if checked_out_at is not None and checked_out_at < checked_in_at:
        raise ServiceError(Code.KEEPING_CHECKOUT_BEFORE_CHECKIN, field="checked_out_at")
    _in_force(agreement, timezone.localdate(checked_in_at))
    answers = checklist.clean(checklist_answers or {})
    _check_failed_shown(answers, notes.strip(), photos)
    fields = {
        "agreement": agreement,
        "keyholder": keeper,
        "checked_in_at": checked_in_at,
        "checked_out_at": checked_out_at,
        "checklist": answers,
        "notes": notes.strip(),
    }
    wanted = set(task_ids)
    # Visits of one agreement are recorded one at a time, and a resend is looked for under
    # that lock: a twin request answers with its twin's visit, not "task already done".
    KeepingAgreement.objects.select_for_update().filter(pk=agreement.pk).order_by().first()
    existing, visit_id = find_resend(Visit, id, fields, _scope(actor, access.visits_for))
    if existing is not None:
        if set(existing.tasks.values_list("pk", flat=True)) != wanted:
            raise ServiceError(Code.CONFLICT_UUID, id=visit_id)
        return existing, False
    tasks = list(Task.objects.select_for_update().filter(pk__in=wanted))
    found = {t.pk for t in tasks}
    for task_id in wanted - found:
        raise ServiceError(Code.KEEPING_TASK_NOT_OF_AGREEMENT, field="tasks", id=task_id)
    visit_day = timezone.localdate(checked_in_at)
    for task in tasks:
        if task.agreement_id != agreement.pk:
            raise ServiceError(Code.KEEPING_TASK_NOT_OF_AGREEMENT, field="tasks", id=task.pk)
        if task.status == TaskStatus.DONE:
            raise ServiceError(Code.KEEPING_TASK_ALREADY_DONE, field="tasks", id=task.pk)
        if task.due_date > visit_day:
            raise ServiceError(
                Code.KEEPING_TASK_NOT_YET_DUE,
                field="tasks",
                due=task.due_date.isoformat(),
                date=visit_day.isoformat(),
            )
    visit = Visit.objects.create(id=visit_id, created_by=actor, is_sample=is_sample, **fields)
    # A task recorded as missed is done after all when a visit sent late covered it on time;
    # work on a task that had already counted as missed is done, but late.
    late = late_tasks(tasks, visit_day)
    Task.objects.filter(pk__in=found - late).update(
        status=TaskStatus.DONE, fulfilled_by=visit, done_late=False
    )
    if late:
        Task.objects.filter(pk__in=late).update(
            status=TaskStatus.DONE, fulfilled_by=visit, done_late=True
        )
    for upload in photos:
        _add_photo(actor, upload, visit=visit, is_sample=is_sample)
    audit(actor, AuditLog.Action.CREATE, "visit", visit.pk, tasks=len(found), photos=len(photos))
    _raise_from_visit(actor, visit)
    queue_visit_reports(visit)
    return visit, True


def _check_failed_shown(answers: Mapping[str, Any], notes: str, photos: Sequence[Any]) -> None:
    """A check that found a problem needs a note of what was found and a photo of it."""
    failed = checklist.problems(answers)
    if not failed:
        return
    item = failed[0].problem_label or failed[0].label
    if not notes:
        raise ServiceError(Code.KEEPING_FAILED_CHECK_NEEDS_NOTE, field="notes", item=item)
    if not photos:
        raise ServiceError(Code.KEEPING_FAILED_CHECK_NEEDS_PHOTO, field="photos", item=item)


def incident_id_for(visit_id: uuid.UUID) -> uuid.UUID:
    """The one incident a visit may raise: raising it twice finds the first."""
    return uuid.uuid5(visit_id, "incident")


# The kind of the incident when several security checks failed at once: the gravest first.
INCIDENT_PRIORITY = (IncidentKind.FIRE, IncidentKind.BREAK_IN, IncidentKind.LEAK)


def _raise_from_visit(actor: User | None, visit: Visit) -> Incident | None:
    """A failed security check raises a serious incident at once, in the visit's transaction,
    with the visit's notes and photos; its message goes to every owner whatever they chose."""
    serious = checklist.serious(visit.checklist)
    if not serious:
        return None
    kinds = [item.incident_kind for item in serious]
    kind = next((k for k in INCIDENT_PRIORITY if k in kinds), kinds[0])
    incident, _created = do_report_incident(
        actor=actor,
        agreement=visit.agreement,
        occurred_on=min(timezone.localdate(visit.checked_in_at), timezone.localdate()),
        kind=kind,
        severity=Severity.SERIOUS,
        notes=visit.notes,
        id=incident_id_for(visit.pk),
        reported_by=visit.keyholder,
        from_visit=visit,
    )
    return incident


# Incidents.


@transaction.atomic
def do_report_incident(
    *,
    actor: User | None,
    agreement: KeepingAgreement,
    occurred_on: dt.date,
    kind: str,
    severity: str,
    notes: str = "",
    cost_amount: object = None,
    cost_currency: str = "",
    photos: Sequence[PhotoUpload] = (),
    id: uuid.UUID | None = None,
    reported_by: User | None = None,
    status: str = IncidentStatus.OPEN,
    is_sample: bool = False,
    notify: bool = True,
    from_visit: Visit | None = None,
) -> tuple[Incident, bool]:
    """Record an incident; a serious one is sent to the owners at once (after commit).

    ``from_visit``: the visit whose failed check it comes from; the visit's photos go with it.
    """
    _require_keeper(actor, agreement)
    if from_visit is not None and from_visit.agreement_id != agreement.pk:
        raise ServiceError(Code.INVALID_FIELD, field="visit", detail=str(from_visit.pk))
    _choice(kind, IncidentKind.values, "kind")
    _choice(severity, Severity.values, "severity")
    _choice(status, IncidentStatus.values, "status")
    if occurred_on > timezone.localdate():
        raise ServiceError(
            Code.KEEPING_DATE_IN_FUTURE, field="occurred_on", value=occurred_on.isoformat()
        )
    cost = None
    if cost_amount not in (None, ""):
        cost = _amount(cost_amount, "cost_amount")
        _choice(cost_currency, Currency.values, "cost_currency")
    else:
        cost_currency = ""
    fields = {
        "agreement": agreement,
        "occurred_on": occurred_on,
        "kind": kind,
        "severity": severity,
        "notes": notes.strip(),
        "cost_amount": cost,
        "cost_currency": cost_currency,
    }
    scope = _scope(actor, access.incidents_for)
    incident, created = create_once(
        Incident,
        id,
        fields,
        lambda incident_id: Incident.objects.create(
            id=incident_id,
            created_by=actor,
            reported_by=reported_by or actor or agreement.keyholder,
            status=status,
            is_sample=is_sample,
            **fields,
        ),
        scope,
    )
    if not created:
        return incident, False
    for upload in photos:
        _add_photo(actor, upload, incident=incident, is_sample=is_sample)
    if from_visit is not None:
        # A photo may belong to a visit and an incident at once: the one shot shows both.
        Photo.objects.filter(visit=from_visit, incident__isnull=True).update(incident=incident)
    audit(actor, AuditLog.Action.CREATE, "incident", incident.pk, severity=severity)
    if notify and severity == Severity.SERIOUS:
        incident_messages.queue_serious(incident)
    return incident, True


@transaction.atomic
def do_update_incident(
    *,
    actor: User | None,
    incident: Incident,
    status: str,
    cost_amount: object = None,
    cost_currency: str = "",
    note: str = "",
) -> Incident:
    """Mark an incident in hand or resolved; the owners are told when it becomes resolved."""
    _require_keeper(actor, incident.agreement)
    _choice(status, IncidentStatus.values, "status")
    incident = Incident.objects.select_for_update().select_related("agreement").get(pk=incident.pk)
    resolving = status == IncidentStatus.RESOLVED and incident.status != IncidentStatus.RESOLVED
    incident.status = status
    if cost_amount not in (None, ""):
        incident.cost_amount = _amount(cost_amount, "cost_amount")
        incident.cost_currency = _choice(cost_currency, Currency.values, "cost_currency")
    if note.strip():
        incident.resolution_note = note.strip()
    if resolving:
        incident.resolved_at = timezone.now()
    elif status != IncidentStatus.RESOLVED:
        incident.resolved_at = None
    incident.save(
        update_fields=[
            "status",
            "cost_amount",
            "cost_currency",
            "resolution_note",
            "resolved_at",
            "updated_at",
        ]
    )
    audit(actor, AuditLog.Action.UPDATE, "incident", incident.pk, status=status)
    if resolving:
        incident_messages.queue_resolved(incident)
    return incident


@transaction.atomic
def do_resolve_incident(
    *,
    actor: User | None,
    incident: Incident,
    note: str,
    cost_amount: object = None,
    cost_currency: str = "",
) -> Incident:
    """Resolve an incident from the keyholder's page: what was done is required, the cost not.

    The same write as the API's status change (``do_update_incident``), which tells the owners
    through the outbox, each in their language.
    """
    _require_keeper(actor, incident.agreement)
    if not note.strip():
        raise ServiceError(Code.KEEPING_RESOLUTION_NEEDS_NOTE, field="note")
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    if current.status == IncidentStatus.RESOLVED:
        raise ServiceError(Code.KEEPING_INCIDENT_ALREADY_RESOLVED, field="note")
    return do_update_incident(
        actor=actor,
        incident=current,
        status=IncidentStatus.RESOLVED,
        cost_amount=cost_amount,
        cost_currency=cost_currency,
        note=note,
    )


# Payments.


RATE_PLACES = Decimal("0.000001")


def _settlement(
    agreement: KeepingAgreement, amount: Decimal, currency: str, rate: object, settled: object
) -> tuple[Decimal | None, Decimal]:
    """The rate and the amount a payment settles in the agreement's fee currency.

    In the fee currency no rate is needed and the payment settles its own amount. In another
    currency the agreed rate is required (more than zero); the settled amount is amount × rate
    rounded to cents, or, when given, must be that (a cent either way for the rounding of the
    rate itself).
    """
    if currency == agreement.fee_currency:
        return None, amount
    if rate in (None, ""):
        raise ServiceError(
            Code.KEEPING_RATE_REQUIRED,
            field="rate",
            currency=currency,
            fee_currency=agreement.fee_currency,
        )
    try:
        agreed = Decimal(str(rate)).quantize(RATE_PLACES)
    except (InvalidOperation, ValueError) as exc:
        raise ServiceError(Code.KEEPING_BAD_RATE, field="rate", value=rate) from exc
    if not agreed.is_finite() or agreed <= 0:
        raise ServiceError(Code.KEEPING_BAD_RATE, field="rate", value=rate)
    expected = (amount * agreed).quantize(Decimal("0.01"))
    if settled in (None, ""):
        return agreed, expected
    given = _amount(settled, "settled_amount")
    if abs(given - expected) > Decimal("0.01"):
        raise ServiceError(
            Code.KEEPING_SETTLED_MISMATCH,
            field="settled_amount",
            amount=f"{amount} {currency}",
            rate=agreed.normalize(),
            expected=expected,
            value=given,
            fee_currency=agreement.fee_currency,
        )
    return agreed, given


@transaction.atomic
def do_record_payment(
    *,
    actor: User | None,
    agreement: KeepingAgreement,
    amount: object,
    currency: str,
    paid_on: dt.date,
    method: str,
    note: str = "",
    rate: object = None,
    settled_amount: object = None,
    id: uuid.UUID | None = None,
    is_sample: bool = False,
) -> tuple[Payment, bool]:
    """Record money received for the agreement in the currency it came in, with what it settles
    in the fee currency (at the rate agreed with the owner when the currencies differ)."""
    _require_keeper(actor, agreement)
    if paid_on > timezone.localdate():
        raise ServiceError(Code.KEEPING_DATE_IN_FUTURE, field="paid_on", value=paid_on.isoformat())
    received = _amount(amount)
    currency = _choice(currency, Currency.values, "currency")
    agreed_rate, settled = _settlement(agreement, received, currency, rate, settled_amount)
    fields = {
        "agreement": agreement,
        "amount": received,
        "currency": currency,
        "rate": agreed_rate,
        "settled_amount": settled,
        "paid_on": paid_on,
        "method": _choice(method, PaymentMethod.values, "method"),
        "note": note.strip(),
    }
    scope = _scope(actor, access.payments_for)
    payment, created = create_once(
        Payment,
        id,
        fields,
        lambda payment_id: Payment.objects.create(
            id=payment_id, created_by=actor, is_sample=is_sample, **fields
        ),
        scope,
    )
    if not created:
        return payment, False
    audit(actor, AuditLog.Action.CREATE, "payment", payment.pk, currency=payment.currency)
    return payment, True


# The calendar feed.


@transaction.atomic
def do_calendar_feed(*, actor: User) -> tuple[CalendarFeed, str]:
    """Make the keyholder's feed address, or a new one that revokes the old: (feed, token).

    The raw token is returned once, for the page to show; only its hash is kept, so a lost
    address cannot be shown again, only replaced.
    """
    if actor.role != Role.KEYHOLDER and not actor.is_admin:
        raise ServiceError(Code.AUTH_FORBIDDEN)
    token = new_calendar_token()
    feed = CalendarFeed.objects.select_for_update().filter(user=actor).first()
    if feed is None:
        feed = CalendarFeed.objects.create(user=actor, token_hash=hash_token(token))
        audit(actor, AuditLog.Action.CREATE, "calendar_feed", feed.pk)
    else:
        feed.token_hash = hash_token(token)
        feed.renewed_at = timezone.now()
        feed.save(update_fields=["token_hash", "renewed_at"])
        audit(actor, AuditLog.Action.UPDATE, "calendar_feed", feed.pk)
    return feed, token
