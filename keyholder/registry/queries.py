"""SQL-heavy reads of the registry in one place: statuses for many persons at once."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from keyholder.core.errors import Code, ServiceError
from keyholder.places.models import Place, subtree_q
from keyholder.registry.models import EventKind, Household, MigrationEvent, Person
from keyholder.registry.status import (
    KIND_ORDER,
    HouseholdStatus,
    State,
    Status,
    household_status,
    replay,
    sort_key,
)


def events_by_person(person_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[MigrationEvent]]:
    grouped: dict[uuid.UUID, list[MigrationEvent]] = defaultdict(list)
    ids = list(person_ids)
    # Chunk the IN list: SQLite limits the number of parameters of one query.
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        chunk_events = (
            MigrationEvent.objects.filter(person_id__in=chunk)
            .select_related("moved_to")
            .order_by("date")
        )
        for event in chunk_events:
            grouped[event.person_id].append(event)
    return grouped


def statuses_on(persons: Iterable[Person], on: dt.date) -> dict[uuid.UUID, Status]:
    """The status of each person on a date, with one query for all their events."""
    people = list(persons)
    events = events_by_person(p.pk for p in people)
    return {p.pk: replay(events.get(p.pk, []), p.birth_year, on=on) for p in people}


def household_statuses_on(
    persons: QuerySet[Person] | Iterable[Person], on: dt.date
) -> dict[uuid.UUID, HouseholdStatus]:
    people = list(persons)
    statuses = statuses_on(people, on)
    by_household: dict[uuid.UUID, list[Status]] = defaultdict(list)
    for person in people:
        by_household[person.household_id].append(statuses[person.pk])
    return {hid: household_status(sts) for hid, sts in by_household.items()}


@dataclass(frozen=True)
class PersonOnDate:
    """A person with their status on a date: what the API answers about a person."""

    person: Person
    on: dt.date
    status: Status


def persons_on(persons: Iterable[Person], on: dt.date) -> list[PersonOnDate]:
    """Each person with their status on a date, with one events query for them all."""
    people = list(persons)
    statuses = statuses_on(people, on)
    return [PersonOnDate(person, on, statuses[person.pk]) for person in people]


@dataclass(frozen=True)
class HouseholdOnDate:
    """A household with its members and its status on a date, which follows from theirs."""

    household: Household
    on: dt.date
    members: list[PersonOnDate]
    status: HouseholdStatus


def household_on(household: Household, members: Iterable[Person], on: dt.date) -> HouseholdOnDate:
    """The household with its members' statuses on a date, with one events query."""
    people = persons_on(members, on)
    return HouseholdOnDate(household, on, people, household_status(p.status for p in people))


def last_kind_order() -> Case:
    """The same-day order of ``status.KIND_ORDER``, as SQL."""
    return Case(
        *(When(kind=kind, then=Value(order)) for kind, order in KIND_ORDER.items()),
        default=Value(len(KIND_ORDER)),
        output_field=IntegerField(),
    )


def abroad_on(persons: QuerySet[Person], on: dt.date) -> QuerySet[Person]:
    """The persons abroad on a date, computed in the database.

    It agrees with ``status.replay``: a person is abroad exactly when their last event up to
    that date, other than an entry ban (which never moves anyone), is a departure. Every other
    kind (return, deportation, move, leaving, death, birth, joining) ends or precludes a stay.
    """
    return persons.annotate(last_kind=last_kind_on(on)).filter(last_kind=EventKind.DEPARTED)


@dataclass(frozen=True)
class PlaceCounts:
    households: int = 0
    abroad: int = 0


def counts_by_child(
    households: QuerySet[Household],
    persons: QuerySet[Person],
    place: Place,
    children: Iterable[Place],
    on: dt.date,
) -> tuple[PlaceCounts, dict[int, PlaceCounts]]:
    """Households and residents abroad under ``place`` and under each child, in three queries.

    The querysets come scoped from ``access.py``, so the counts cover only the user's area.
    """
    # Group by village id (an indexed join) rather than by path prefix (a LIKE that SQLite
    # cannot serve from an index), then fold villages into children by their paths.
    paths = dict(Place.objects.filter(subtree_q(place)).values_list("pk", "path"))
    village_ids = list(paths)
    per_village_households = {
        paths[village_id]: n
        for village_id, n in households.filter(village_id__in=village_ids)
        .order_by()
        .values_list("village_id")
        .annotate(n=Count("pk"))
        .values_list("village_id", "n")
    }
    per_village_abroad = {
        paths[village_id]: n
        for village_id, n in abroad_on(persons.filter(household__village_id__in=village_ids), on)
        .order_by()
        .values_list("household__village_id")
        .annotate(n=Count("pk"))
        .values_list("household__village_id", "n")
    }

    def total(prefix: str) -> PlaceCounts:
        def inside(path: str) -> bool:
            return path == prefix or path.startswith(prefix + "/")

        return PlaceCounts(
            households=sum(n for p, n in per_village_households.items() if inside(p)),
            abroad=sum(n for p, n in per_village_abroad.items() if inside(p)),
        )

    return total(place.path), {child.pk: total(child.path) for child in children}


@dataclass
class MemberRow:
    person: Person
    status: Status
    events: list[MigrationEvent]


@dataclass
class HouseholdRow:
    household: Household
    members: list[MemberRow]
    status: HouseholdStatus


def household_rows(
    households: Iterable[Household], persons: Iterable[Person], on: dt.date
) -> list[HouseholdRow]:
    """Each household with its members, their events and status on a date: one events query."""
    people = list(persons)
    events = events_by_person(p.pk for p in people)
    members: dict[uuid.UUID, list[MemberRow]] = defaultdict(list)
    for person in people:
        history = sorted(events.get(person.pk, []), key=sort_key)
        status = replay(history, person.birth_year, on=on)
        members[person.household_id].append(MemberRow(person, status, history))
    return [
        HouseholdRow(h, members[h.pk], household_status(m.status for m in members[h.pk]))
        for h in households
    ]


def last_kind_on(on: dt.date) -> Subquery:
    """Per person (as a subquery on ``pk``): the kind of their last event up to ``on``, other
    than an entry ban (which moves nobody), in the same-day order of ``status.KIND_ORDER``."""
    return Subquery(
        MigrationEvent.objects.filter(person=OuterRef("pk"), date__lte=on)
        .exclude(kind=EventKind.ENTRY_BAN)
        .annotate(same_day_order=last_kind_order())
        .order_by("-date", "-same_day_order")
        .values("kind")[:1]
    )


# States that the last event (other than a ban) decides alone: a stay abroad, a move, leaving
# and death last until another event, and entry bans change none of them.
DECIDED_BY_LAST_KIND = {
    State.ABROAD: EventKind.DEPARTED,
    State.MOVED: EventKind.MOVED,
    State.LEFT: EventKind.LEFT,
    State.DEAD: EventKind.DIED,
}
# Last kinds after which a person lives in the village (no event at all counts too): present,
# returned or deported, or banned when an entry ban holds.
IN_VILLAGE_KINDS = (EventKind.RETURNED, EventKind.DEPORTED, EventKind.BORN, EventKind.JOINED)


def _candidates(state: str, on: dt.date) -> Q:
    """Persons (annotated with ``last_kind``) who may be in ``state``: a superset that
    ``status.replay`` then decides, since bans and their ends need the whole history."""
    # An uncorrelated IN: a correlated EXISTS here lets SQLite pick the (kind, date) index and
    # scan every ban once per person.
    banned_once = Q(
        pk__in=MigrationEvent.objects.filter(kind=EventKind.ENTRY_BAN, date__lte=on).values(
            "person_id"
        )
    )
    in_village = Q(last_kind__in=IN_VILLAGE_KINDS) | Q(last_kind__isnull=True)
    if state == State.DEPORTED:
        return Q(last_kind=EventKind.DEPORTED)
    if state == State.RETURNED:
        return Q(last_kind=EventKind.RETURNED) | (in_village & banned_once)
    if state == State.BANNED:
        return in_village & banned_once
    if state == State.PRESENT:
        return Q(last_kind__in=(EventKind.BORN, EventKind.JOINED)) | Q(last_kind__isnull=True)
    if state == State.NOT_YET:
        return Q(last_kind__isnull=True) & Q(
            Exists(MigrationEvent.objects.filter(person=OuterRef("pk")))
        )
    raise ServiceError(Code.INVALID_FIELD, field="status", detail=state)


@dataclass(slots=True)
class _Event:
    """The attributes of an event that a status needs, without building model instances."""

    kind: str
    date: dt.date
    country: str
    destination: str
    until: dt.date | None


def _event_tuples(person_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[_Event]]:
    grouped: dict[uuid.UUID, list[_Event]] = defaultdict(list)
    columns = ("person_id", "kind", "date", "country", "destination", "until")
    # Chunk the IN list: SQLite limits the number of parameters of one query.
    for start in range(0, len(person_ids), 900):
        chunk = person_ids[start : start + 900]
        rows = MigrationEvent.objects.filter(person_id__in=chunk).values_list(*columns)
        for person_id, *values in rows:
            grouped[person_id].append(_Event(*values))
    return grouped


def persons_in_state(
    persons: QuerySet[Person], state: str, on: dt.date, fields: Sequence[str]
) -> list[tuple[Any, ...]]:
    """The ``fields`` values (ending with the primary key) of the persons in ``state`` on
    ``on``, for lists filtered by status.

    SQL picks the last event of each person; where that alone decides the state (abroad,
    moved, left, dead) the answer is one query. Otherwise ``status.replay`` decides among the
    candidates, whose events are read in chunks of ids.
    """
    if not fields or fields[-1] not in ("pk", "id"):
        raise ValueError("the fields must end with the primary key")
    annotated = persons.order_by().annotate(last_kind=last_kind_on(on))
    decisive = DECIDED_BY_LAST_KIND.get(state)
    if decisive is not None:
        return list(annotated.filter(last_kind=decisive).values_list(*fields))
    has_events = Exists(MigrationEvent.objects.filter(person=OuterRef("pk")))
    rows = list(
        annotated.filter(_candidates(state, on))
        .annotate(has_events=has_events)
        .values_list(*fields, "birth_year", "has_events")
    )
    # Persons without any event are present since birth: no replay needed.
    events = _event_tuples([row[-3] for row in rows if row[-1]])
    matching = []
    for *values, birth_year, _has_events in rows:
        if replay(events.get(values[-1], []), birth_year, on=on).state == state:
            matching.append(tuple(values))
    return matching
