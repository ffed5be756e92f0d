"""Every write to the registry: validated, in one transaction, audited.

Web views, the API, imports and the sample generator all come through here. Records carry a
UUID that the client may supply: an identical resend returns the existing record, different
content under the same UUID is a conflict.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import phonenumbers
from django.db import models, transaction
from django.utils import timezone

from keyholder.accounts.access import place_in_area
from keyholder.accounts.models import AuditLog, Role, User
from keyholder.accounts.services import audit
from keyholder.core import effects
from keyholder.core.errors import Code, ServiceError
from keyholder.core.idempotency import find_resend, insert_once
from keyholder.places.models import Place, PlaceKind, require_place
from keyholder.registry import access
from keyholder.registry.models import (
    EventKind,
    GardenTree,
    House,
    Household,
    MigrationEvent,
    Person,
    Purpose,
    Relation,
    Sex,
    TreeKind,
)
from keyholder.registry.signals import REGISTRY_CHANGED
from keyholder.registry.spans import rewrite_spans
from keyholder.registry.status import validate_history

M = TypeVar("M", bound=models.Model)

VILLAGE_KINDS = (PlaceKind.VILLAGE, PlaceKind.TOWN)
WRITER_ROLES = (Role.ADMIN, Role.ENUMERATOR)
MAX_TREE_COUNT = 2**31 - 1


def today() -> dt.date:
    return timezone.localdate()


def require_writer(user: User | None, village: Place) -> None:
    """Administrators and the enumerators of the village write to the registry."""
    if user is None:
        # Management commands (import, generate) run as the system.
        return
    if not user.is_authenticated:
        raise ServiceError(Code.AUTH_REQUIRED)
    if not (user.is_admin or user.role in WRITER_ROLES):
        raise ServiceError(Code.AUTH_FORBIDDEN)
    if not place_in_area(user, village):
        raise ServiceError(Code.OUT_OF_SCOPE)


def normalise_phone(raw: str) -> str:
    """Parse a phone number (Tajik by default) into E.164, or refuse it."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        parsed = phonenumbers.parse(raw, "TJ")
    except phonenumbers.NumberParseException as exc:
        raise ServiceError(Code.INVALID_PHONE, field="phone", value=raw) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ServiceError(Code.INVALID_PHONE, field="phone", value=raw)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def village_by_code(code: str) -> Place:
    place = require_place(code, "village")
    if place.kind not in VILLAGE_KINDS:
        raise ServiceError(Code.INVALID_PLACE_KIND, field="village", value=code)
    return place


def _choice(value: str, choices: Iterable[str], field: str) -> str:
    if value not in choices:
        raise ServiceError(Code.INVALID_FIELD, field=field, detail=value)
    return value


def _scope(
    actor: User | None, reader: Callable[[Any], models.QuerySet[M]]
) -> models.QuerySet[M] | None:
    """What the actor may see of a model, for a resend's id (None: the system sees all)."""
    return None if actor is None else reader(actor)


def _announce(villages: Iterable[int], since: dt.date | None) -> None:
    """Tell the apps above that these villages changed from ``since`` (after commit)."""
    effects.announce(REGISTRY_CHANGED, villages, since)


@transaction.atomic
def do_create_house(
    *,
    actor: User | None,
    village: Place,
    street: str = "",
    number: str = "",
    trees: Mapping[str, int] | None = None,
    garden_area_m2: int | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    notes: str = "",
    id: uuid.UUID | None = None,
    is_sample: bool = False,
) -> tuple[House, bool]:
    require_writer(actor, village)
    fields = {
        "village": village,
        "street": street.strip(),
        "number": number.strip(),
        "garden_area_m2": garden_area_m2,
        "latitude": latitude,
        "longitude": longitude,
        "notes": notes,
    }
    tree_counts = {}
    for kind, count in (trees or {}).items():
        _choice(kind, TreeKind.values, "trees")
        # A tree count is a PostgreSQL integer (bulk_create below bypasses the model guard).
        if not 0 <= count <= MAX_TREE_COUNT:
            raise ServiceError(Code.INVALID_FIELD, field="trees", detail=f"{kind}={count}")
        if count:
            tree_counts[kind] = count
    scope = _scope(actor, access.houses_for)
    existing, house_id = find_resend(House, id, fields, scope)

    def insert() -> House:
        house = House.objects.create(id=house_id, created_by=actor, is_sample=is_sample, **fields)
        GardenTree.objects.bulk_create(
            GardenTree(house=house, kind=k, count=c) for k, c in tree_counts.items()
        )
        return house

    created = False
    if existing is None:
        existing, created = insert_once(House, house_id, fields, insert, scope)
    if not created:
        if {t.kind: t.count for t in existing.trees.all()} != tree_counts:
            raise ServiceError(Code.CONFLICT_UUID, id=house_id)
        return existing, False
    house = existing
    audit(actor, AuditLog.Action.CREATE, "house", house.pk)
    return house, True


@transaction.atomic
def do_create_household(
    *,
    actor: User | None,
    village: Place,
    name: str,
    house: House | None = None,
    notes: str = "",
    id: uuid.UUID | None = None,
    is_sample: bool = False,
) -> tuple[Household, bool]:
    require_writer(actor, village)
    name = name.strip()
    if not name:
        raise ServiceError(Code.INVALID_FIELD, field="name", detail="empty")
    if house is not None and house.village_id != village.pk:
        raise ServiceError(Code.INVALID_FIELD, field="house", detail=str(house.pk))
    fields = {"village": village, "name": name, "house": house, "notes": notes}
    scope = _scope(actor, access.households_for)
    existing, household_id = find_resend(Household, id, fields, scope)
    if existing is not None:
        return existing, False
    household, created = insert_once(
        Household,
        household_id,
        fields,
        lambda: Household.objects.create(
            id=household_id, created_by=actor, is_sample=is_sample, **fields
        ),
        scope,
    )
    if not created:
        return household, False
    audit(actor, AuditLog.Action.CREATE, "household", household.pk)
    return household, True


@transaction.atomic
def do_create_person(
    *,
    actor: User | None,
    household: Household,
    given_name: str,
    sex: str,
    birth_year: int,
    family_name: str = "",
    relation: str = Relation.OTHER,
    phone: str = "",
    id: uuid.UUID | None = None,
    is_sample: bool = False,
) -> tuple[Person, bool]:
    require_writer(actor, household.village)
    given_name = given_name.strip()
    if not given_name:
        raise ServiceError(Code.INVALID_FIELD, field="given_name", detail="empty")
    _choice(sex, Sex.values, "sex")
    _choice(relation, Relation.values, "relation")
    if not 1900 <= birth_year <= today().year:
        raise ServiceError(Code.INVALID_BIRTH_YEAR, field="birth_year", value=birth_year)
    fields = {
        "household": household,
        "given_name": given_name,
        "family_name": family_name.strip(),
        "sex": sex,
        "birth_year": birth_year,
        "relation": relation,
        "phone": normalise_phone(phone),
    }
    scope = _scope(actor, access.persons_for)
    existing, person_id = find_resend(Person, id, fields, scope)
    if existing is not None:
        return existing, False
    person, created = insert_once(
        Person,
        person_id,
        fields,
        lambda: Person.objects.create(
            id=person_id, created_by=actor, is_sample=is_sample, **fields
        ),
        scope,
    )
    if not created:
        return person, False
    # A person without events has a status too (present since birth): their first span.
    rewrite_spans(person, [])
    audit(actor, AuditLog.Action.CREATE, "person", person.pk)
    return person, True


@transaction.atomic
def do_record_event(
    *,
    actor: User | None,
    person: Person,
    kind: str,
    date: dt.date,
    country: str = "",
    destination: str = "",
    purpose: str = "",
    until: dt.date | None = None,
    moved_to: Place | None = None,
    note: str = "",
    id: uuid.UUID | None = None,
    is_sample: bool = False,
) -> tuple[MigrationEvent, bool]:
    """Record one dated event, refusing it if the person's history would become impossible."""
    household = person.household
    require_writer(actor, household.village)
    _choice(kind, EventKind.values, "kind")
    if purpose:
        _choice(purpose, Purpose.values, "purpose")
    country = country.strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise ServiceError(Code.INVALID_COUNTRY, field="country", value=country)
    if kind == EventKind.DEPARTED and not country:
        raise ServiceError(Code.HISTORY_DESTINATION_REQUIRED, field="country")
    if kind == EventKind.MOVED and moved_to is None:
        raise ServiceError(Code.HISTORY_MOVED_TO_REQUIRED, field="moved_to")
    fields = {
        "person": person,
        "kind": kind,
        "date": date,
        "country": country,
        "destination": destination.strip(),
        "purpose": purpose,
        "until": until,
        "moved_to": moved_to,
        "note": note,
    }
    # Lock the person's row so two devices cannot interleave events into an impossible history.
    # The resend is looked for under the lock: a twin of this request that got the lock first
    # has committed its event by now, and this one must answer with it (200), not validate the
    # same event twice into an "overlapping stay" refusal.
    Person.objects.select_for_update().filter(pk=person.pk).order_by().first()
    scope = _scope(actor, access.events_for)
    existing, event_id = find_resend(MigrationEvent, id, fields, scope)
    if existing is not None:
        return existing, False
    event = MigrationEvent(id=event_id, created_by=actor, is_sample=is_sample, **fields)
    # validate_history sorts the events itself; the default ordering's joins are not needed.
    history = [*person.events.order_by(), event]
    validate_history(history, person.birth_year, today())
    saved, created = insert_once(MigrationEvent, event_id, fields, lambda: _insert(event), scope)
    if not created:
        return saved, False
    # The spans follow the events in the same transaction: no read sees one without the other.
    rewrite_spans(person, history)
    audit(actor, AuditLog.Action.CREATE, "migration_event", event.pk, person=str(person.pk))
    _announce([household.village_id], date)
    return event, True


@transaction.atomic
def do_delete_event(*, actor: User | None, event: MigrationEvent) -> None:
    """Remove an event recorded in error, if the remaining history is still possible."""
    person = event.person
    require_writer(actor, person.household.village)
    Person.objects.select_for_update().filter(pk=person.pk).first()
    remaining = [e for e in person.events.all() if e.pk != event.pk]
    validate_history(remaining, person.birth_year, today())
    audit(
        actor,
        AuditLog.Action.DELETE,
        "migration_event",
        event.pk,
        person=str(person.pk),
        kind=event.kind,
        date=event.date.isoformat(),
    )
    date = event.date
    event.delete()
    rewrite_spans(person, remaining)
    _announce([person.household.village_id], date)


def _insert(obj: M) -> M:
    obj.save(force_insert=True)
    return obj


def run_in_one_transaction(work: Callable[[], Any]) -> Any:
    """Run a batch of service calls all-or-nothing (imports use this)."""
    with transaction.atomic():
        return work()
