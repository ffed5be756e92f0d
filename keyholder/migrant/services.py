"""Writes of the migrant's calendar: joining, the record's items, settings, export and
deleting everything. Each runs in one transaction and writes an audit row that names no
value of the record."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from keyholder.accounts.models import AuditLog, Channel, Role, User
from keyholder.accounts.services import audit
from keyholder.core.errors import Code, ServiceError
from keyholder.migrant.access import may_keep_calendar, own_item, profile_of
from keyholder.migrant.models import (
    Document,
    DocumentKind,
    MigrantProfile,
    Patent,
    PatentPayment,
    PatentRegion,
    Registration,
    Trip,
    hash_feed_token,
    new_feed_token,
)
from keyholder.notify.models import Message, MessageStatus

RECORD = "migrant_record"
PHONE_RE = re.compile(r"\+?[0-9]{7,15}")
LANGUAGES = {"tg", "ru", "en"}
ITEM_MODELS: dict[str, type[Any]] = {
    "trip": Trip,
    "registration": Registration,
    "patent": Patent,
    "payment": PatentPayment,
    "document": Document,
}
# Reminders are queued with this template; deleting the calendar drops those not yet sent.
REMINDER_TEMPLATE = "migrant_deadline"


@transaction.atomic
def do_join(*, email: str, phone: str, password: str, language: str) -> User:
    """Self-registration: a migrant account named by its email or phone, with its calendar."""
    email, phone = email.strip().lower(), re.sub(r"[\s()-]", "", phone)
    if not email and not phone:
        raise ServiceError(Code.MIGRANT_NEEDS_CONTACT, field="email")
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ServiceError(Code.NOTIFY_INVALID_EMAIL, field="email") from exc
    if phone and not PHONE_RE.fullmatch(phone):
        raise ServiceError(Code.INVALID_PHONE, field="phone", value=phone)
    username = email or phone
    taken = User.objects.filter(username__iexact=username)
    if email:
        taken = taken | User.objects.filter(email__iexact=email)
    if taken.exists():
        raise ServiceError(Code.MIGRANT_CONTACT_TAKEN, field="email" if email else "phone")
    user = User(
        username=username,
        email=email,
        phone=phone,
        role=Role.MIGRANT,
        language=language if language in LANGUAGES else "tg",
        channel=Channel.EMAIL if email else Channel.NONE,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError(
            Code.MIGRANT_WEAK_PASSWORD, field="password", detail=" ".join(exc.messages)
        ) from exc
    user.set_password(password)
    user.save()
    MigrantProfile.objects.create(user=user)
    audit(user, AuditLog.Action.CREATE, RECORD)
    return user


@transaction.atomic
def do_turn_on(*, actor: Any) -> MigrantProfile:
    """An owner (or a migrant whose calendar was deleted) turns the calendar on for itself."""
    if not may_keep_calendar(actor):
        raise ServiceError(Code.NOT_FOUND)
    profile, created = MigrantProfile.objects.get_or_create(user=actor)
    if created:
        audit(actor, AuditLog.Action.CREATE, RECORD)
    return profile


def _check_until(start: dt.date, until: dt.date | None, code: Code) -> None:
    if until is not None and until < start:
        raise ServiceError(code, field="exited_on", date=until.isoformat())


@transaction.atomic
def do_add_trip(
    *, actor: Any, entered_on: dt.date, exited_on: dt.date | None, note: str = ""
) -> Trip:
    profile = profile_of(actor)
    _check_until(entered_on, exited_on, Code.MIGRANT_EXIT_BEFORE_ENTRY)
    far = dt.date.max
    for other in profile.trips.all():
        if entered_on <= (other.exited_on or far) and other.entered_on <= (exited_on or far):
            raise ServiceError(
                Code.MIGRANT_OVERLAPPING_TRIPS,
                field="entered_on",
                date=other.entered_on.isoformat(),
            )
    trip = Trip.objects.create(
        profile=profile, entered_on=entered_on, exited_on=exited_on, note=note
    )
    audit(actor, AuditLog.Action.CREATE, RECORD)
    return trip


@transaction.atomic
def do_set_exit(*, actor: Any, trip_id: Any, exited_on: dt.date) -> Trip:
    trip = own_item(actor, Trip, trip_id)
    _check_until(trip.entered_on, exited_on, Code.MIGRANT_EXIT_BEFORE_ENTRY)
    trip.exited_on = exited_on
    trip.save()
    audit(actor, AuditLog.Action.UPDATE, RECORD)
    return trip


@transaction.atomic
def do_add_registration(
    *, actor: Any, registered_on: dt.date, valid_until: dt.date | None, address: str = ""
) -> Registration:
    profile = profile_of(actor)
    if valid_until is not None and valid_until < registered_on:
        raise ServiceError(
            Code.MIGRANT_UNTIL_BEFORE_START, field="valid_until", date=valid_until.isoformat()
        )
    item = Registration.objects.create(
        profile=profile, registered_on=registered_on, valid_until=valid_until, address=address
    )
    audit(actor, AuditLog.Action.CREATE, RECORD)
    return item


@transaction.atomic
def do_add_patent(*, actor: Any, region: str, issued_on: dt.date, number: str = "") -> Patent:
    profile = profile_of(actor)
    if region not in PatentRegion.values:
        raise ServiceError(Code.INVALID_FIELD, field="region", detail=region)
    item = Patent.objects.create(profile=profile, region=region, issued_on=issued_on, number=number)
    audit(actor, AuditLog.Action.CREATE, RECORD)
    return item


@transaction.atomic
def do_add_payment(
    *, actor: Any, patent_id: Any, paid_on: dt.date, months: int, amount: str = ""
) -> PatentPayment:
    patent = own_item(actor, Patent, patent_id)
    if not 1 <= months <= 12:
        raise ServiceError(Code.INVALID_FIELD, field="months", detail=str(months))
    item = PatentPayment.objects.create(
        profile=patent.profile, patent=patent, paid_on=paid_on, months=months, amount=amount
    )
    audit(actor, AuditLog.Action.CREATE, RECORD)
    return item


@transaction.atomic
def do_add_document(*, actor: Any, kind: str, dated: dt.date, number: str = "") -> Document:
    profile = profile_of(actor)
    if kind not in DocumentKind.values:
        raise ServiceError(Code.INVALID_FIELD, field="kind", detail=kind)
    item = Document.objects.create(profile=profile, kind=kind, dated=dated, number=number)
    audit(actor, AuditLog.Action.CREATE, RECORD)
    return item


@transaction.atomic
def do_delete_item(*, actor: Any, kind: str, item_id: Any) -> None:
    model = ITEM_MODELS.get(kind)
    if model is None:
        raise ServiceError(Code.NOT_FOUND)
    own_item(actor, model, item_id).delete()
    audit(actor, AuditLog.Action.DELETE, RECORD)


@transaction.atomic
def do_update_settings(*, actor: Any, detailed_reminders: bool) -> MigrantProfile:
    profile = profile_of(actor)
    profile.detailed_reminders = detailed_reminders
    profile.save(update_fields=["detailed_reminders"])
    audit(actor, AuditLog.Action.UPDATE, RECORD)
    return profile


@transaction.atomic
def do_renew_feed(*, actor: Any) -> str:
    """A new calendar address; the old one stops working. Returns the raw token (shown once)."""
    profile = profile_of(actor)
    raw = new_feed_token()
    profile.feed_token_hash = hash_feed_token(raw)
    profile.save(update_fields=["feed_token_hash"])
    audit(actor, AuditLog.Action.UPDATE, RECORD)
    return raw


@transaction.atomic
def do_stop_feed(*, actor: Any) -> None:
    profile = profile_of(actor)
    profile.feed_token_hash = None
    profile.save(update_fields=["feed_token_hash"])
    audit(actor, AuditLog.Action.UPDATE, RECORD)


def do_export(*, actor: Any) -> dict[str, Any]:
    from keyholder.migrant.record import export

    profile = profile_of(actor)
    audit(actor, AuditLog.Action.EXPORT, RECORD)
    return export(profile)


@transaction.atomic
def do_delete_all(*, actor: Any) -> bool:
    """Delete the whole calendar, and reminders not yet sent. A migrant account (which exists
    only for the calendar) is deleted with it; an owner keeps their account. Returns whether
    the account was deleted."""
    profile = profile_of(actor)
    Message.objects.filter(
        recipient=actor, template=REMINDER_TEMPLATE, status=MessageStatus.PENDING
    ).delete()
    profile.delete()
    if actor.role == Role.MIGRANT:
        actor.delete()
        return True
    audit(actor, AuditLog.Action.DELETE, RECORD)
    return False
