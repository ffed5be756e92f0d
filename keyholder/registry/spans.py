"""Status spans: a person's status on every date, cut where it changes, kept in a table.

Events are the truth; spans are an index of them. ``spans_of`` turns a history into the
stretches of time over which ``status.replay`` gives one answer, so that "who is abroad on
this date in this district" is a range query (``valid_from <= d < valid_until``) instead of a
replay of everyone. The services rewrite a person's spans in the same transaction as the event
(``rewrite_spans``); bulk writers (the sample generator, the bench, import) add them with
``SpanWriter``; ``rebuild_village`` makes a village's spans again from its events, and
``differences`` compares what is stored with a replay (``keyholder rebuild_spans`` and
``keyholder check_spans``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from keyholder.core.bulk import RowWriter
from keyholder.core.errors import ServiceError
from keyholder.registry.models import (
    EventChange,
    MigrationEvent,
    Person,
    SpanChange,
    StatusSpan,
)
from keyholder.registry.status import (
    State,
    Status,
    apply,
    initial_status,
    sort_key,
)

# The first span of every person starts here: before any event a person already has a status
# (present since birth, or not yet a member).
SPAN_START = dt.date(1, 1, 1)
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Span:
    valid_from: dt.date
    valid_until: dt.date | None
    status: Status


def spans_of(events: Iterable[Any], birth_year: int) -> list[Span]:
    """The spans of one history: on each date d, the span holding d carries exactly
    ``status.replay(events, birth_year, on=d)``. Raises ``ServiceError`` on an impossible
    history, as ``replay`` does."""
    ordered = sorted(events, key=sort_key)
    status = initial_status(ordered, birth_year)
    birth_start = dt.date(birth_year, 1, 1)
    # The status after the last event of each day: an earlier one of that day is never seen.
    points: list[tuple[dt.date, Status]] = [(SPAN_START, status)]
    for index, event in enumerate(ordered):
        status = apply(status, event, index, birth_start)
        if points[-1][0] == event.date:
            points[-1] = (event.date, status)
        else:
            points.append((event.date, status))
    spans: list[Span] = []
    for index, (start, status) in enumerate(points):
        end = points[index + 1][0] if index + 1 < len(points) else None
        ban_until = status.ban_until
        # A ban runs through its last day; after it a banned person is back home, same since.
        if status.state == State.BANNED and ban_until is not None:
            expiry = ban_until + ONE_DAY
            if end is None or end > expiry:
                _add(spans, Span(start, expiry, status))
                _add(spans, Span(expiry, end, Status(State.RETURNED, since=status.since)))
                continue
        _add(spans, Span(start, end, status))
    return spans


def _add(spans: list[Span], span: Span) -> None:
    # Two stretches with one answer are one span.
    if spans and spans[-1].status == span.status and spans[-1].valid_until == span.valid_from:
        spans[-1] = Span(spans[-1].valid_from, span.valid_until, span.status)
    else:
        spans.append(span)


# The columns of a span that make the status it holds, in ``status_from``'s order.
STATUS_COLUMNS = ("state", "since", "country", "destination", "ban_until", "ban_country")


def status_from(
    state: str,
    since: dt.date | None,
    country: str,
    destination: str,
    ban_until: dt.date | None,
    ban_country: str,
) -> Status:
    """The status a span holds, from its ``STATUS_COLUMNS`` (read as values, no model)."""
    return Status(
        state,
        since=since,
        country=country,
        destination=destination,
        ban_until=ban_until,
        ban_country=ban_country,
    )


def holding_on(on: dt.date, prefix: str = "") -> Q:
    """Spans that hold on a date (with ``prefix`` for a lookup through a relation)."""
    return Q(**{f"{prefix}valid_from__lte": on}) & (
        Q(**{f"{prefix}valid_until__gt": on}) | Q(**{f"{prefix}valid_until__isnull": True})
    )


def span_models(
    person_id: uuid.UUID,
    household_id: uuid.UUID,
    village_id: int,
    spans: Sequence[Span],
    sex: str,
    birth_year: int,
) -> list[StatusSpan]:
    return [
        StatusSpan(
            person_id=person_id,
            household_id=household_id,
            village_id=village_id,
            sex=sex,
            birth_year=birth_year,
            state=span.status.state,
            valid_from=span.valid_from,
            valid_until=span.valid_until,
            since=span.status.since,
            country=span.status.country,
            destination=span.status.destination,
            ban_until=span.status.ban_until,
            ban_country=span.status.ban_country,
        )
        for span in spans
    ]


def rewrite_spans(person: Person, events: Iterable[Any]) -> None:
    """Replace one person's spans by those of ``events`` (the whole history, already valid).

    Called by the services inside the transaction of the write, with the person's row locked.
    """
    spans = spans_of(events, person.birth_year)
    stored = StatusSpan.objects.filter(person_id=person.pk)
    before = list(stored.values_list(*SpanChange.FIGURE_FIELDS))
    stored.delete()
    household = person.household
    made = span_models(
        person.pk, household.pk, household.village_id, spans, person.sex, person.birth_year
    )
    StatusSpan.objects.bulk_create(made)
    log_changes(person.pk, before, [figure_key(span) for span in made])


def figure_key(span: StatusSpan) -> tuple[Any, ...]:
    """A span's fields that the figures count by (``SpanChange.FIGURE_FIELDS``)."""
    return tuple(getattr(span, name) for name in SpanChange.FIGURE_FIELDS)


def log_changes(
    person_id: uuid.UUID, before: list[tuple[Any, ...]], after: list[tuple[Any, ...]]
) -> None:
    """Write the spans removed and added (as figure keys) to the store's change feed: only
    those that differ, a span kept as it was cancels out (most of a person's history)."""
    removed, added = Counter(before), Counter(after)
    removed.subtract(after)
    added.subtract(before)
    rows = [
        SpanChange(
            person_id=person_id, sign=sign, **dict(zip(SpanChange.FIGURE_FIELDS, key, strict=True))
        )
        for sign, counts in ((-1, removed), (1, added))
        for key, count in counts.items()
        for _ in range(max(count, 0))
    ]
    if rows:
        SpanChange.objects.bulk_create(rows)


def log_event(person: Person, sign: int, kind: str, country: str, date: dt.date) -> None:
    """Write an event added (``sign`` +1) or removed (-1) to the store's change feed, in the
    write's transaction (a correction writes its old facts removed and its new added)."""
    EventChange.objects.create(
        person_id=person.pk,
        village_id=person.household.village_id,
        sign=sign,
        kind=kind,
        country=country or "",
        date=date,
    )


# Bulk writing --------------------------------------------------------------------------------

SPAN_COLUMNS = (
    "person_id",
    "household_id",
    "village_id",
    "state",
    "valid_from",
    "valid_until",
    "since",
    "country",
    "destination",
    "ban_until",
    "ban_country",
    "sex",
    "birth_year",
)


class SpanWriter:
    """Span rows inserted in bulk (``core.bulk.RowWriter``: ``COPY`` on PostgreSQL,
    ``executemany`` on SQLite): going around the ORM is what makes millions of rows take
    seconds."""

    def __init__(self) -> None:
        self.writer = RowWriter(StatusSpan, SPAN_COLUMNS)

    def add(
        self,
        person_id: uuid.UUID,
        household_id: uuid.UUID,
        village_id: int,
        spans: Sequence[Span],
        sex: str,
        birth_year: int,
    ) -> None:
        for span in spans:
            status = span.status
            self.writer.add(
                (
                    person_id,
                    household_id,
                    village_id,
                    status.state,
                    span.valid_from,
                    span.valid_until,
                    status.since,
                    status.country,
                    status.destination,
                    status.ban_until,
                    status.ban_country,
                    sex,
                    birth_year,
                )
            )

    def add_history(
        self,
        person_id: uuid.UUID,
        household_id: uuid.UUID,
        village_id: int,
        sex: str,
        birth_year: int,
        events: Sequence[Any],
    ) -> None:
        spans = spans_of(events, birth_year)
        self.add(person_id, household_id, village_id, spans, sex, birth_year)

    def __len__(self) -> int:
        """The spans added and not yet written."""
        return len(self.writer.rows)

    def flush(self) -> int:
        return self.writer.flush()


@dataclass(slots=True)
class EventRow:
    """The attributes of an event that a status needs, without building model instances."""

    kind: str
    date: dt.date
    country: str
    destination: str
    until: dt.date | None


EVENT_COLUMNS = ("person_id", "kind", "date", "country", "destination", "until")


def village_histories(
    village_id: int,
) -> tuple[list[tuple[uuid.UUID, uuid.UUID, str, int]], dict[uuid.UUID, list[EventRow]]]:
    """The persons of a village (id, household, sex, birth year) and their events: two
    queries."""
    persons = list(
        Person.objects.filter(household__village_id=village_id)
        .order_by()
        .values_list("pk", "household_id", "sex", "birth_year")
    )
    events: dict[uuid.UUID, list[EventRow]] = defaultdict(list)
    ids = [person[0] for person in persons]
    # By chunks of person ids on the (person, date) index: a join from the village lets
    # PostgreSQL scan every event of the country once per village.
    for start in range(0, len(ids), 900):
        for person_id, *values in (
            MigrationEvent.objects.filter(person_id__in=ids[start : start + 900])
            .order_by()
            .values_list(*EVENT_COLUMNS)
        ):
            events[person_id].append(EventRow(*values))
    return persons, events


def rebuild_village(village_id: int) -> int:
    """Make a village's spans again from its events, in one transaction (its own, or a
    savepoint of the caller's); returns the number of persons.

    The village's persons are locked first (on PostgreSQL; SQLite has one writer at a time),
    as the services lock a person before writing their events: an event recorded meanwhile
    waits for this transaction, then rewrites its person's spans, instead of being lost from
    spans made from the history read before it.
    """
    with transaction.atomic():
        if connection.features.has_select_for_update:
            list(
                Person.objects.filter(household__village_id=village_id)
                .select_for_update(of=("self",))
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        persons, events = village_histories(village_id)
        StatusSpan.objects.filter(village_id=village_id).delete()
        writer = SpanWriter()
        for person_id, household_id, sex, birth_year in persons:
            writer.add_history(
                person_id, household_id, village_id, sex, birth_year, events.get(person_id, [])
            )
        writer.flush()
    return len(persons)


SPAN_FIELDS = (
    "person_id",
    "household_id",
    "valid_from",
    "valid_until",
    "state",
    "since",
    "country",
    "destination",
    "ban_until",
    "ban_country",
    "sex",
    "birth_year",
)


def differences(village_id: int) -> list[uuid.UUID]:
    """The persons of a village whose stored spans differ from a replay of their events (or
    who have an impossible history), in id order."""
    persons, events = village_histories(village_id)
    stored: dict[uuid.UUID, list[tuple[Any, ...]]] = defaultdict(list)
    for row in (
        StatusSpan.objects.filter(village_id=village_id)
        .order_by("person_id", "valid_from")
        .values_list(*SPAN_FIELDS)
    ):
        stored[row[0]].append(row[1:])
    different: list[uuid.UUID] = []
    for person_id, household_id, sex, birth_year in persons:
        try:
            spans = spans_of(events.get(person_id, []), birth_year)
        except ServiceError:  # an impossible history has no spans that could be right
            different.append(person_id)
            continue
        expected = [
            (
                household_id,
                s.valid_from,
                s.valid_until,
                s.status.state,
                s.status.since,
                s.status.country,
                s.status.destination,
                s.status.ban_until,
                s.status.ban_country,
                sex,
                birth_year,
            )
            for s in spans
        ]
        if stored.pop(person_id, []) != expected:
            different.append(person_id)
    # Spans left over belong to persons who are no longer in this village.
    different.extend(stored)
    return sorted(different)
