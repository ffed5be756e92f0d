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
from keyholder.core.idempotency import create_once, find_resend, insert_once
from keyholder.core.text import normalise_notes, normalise_text
from keyholder.places.models import Place, PlaceKind, require_place
from keyholder.registry import access
from keyholder.registry.models import (
    EVENT_DETAILS,
    KIND_DETAILS,
    EventCorrection,
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
from keyholder.registry.signals import FED_CHANGED, REGISTRY_CHANGED
from keyholder.registry.spans import log_event, rewrite_spans
from keyholder.registry.status import validate_history

M = TypeVar("M", bound=models.Model)

VILLAGE_KINDS = (PlaceKind.VILLAGE, PlaceKind.TOWN)
WRITER_ROLES = (Role.ADMIN, Role.ENUMERATOR)
# An uploaded file is written by its uploader, and officers upload too (issue 11): within their
# area they write through an import, and only through one (their forms stay read-only).
IMPORT_ROLES = (*WRITER_ROLES, Role.OFFICER)
MAX_TREE_COUNT = 2**31 - 1
# The choices' values, read once: ``TextChoices.values`` builds its list on every call.
TREE_KINDS = frozenset(TreeKind.values)
SEXES = frozenset(Sex.values)
RELATIONS = frozenset(Relation.values)
EVENT_KINDS = frozenset(EventKind.values)
PURPOSES = frozenset(Purpose.values)


def today() -> dt.date:
    return timezone.localdate()


def require_writer(user: User | None, village: Place, *, importing: bool = False) -> None:
    """Administrators and the enumerators of the village write to the registry; through an
    import (``importing``), the officers of its area as well."""
    if user is None:
        # Management commands (import, generate) run as the system.
        return
    if not user.is_authenticated:
        raise ServiceError(Code.AUTH_REQUIRED)
    if not (user.is_admin or user.role in (IMPORT_ROLES if importing else WRITER_ROLES)):
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


def _announce(villages: Iterable[int], since: dt.date | None, *, fed: bool = False) -> None:
    """Tell the apps above that these villages changed from ``since`` (after commit).
    ``fed``: every change of figures the write made is in the change feed (its spans by
    ``rewrite_spans``, its events by ``log_event``): ``FED_CHANGED``."""
    effects.announce(FED_CHANGED if fed else REGISTRY_CHANGED, villages, since)


def house_fields(
    *,
    village: Place,
    street: str,
    number: str,
    trees: Mapping[str, int] | None,
    garden_area_m2: int | None,
    latitude: float | None,
    longitude: float | None,
    notes: str,
) -> tuple[dict[str, Any], dict[str, int]]:
    """A new house's fields normalised, and its tree counts; refuses what no house may hold.
    (``do_create_house`` and the import's bulk path check a house with this one function.)"""
    fields = {
        "village": village,
        "street": normalise_text(street),
        "number": normalise_text(number),
        "garden_area_m2": garden_area_m2,
        "latitude": latitude,
        "longitude": longitude,
        "notes": normalise_notes(notes),
    }
    tree_counts = {}
    for kind, count in (trees or {}).items():
        _choice(kind, TREE_KINDS, "trees")
        # A tree count is a PostgreSQL integer (bulk_create bypasses the model guard).
        if not 0 <= count <= MAX_TREE_COUNT:
            raise ServiceError(Code.INVALID_FIELD, field="trees", detail=f"{kind}={count}")
        if count:
            tree_counts[kind] = count
    return fields, tree_counts


def household_fields(
    *, village: Place, name: str, house: House | None, notes: str
) -> dict[str, Any]:
    """A new household's fields normalised, or the refusal (shared as ``house_fields`` is)."""
    # NFC with single spaces, whichever path the name came by (form, API, import): the same
    # name is one string, for duplicate checks and search alike.
    name = normalise_text(name)
    if not name:
        raise ServiceError(Code.INVALID_FIELD, field="name", detail="empty")
    if house is not None and house.village_id != village.pk:
        raise ServiceError(Code.INVALID_FIELD, field="house", detail=str(house.pk))
    return {"village": village, "name": name, "house": house, "notes": normalise_notes(notes)}


def person_fields(
    *,
    household: Household,
    given_name: str,
    sex: str,
    birth_year: int,
    family_name: str,
    relation: str,
    phone: str,
    this_year: int | None = None,
) -> dict[str, Any]:
    """A new person's fields normalised, or the refusal (shared as ``house_fields`` is).
    ``this_year``: the year of ``today()``, when the caller has read it already."""
    given_name = normalise_text(given_name)
    if not given_name:
        raise ServiceError(Code.INVALID_FIELD, field="given_name", detail="empty")
    _choice(sex, SEXES, "sex")
    _choice(relation, RELATIONS, "relation")
    if not 1900 <= birth_year <= (this_year or today().year):
        raise ServiceError(Code.INVALID_BIRTH_YEAR, field="birth_year", value=birth_year)
    return {
        "household": household,
        "given_name": given_name,
        "family_name": normalise_text(family_name),
        "sex": sex,
        "birth_year": birth_year,
        "relation": relation,
        "phone": normalise_phone(phone),
    }


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
    importing: bool = False,
) -> tuple[House, bool]:
    require_writer(actor, village, importing=importing)
    fields, tree_counts = house_fields(
        village=village,
        street=street,
        number=number,
        trees=trees,
        garden_area_m2=garden_area_m2,
        latitude=latitude,
        longitude=longitude,
        notes=notes,
    )
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
    importing: bool = False,
) -> tuple[Household, bool]:
    require_writer(actor, village, importing=importing)
    fields = household_fields(village=village, name=name, house=house, notes=notes)
    scope = _scope(actor, access.households_for)
    household, created = create_once(
        Household,
        id,
        fields,
        lambda household_id: Household.objects.create(
            id=household_id, created_by=actor, is_sample=is_sample, **fields
        ),
        scope,
    )
    if not created:
        return household, False
    audit(actor, AuditLog.Action.CREATE, "household", household.pk)
    # Its house counts in the figures of every month (from the beginning).
    _announce([village.pk], None)
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
    importing: bool = False,
) -> tuple[Person, bool]:
    require_writer(actor, household.village, importing=importing)
    fields = person_fields(
        household=household,
        given_name=given_name,
        sex=sex,
        birth_year=birth_year,
        family_name=family_name,
        relation=relation,
        phone=phone,
    )
    scope = _scope(actor, access.persons_for)
    person, created = create_once(
        Person,
        id,
        fields,
        lambda person_id: Person.objects.create(
            id=person_id, created_by=actor, is_sample=is_sample, **fields
        ),
        scope,
    )
    if not created:
        return person, False
    # A person without events has a status too (present since birth): their first span.
    rewrite_spans(person, [])
    audit(actor, AuditLog.Action.CREATE, "person", person.pk)
    # A resident since birth counts in every month's figures (from the beginning).
    _announce([household.village_id], None, fed=True)
    return person, True


def _check_event(kind: str, country: str, purpose: str, moved_to: Place | None) -> str:
    """Refuse an event's details that no history could hold; returns the country normalised."""
    _choice(kind, EVENT_KINDS, "kind")
    if purpose:
        _choice(purpose, PURPOSES, "purpose")
    country = country.strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise ServiceError(Code.INVALID_COUNTRY, field="country", value=country)
    if kind == EventKind.DEPARTED and not country:
        raise ServiceError(Code.HISTORY_DESTINATION_REQUIRED, field="country")
    if kind == EventKind.MOVED and moved_to is None:
        raise ServiceError(Code.HISTORY_MOVED_TO_REQUIRED, field="moved_to")
    return country


def _lock(person: Person) -> None:
    """Lock the person's row so two devices cannot interleave events into an impossible
    history (only the id is read: the caller has the row already)."""
    list(Person.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True))


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
    importing: bool = False,
) -> tuple[MigrationEvent, bool]:
    """Record one dated event, refusing it if the person's history would become impossible."""
    household = person.household
    require_writer(actor, household.village, importing=importing)
    country = _check_event(kind, country, purpose, moved_to)
    fields = {
        "person": person,
        "kind": kind,
        "date": date,
        "country": country,
        "destination": normalise_text(destination),
        "purpose": purpose,
        "until": until,
        "moved_to": moved_to,
        "note": normalise_notes(note),
    }
    # Lock the person's row so two devices cannot interleave events into an impossible history.
    # The resend is looked for under the lock: a twin of this request that got the lock first
    # has committed its event by now, and this one must answer with it (200), not validate the
    # same event twice into an "overlapping stay" refusal.
    _lock(person)
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
    log_event(person, 1, event.kind, event.country, event.date)
    audit(actor, AuditLog.Action.CREATE, "migration_event", event.pk, person=str(person.pk))
    _announce([household.village_id], date, fed=True)
    return event, True


# Corrections. A recorded event may be wrong (a date misheard, a return recorded as a
# deportation, an event of the wrong person): it is corrected or removed with a reason, if the
# history left is still possible, and the change stays visible in the person's history.

MAX_REASON = EventCorrection._meta.get_field("reason").max_length or 500
# What a correction may change: an event's kind, date, details and note (not its person).
CORRECTABLE = ("kind", "date", *EVENT_DETAILS, "note")


def event_facts(event: MigrationEvent) -> dict[str, Any]:
    """What an event says, as JSON: kept in the audit log and in ``EventCorrection``."""
    return {
        "kind": event.kind,
        "date": event.date.isoformat(),
        "country": event.country,
        "destination": event.destination,
        "purpose": event.purpose,
        "until": event.until.isoformat() if event.until else None,
        "moved_to": event.moved_to.code if event.moved_to is not None else None,
        "note": event.note,
    }


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(Code.EVENT_REASON_REQUIRED, field="reason")
    if len(reason) > MAX_REASON:
        raise ServiceError(Code.EVENT_REASON_TOO_LONG, field="reason", max=MAX_REASON)
    return reason


def _empty(field: str) -> Any:
    return None if field in ("until", "moved_to") else ""


def _locked_event(event: MigrationEvent) -> tuple[Person, list[MigrationEvent], MigrationEvent]:
    """Lock the event's person and read their history again under the lock: the person, their
    other events and the event as it is now (a concurrent correction may have changed it)."""
    person = event.person
    _lock(person)
    others: list[MigrationEvent] = []
    current = None
    for each in person.events.order_by().select_related("moved_to"):
        if each.pk == event.pk:
            current = each
        else:
            others.append(each)
    if current is None:
        # Removed by someone else meanwhile.
        raise ServiceError(Code.NOT_FOUND)
    return person, others, current


@transaction.atomic
def do_correct_event(
    *,
    actor: User | None,
    event: MigrationEvent,
    changes: Mapping[str, Any],
    reason: str,
) -> tuple[MigrationEvent, bool]:
    """Correct an event's kind, date, details or note, with a reason.

    ``changes`` maps field names of ``CORRECTABLE`` to new values (``moved_to`` a ``Place``).
    When the kind changes, the details the new kind does not have are cleared; a value sent
    for such a detail is refused. The person's whole history is validated again, with the same
    rules as a recording, and refused with its ``history.*`` code if it becomes impossible.
    Returns the event and whether anything changed: a correction that changes nothing (a
    resend) writes nothing.
    """
    require_writer(actor, event.person.household.village)
    reason = _reason(reason)
    unknown = sorted(set(changes) - set(CORRECTABLE))
    if unknown:
        raise ServiceError(Code.INVALID_FIELD, field=unknown[0], detail=unknown[0])
    for name in ("kind", "date"):
        if name in changes and changes[name] is None:
            raise ServiceError(Code.INVALID_FIELD, field=name, detail="null")
    person, others, current = _locked_event(event)
    before = event_facts(current)
    kind = changes.get("kind", current.kind)
    _choice(kind, EVENT_KINDS, "kind")
    values: dict[str, Any] = {name: getattr(current, name) for name in CORRECTABLE}
    values.update(changes)
    for field in EVENT_DETAILS:
        if field in KIND_DETAILS[kind]:
            continue
        if field in changes and changes[field] not in (None, ""):
            raise ServiceError(
                Code.EVENT_DETAIL_NOT_OF_KIND, field=field, kind=EventKind(kind).label
            )
        values[field] = _empty(field)
    values["country"] = _check_event(
        kind, values["country"] or "", values["purpose"] or "", values["moved_to"]
    )
    values["destination"] = (values["destination"] or "").strip()
    values["purpose"] = values["purpose"] or ""
    values["note"] = values["note"] or ""
    for name, value in values.items():
        setattr(current, name, value)
    after = event_facts(current)
    if after == before:
        return current, False
    validate_history([*others, current], person.birth_year, today())
    current.save()
    rewrite_spans(person, [*others, current])
    _log_correction(person, before, current)
    _keep_correction(actor, person, current.pk, before, after, reason)
    # The figures change from the earlier of the old and the new date.
    _announce(
        [person.household.village_id],
        min(dt.date.fromisoformat(before["date"]), current.date),
        fed=True,
    )
    return current, True


def _keep_correction(
    actor: User | None,
    person: Person,
    event_id: uuid.UUID,
    before: dict[str, Any],
    after: dict[str, Any] | None,
    reason: str,
) -> EventCorrection:
    """The person's history of corrections and the audit log, for a correction (``after``)
    or a removal (``after`` is None) alike."""
    removed = after is None
    audit(
        actor,
        AuditLog.Action.DELETE if removed else AuditLog.Action.UPDATE,
        "migration_event",
        event_id,
        person=str(person.pk),
        before=before,
        after=after,
        reason=reason,
    )
    return EventCorrection.objects.create(
        person=person,
        event_id=event_id,
        action=EventCorrection.Action.REMOVED if removed else EventCorrection.Action.CORRECTED,
        before=before,
        after=after,
        reason=reason,
        by=actor,
    )


@transaction.atomic
def do_delete_event(*, actor: User | None, event: MigrationEvent, reason: str) -> EventCorrection:
    """Remove an event recorded in error, with a reason, if the remaining history is still
    possible. Its facts stay in the person's history of corrections."""
    require_writer(actor, event.person.household.village)
    reason = _reason(reason)
    person, remaining, current = _locked_event(event)
    validate_history(remaining, person.birth_year, today())
    before = event_facts(current)
    correction = _keep_correction(actor, person, current.pk, before, None, reason)
    date = current.date
    current.delete()
    rewrite_spans(person, remaining)
    _log_correction(person, before, None)
    _announce([person.household.village_id], date, fed=True)
    return correction


def _log_correction(person: Person, before: dict[str, Any], current: MigrationEvent | None) -> None:
    """The change feed's rows of a corrected (``current``) or deleted (None) event."""
    log_event(person, -1, before["kind"], before["country"], dt.date.fromisoformat(before["date"]))
    if current is not None:
        log_event(person, 1, current.kind, current.country, current.date)


def _insert(obj: M) -> M:
    obj.save(force_insert=True)
    return obj


def run_in_one_transaction(work: Callable[[], Any]) -> Any:
    """Run a batch of service calls all-or-nothing (imports use this)."""
    with transaction.atomic():
        return work()
