"""SQL-heavy reads of the registry in one place: statuses for many persons at once."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet

from keyholder.registry.models import MigrationEvent, Person
from keyholder.registry.status import HouseholdStatus, Status, household_status, replay


def events_by_person(person_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[MigrationEvent]]:
    grouped: dict[uuid.UUID, list[MigrationEvent]] = defaultdict(list)
    ids = list(person_ids)
    # Chunk the IN list: SQLite limits the number of parameters of one query.
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        for event in MigrationEvent.objects.filter(person_id__in=chunk).order_by("date"):
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
