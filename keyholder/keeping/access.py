"""Reads of the keeping service, scoped by role. Views and the API read only through here.

- administrator: everything;
- keyholder: the agreements where they are (or were) the keyholder, and what hangs off them;
- owner: the agreements of their own house (named as an owner, or their household's house);
- officer: counts only (``keeping.queries.officer_counts``): no visit, photo, note or ledger;
- enumerator, outsider and anonymous: nothing.

A record outside the user's scope is "not found" (404), never "forbidden": its existence is
itself private.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet

from keyholder.accounts.access import NOTHING, is_authenticated
from keyholder.accounts.models import AuditLog, Role, User, hash_token
from keyholder.accounts.services import audit
from keyholder.core.errors import Code, ServiceError
from keyholder.keeping.ledger import Ledger, ledger_for
from keyholder.keeping.models import (
    AgreementStatus,
    CalendarFeed,
    Charge,
    Duty,
    Incident,
    KeepingAgreement,
    KeyCustody,
    Payment,
    Photo,
    Task,
    Visit,
    WaterTurn,
)
from keyholder.keeping.reports import OwnerReport, build_owner_report, parse_month
from keyholder.registry.access import houses_to_choose
from keyholder.registry.models import House


def agreement_q(user: Any, prefix: str = "") -> Q:
    """A Q selecting, through ``prefix``, the agreements the user may see."""
    if not is_authenticated(user):
        return NOTHING
    assert isinstance(user, User)
    if user.is_admin:
        return Q()
    if user.role == Role.KEYHOLDER:
        return Q(**{f"{prefix}keyholder": user})
    if user.role == Role.OWNER:
        q = Q(**{f"{prefix}owners": user})
        if user.household_id is not None:
            q |= Q(**{f"{prefix}house__households": user.household_id})
        return q
    return NOTHING


def _scoped(model: Any, user: Any, prefix: str) -> QuerySet[Any]:
    q = agreement_q(user, prefix)
    qs = model.objects.filter(q)
    # Owner Q crosses many-valued relations: keep each row once.
    return qs.distinct() if getattr(user, "role", None) == Role.OWNER else qs


def agreements_for(user: Any) -> QuerySet[KeepingAgreement]:
    return _scoped(KeepingAgreement, user, "").select_related(
        "house", "house__village", "keyholder"
    )


def duties_for(user: Any) -> QuerySet[Duty]:
    return _scoped(Duty, user, "agreement__")


def tasks_for(user: Any) -> QuerySet[Task]:
    return _scoped(Task, user, "agreement__").select_related("duty")


def visits_for(user: Any) -> QuerySet[Visit]:
    return _scoped(Visit, user, "agreement__").select_related("keyholder")


def photos_for(user: Any) -> QuerySet[Photo]:
    visit_q = agreement_q(user, "visit__agreement__")
    incident_q = agreement_q(user, "incident__agreement__")
    qs = Photo.objects.filter(visit_q | incident_q)
    return qs.distinct() if getattr(user, "role", None) == Role.OWNER else qs


def incidents_for(user: Any) -> QuerySet[Incident]:
    return _scoped(Incident, user, "agreement__")


def payments_for(user: Any) -> QuerySet[Payment]:
    return _scoped(Payment, user, "agreement__")


def charges_for(user: Any) -> QuerySet[Charge]:
    return _scoped(Charge, user, "agreement__")


def keys_for(user: Any) -> QuerySet[KeyCustody]:
    return _scoped(KeyCustody, user, "agreement__")


def water_turns_for(user: Any) -> QuerySet[WaterTurn]:
    """The water turns of the villages where the user keeps a house under an agreement in force
    (a keyholder's own, an administrator's all): what the field app carries for the round."""
    villages = agreements_for(user).exclude(status=AgreementStatus.ENDED).values("house__village")
    return WaterTurn.objects.filter(village__in=villages).select_related("village")


def _parse_id(value: object) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise ServiceError(Code.NOT_FOUND) from exc


def _one(qs: QuerySet[Any], record_id: object) -> Any:
    found = qs.filter(pk=_parse_id(record_id)).first()
    if found is None:
        raise ServiceError(Code.NOT_FOUND)
    return found


def get_agreement(user: Any, agreement_id: object) -> KeepingAgreement:
    agreement: KeepingAgreement = _one(agreements_for(user), agreement_id)
    return agreement


def get_visit(user: Any, visit_id: object) -> Visit:
    visit: Visit = _one(visits_for(user).select_related("agreement"), visit_id)
    audit(user, AuditLog.Action.READ, "visit", visit.pk)
    return visit


def get_photo(user: Any, photo_id: object) -> Photo:
    photo: Photo = _one(photos_for(user), photo_id)
    audit(user, AuditLog.Action.READ, "photo", photo.pk)
    return photo


def get_incident(user: Any, incident_id: object) -> Incident:
    incident: Incident = _one(incidents_for(user).select_related("agreement"), incident_id)
    return incident


def get_key(user: Any, key_id: object) -> KeyCustody:
    key: KeyCustody = _one(keys_for(user).select_related("agreement"), key_id)
    return key


def get_task(user: Any, task_id: object) -> Task:
    task: Task = _one(tasks_for(user), task_id)
    return task


def can_keep(user: Any, agreement: KeepingAgreement) -> bool:
    """Whether the user writes to this agreement (its keyholder or an administrator)."""
    return is_authenticated(user) and (user.is_admin or user.pk == agreement.keyholder_id)


def is_owner_of(user: Any, agreement: KeepingAgreement) -> bool:
    """Whether the user is one of the agreement's owners (who may ask for a visit)."""
    return is_authenticated(user) and agreement.owners.filter(pk=user.pk).exists()


# Reads of what the keeping records say about a house: one audit row per request.


def get_ledger(user: Any, agreement_id: object) -> tuple[KeepingAgreement, Ledger]:
    """The agreement's charges, payments and totals, for the ledger page and endpoint."""
    agreement = get_agreement(user, agreement_id)
    audit(user, AuditLog.Action.READ, "keeping_ledger", agreement.pk)
    return agreement, ledger_for(agreement)


def get_owner_report(
    user: Any, agreement_id: object, month: str, form: str = "page"
) -> tuple[KeepingAgreement, OwnerReport]:
    """The owner's report of a month (``YYYY-MM``); ``form`` (page, json, pdf) goes in the log."""
    agreement = get_agreement(user, agreement_id)
    report = build_owner_report(agreement, parse_month(month))
    audit(user, AuditLog.Action.READ, "owner_report", agreement.pk, month=report.key, form=form)
    return agreement, report


# Owners and houses offered when a house is entrusted.


def owners_of_house(house: House) -> QuerySet[User]:
    """The owner accounts whose household lives in ``house``: the only owners its agreement takes."""
    return User.objects.filter(role=Role.OWNER, is_active=True, household__house=house)


def houses_to_entrust(user: Any) -> QuerySet[House]:
    """Houses of the user's villages that no agreement in force covers, whoever keeps them."""
    kept = KeepingAgreement.objects.exclude(status=AgreementStatus.ENDED).values("house_id")
    return houses_to_choose(user).exclude(pk__in=kept)


def entrusted_house_ids(user: User) -> QuerySet[Any]:
    """The ids of the houses under an agreement in force (active or paused) with the keyholder:
    all of the registry a keyholder sees (``registry.access.entrusted_houses``)."""
    return (
        KeepingAgreement.objects.filter(keyholder=user)
        .exclude(status=AgreementStatus.ENDED)
        .values("house_id")
    )


def calendar_feed_of(user: Any) -> CalendarFeed | None:
    """The user's own calendar feed, if they made one."""
    if not is_authenticated(user):
        return None
    return CalendarFeed.objects.filter(user=user).first()


def calendar_feed_by_token(token: str) -> CalendarFeed | None:
    """The feed a calendar address names, if its user is still active: the token is the secret."""
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=hash_token(token)).first()
    if feed is None or not feed.user.is_active:
        return None
    # Whoever holds the address reads the keyholder's round: every read is in the audit log.
    audit(feed.user, AuditLog.Action.READ, "calendar_feed", feed.pk, via="token")
    return feed
