"""SQL-heavy reads of the registry in one place: statuses for many persons at once.

Every status is read from the status spans (``spans.py``): one person's on a date, lists and
counts by state, households, the place pages. No read replays events.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections
from django.db.models import (
    Case,
    Count,
    Exists,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    UUIDField,
    Value,
    When,
)

from keyholder.core.errors import Code, ServiceError
from keyholder.places.models import DISTRICT_DEPTH, Place, district_code, subtree_q
from keyholder.registry.models import (
    EventCorrection,
    EventKind,
    Household,
    MigrationEvent,
    Person,
    StatusSpan,
)
from keyholder.registry.spans import STATUS_COLUMNS, holding_on, status_from
from keyholder.registry.status import (
    KIND_ORDER,
    HouseholdStatus,
    State,
    Status,
    household_status,
    replay,
    sort_key,
)

logger = logging.getLogger(__name__)


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
    """The status of each person on a date: their spans holding that day, one indexed lookup
    per chunk of persons (``span_person``)."""
    people = list(persons)
    found: dict[uuid.UUID, Status] = {}
    ids = [p.pk for p in people]
    # Chunk the IN list: SQLite limits the number of parameters of one query.
    for start in range(0, len(ids), 900):
        # Values, not models: a village page's 3,886 span objects were a sixth of it.
        rows = (
            StatusSpan.objects.filter(holding_on(on), person_id__in=ids[start : start + 900])
            .order_by()
            .values_list("person_id", *STATUS_COLUMNS)
        )
        found.update((row[0], status_from(*row[1:])) for row in rows)
    missing = [p for p in people if p.pk not in found]
    if missing:
        # Every person has spans (the services write them with the person); none means the
        # table was not rebuilt after a migration. Answer from the events, and say so.
        logger.warning("%d persons without status spans: run keyholder rebuild_spans", len(missing))
        events = events_by_person(p.pk for p in missing)
        found.update((p.pk, replay(events.get(p.pk, []), p.birth_year, on=on)) for p in missing)
    return found


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


def villages_under(place: Place) -> QuerySet[Place, Any]:
    """The ids of ``place`` and of every place inside it, as a subquery: spans carry their
    village, so a place filter on spans is an indexed ``village_id IN (...)``, never a path
    ``LIKE`` joined row by row."""
    return Place.objects.filter(subtree_q(place)).values("pk")


def spans_in(
    spans: QuerySet[StatusSpan], *, state: str | None = None, place: Place | None = None
) -> QuerySet[StatusSpan]:
    """The spans of ``spans`` in ``state`` and under ``place`` when given, on any date: a date
    is two ranges of them (``holding_parts``: ``count_on``, ``persons_holding``)."""
    if state is not None and state not in State.ALL:
        raise ServiceError(Code.INVALID_FIELD, field="status", detail=state)
    if state is not None:
        spans = spans.filter(state=state)
    # The country holds every village: no filter, and the range is on ``span_state_end``.
    if place is not None and place.parent_id is not None:
        spans = spans.filter(village_id__in=villages_under(place))
    return spans.order_by()


def holding_parts(on: dt.date) -> tuple[Q, Q]:
    """``holding_on`` as two disjoint ranges of the end-first indexes (``span_state_end``,
    ``span_village_state_end``): the open spans begun by ``on``, and those begun by then
    that end after it. As one condition (``valid_until`` null or later) no index range
    holds it, and a count by state read the state's whole history."""
    return (
        Q(valid_until__isnull=True, valid_from__lte=on),
        Q(valid_until__gt=on, valid_from__lte=on),
    )


def persons_holding(spans: QuerySet[StatusSpan], on: dt.date) -> QuerySet[StatusSpan, Any]:
    """The person ids of ``spans`` (from ``spans_in``) holding on ``on``, for ``pk__in``: the
    two ranges of ``holding_parts`` as one ``UNION ALL``. With the condition as one ``OR``,
    SQLite read it as two index lookups, the open spans' one on the country's index and
    their village checked row by row in the table."""
    first, second = (spans.filter(part).values("person_id") for part in holding_parts(on))
    return first.union(second, all=True)


def count_on(spans: QuerySet[StatusSpan], on: dt.date) -> int:
    """How many of ``spans`` (from ``spans_in``, with one state) hold on ``on``: persons,
    since one person holds one span on a date. Two counts, each one index range, in one
    query."""
    return counts_on({None: spans}, on)[None]


def counts_on(spans: dict[Any, QuerySet[StatusSpan]], on: dt.date) -> dict[Any, int]:
    """``count_on`` of each queryset of ``spans``, all in one query: one column per key, the
    sum of the two ranges' counts."""
    columns: list[str] = []
    params: list[Any] = []
    for queryset in spans.values():
        counts = []
        for part in holding_parts(on):
            # A constant, not the id: on PostgreSQL the count stays an index-only scan.
            query = queryset.filter(part).order_by().annotate(one=Value(1)).values("one")
            sql, part_params = query.query.sql_with_params()
            counts.append(f"(SELECT COUNT(*) FROM ({sql}) AS part)")
            params.extend(part_params)
        columns.append(" + ".join(counts))
    with connections[next(iter(spans.values())).db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(columns), params)
        row = cursor.fetchone()
    return dict(zip(spans, row, strict=True))


def estimated_rows(model: type[Person] | type[Household]) -> int:
    """About how many rows ``model``'s table holds, without counting them: the planner's
    statistics on PostgreSQL, the largest rowid on SQLite. Only a plan depends on it."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A table never analysed has no estimate (-1, or 0): then it is counted.
            name = connection.ops.quote_name(table)
            cursor.execute(
                "SELECT CASE WHEN reltuples > 0 THEN reltuples::bigint"
                f" ELSE (SELECT COUNT(*) FROM {name}) END"
                " FROM pg_class WHERE oid = %s::regclass",
                [table],
            )
            row = cursor.fetchone()
            return int(row[0]) if row else 0
        cursor.execute(f"SELECT max(rowid) FROM {connection.ops.quote_name(table)}")
        row = cursor.fetchone()
        return int(row[0] or 0) if row else 0


# Probing one person's span while walking the name index costs about as much as this many
# rows of a sort (measured on the Asht sample, both databases).
PROBE_COST = 3


def walks_names(count: int, limit: int, population: int) -> bool:
    """Whether a page of ``limit`` persons out of ``count`` matching among about
    ``population`` is cheaper walked in name order, probing each person's span (about
    ``limit * population / count`` probes), than sorted from the matching spans (``count``
    rows)."""
    return count > 0 and (limit + 1) * population * PROBE_COST < count * count


# On SQLite a third plan walks the name index too, but checks each person against the list of
# matching ids, made once from the covering span index, instead of probing each person's
# spans in the table: on the national bench a district's 206,134 present took 2.4 s this way
# and 10 to 12 s probing (4,900 probes); the country's 1,331,805 abroad 6.8 s this way and
# 0.7 s probing (760 probes). Below ``LIST_COST`` probes per listed id the list is cheaper.
LIST_COST = 300


# A list under a place that holds a small part of the persons its walk reads (under
# ``SMALL_SHARE`` of their households: a jamoat or village of its district, a small region of
# the country) sorts its matching persons when there are at most this many, whatever ``walks_names``
# says. Its estimate of a walk assumes the place's persons spread evenly through the name
# index, and family names cluster by village: on the scale-0.1 bench a district's 21,009
# present (of 984,309 persons) walked 101,271 persons of the country's index before a page was
# found (PostgreSQL: 0.19 s), not the 2,400 expected; sorting them took 0.08 s (SQLite:
# 0.04 s). Sorting is about 4 to 9 µs a row on PostgreSQL, so up to this many it stays well
# under the 0.2 s a list may take. A district's own list walks its own names
# (``person_district_names``), where every person is the district's.
SORT_ROWS = 25_000
SMALL_SHARE = 0.5

# On PostgreSQL a sorted page reads its matching ids first when there are at most this many:
# each is a parameter of the page's query (psycopg takes at most 65,535).
LISTED_IDS = 50_000


@dataclass(frozen=True)
class Walk:
    """Which persons a page of a place's list walks in name order: a place in a district
    walks the district's (``Person.district``), the country and a region the registry's.
    ``share``: the place's part of the households walked; ``persons``: about how many are
    walked."""

    district: int | None
    share: float
    persons: int


def walk_for(place: Place | None) -> Walk:
    """The ``Walk`` of a list under ``place`` (None: the whole registry): index-only counts
    of households, and the tables' estimated sizes."""
    registry = estimated_rows(Person)
    if place is None or place.parent_id is None:
        return Walk(None, 1.0, registry)
    households = estimated_rows(Household)
    mine = households_under(place)
    code = district_code(place)
    district = place if code == place.code else Place.objects.filter(code=code).first()
    if code is None or district is None:
        # A region: the registry's names, of which it holds a part.
        return Walk(None, mine / households if households else 1.0, registry)
    walked = mine if district is place else households_under(district)
    persons = round(registry * walked / households) if households else registry
    return Walk(district.pk, mine / walked if walked else 1.0, persons)


def households_under(place: Place) -> int:
    """The households of ``place``'s villages: an index-only count."""
    return Household.objects.filter(village_id__in=villages_under(place)).count()


class Unindexed(Func):
    """A column as an expression that no index serves (SQLite's unary ``+``): ``pk IN (...)``
    over it is checked row by row while the name index is walked, not looked up by key and
    sorted."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="+%(expressions)s", **extra)


def persons_in_state(
    persons: QuerySet[Person],
    spans: QuerySet[StatusSpan],
    on: dt.date,
    limit: int,
    *,
    place: Place | None = None,
) -> tuple[QuerySet[Person], int]:
    """The persons of ``persons`` who have one of ``spans`` (from ``spans_in``, with a
    state) holding on ``on``, and their number, counted on the spans alone (``count_on``).

    For a page in name order three plans answer the same rows: a common state (``present``
    in the country) walks the person name index and probes each one's span, stopping after
    a page; a rare one (``deported``) reads its few spans and sorts their persons; between
    them, on SQLite, the name index is walked against the list of matching ids (see
    ``LIST_COST``). The count says which is cheaper. ``place``: the place the spans are
    under, whose persons may bunch in name order (see ``SORT_ROWS``).
    """
    count = count_on(spans, on)
    walk = walk_for(place)
    if walk.district is not None:
        # The walk reads the district's names, not the country's.
        persons = persons.filter(district_id=walk.district)
    # A small place's few matches are sorted, bunched as they may be in the names walked.
    sorts = count <= SORT_ROWS and walk.share < SMALL_SHARE
    population = walk.persons
    if sorts or not walks_names(count, limit, population):
        holding: Any = persons_holding(spans, on)
        if connection.vendor == "postgresql" and count <= LISTED_IDS:
            # The ids first, then their persons: PostgreSQL guesses 200 persons from the
            # subquery's union (or 118,694 for the country's 18,628 banned) and joins their
            # households by scanning all of them; given the ids, it looks each one up
            # (national bench: 0.65 s, then 0.08 s for the ids and 0.17 s for the page).
            holding = [row["person_id"] for row in holding]
        return persons.filter(pk__in=holding), count
    if connection.vendor == "sqlite" and count * count < (limit + 1) * population * LIST_COST:
        listed = persons.alias(listed=Unindexed("pk", output_field=UUIDField()))
        return listed.filter(listed__in=persons_holding(spans, on)), count
    holding = spans.filter(holding_on(on), person_id=OuterRef("pk"))
    return persons.filter(Exists(holding)), count


def persons_under(persons: QuerySet[Person], place: Place) -> QuerySet[Person]:
    """``persons`` of the households under ``place``: for a district, one range of its name
    index (``Person.district``); under it, its villages' households' persons (a jamoat's
    19,000 of a district's 262,000 at national scale: filtered by the district too, a page
    walked the district's names checking each one's household, 0.45 s a page)."""
    if place.depth == DISTRICT_DEPTH:
        return persons.filter(district_id=place.pk)
    return persons.filter(household__village_id__in=villages_under(place))


def count_states(
    place: Place, on: dt.date, spans: QuerySet[StatusSpan] | None = None
) -> dict[str, int]:
    """Persons under ``place`` by their state on ``on`` (all spans, or the scoped ``spans``):
    two index ranges per state, all in one query (``counts_on``); one count grouped by
    state read every span of the place, 28 M for the country."""
    scoped = StatusSpan.objects.all() if spans is None else spans
    by_state = {state: spans_in(scoped, state=state, place=place) for state in State.ALL}
    counts = counts_on(by_state, on)
    return {state: n for state, n in counts.items() if n}


@dataclass(frozen=True)
class PlaceCounts:
    households: int = 0
    abroad: int = 0


def counts_by_child(
    households: QuerySet[Household],
    spans: QuerySet[StatusSpan],
    place: Place,
    children: Iterable[Place],
    on: dt.date,
) -> tuple[PlaceCounts, dict[int, PlaceCounts]]:
    """Households and residents abroad under ``place`` and under each child, in three queries.

    The querysets come scoped from ``access.py``, so the counts cover only the user's area.
    """
    # Group by village id (an indexed range on households and on the spans' covering index)
    # rather than by path prefix (a LIKE that no index serves), then fold villages into
    # children by their paths.
    paths = dict(Place.objects.filter(subtree_q(place)).values_list("pk", "path"))
    per_village_households = {
        paths[village_id]: n
        for village_id, n in households.filter(village_id__in=villages_under(place))
        .order_by()
        .values_list("village_id")
        .annotate(n=Count("pk"))
        .values_list("village_id", "n")
    }
    # Abroad by village: the two ranges of ``holding_parts``, each grouped by village.
    per_village_abroad: dict[str, int] = defaultdict(int)
    abroad = spans_in(spans, state=State.ABROAD, place=place)
    for part in holding_parts(on):
        for village_id, n in (
            abroad.filter(part)
            .values_list("village_id")
            .annotate(n=Count("person_id"))
            .values_list("village_id", "n")
        ):
            per_village_abroad[paths[village_id]] += n

    def total(prefix: str) -> PlaceCounts:
        def inside(path: str) -> bool:
            return path == prefix or path.startswith(prefix + "/")

        return PlaceCounts(
            households=sum(n for p, n in per_village_households.items() if inside(p)),
            abroad=sum(n for p, n in per_village_abroad.items() if inside(p)),
        )

    return total(place.path), {child.pk: total(child.path) for child in children}


@dataclass
class CorrectionRow:
    """A correction with the event as it was and as it became (None: removed), unsaved
    ``MigrationEvent``s made from its facts, so that pages word them as they word events."""

    correction: EventCorrection
    before: MigrationEvent
    after: MigrationEvent | None


@dataclass
class MemberRow:
    person: Person
    status: Status
    events: list[MigrationEvent]
    corrections: list[CorrectionRow] = field(default_factory=list)

    @property
    def corrected_ids(self) -> set[uuid.UUID]:
        return {row.correction.event_id for row in self.corrections}


def _event_of(facts: dict[str, Any], places: dict[str, Place]) -> MigrationEvent:
    return MigrationEvent(
        kind=facts.get("kind", ""),
        date=dt.date.fromisoformat(facts["date"]),
        country=facts.get("country") or "",
        destination=facts.get("destination") or "",
        purpose=facts.get("purpose") or "",
        until=dt.date.fromisoformat(facts["until"]) if facts.get("until") else None,
        moved_to=places.get(facts.get("moved_to") or ""),
        note=facts.get("note") or "",
    )


def corrections_by_person(person_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[CorrectionRow]]:
    """Each person's corrections, oldest first: one query (and one for the places moved to,
    only when a corrected event was a move)."""
    ids = list(person_ids)
    corrections: list[EventCorrection] = []
    for start in range(0, len(ids), 900):
        corrections.extend(
            EventCorrection.objects.filter(person_id__in=ids[start : start + 900])
            .select_related("by")
            .order_by("at", "id")
        )
    codes = {
        facts["moved_to"]
        for c in corrections
        for facts in (c.before, c.after)
        if facts and facts.get("moved_to")
    }
    places = {p.code: p for p in Place.objects.filter(code__in=codes)} if codes else {}
    grouped: dict[uuid.UUID, list[CorrectionRow]] = defaultdict(list)
    for c in corrections:
        after = _event_of(c.after, places) if c.after else None
        grouped[c.person_id].append(CorrectionRow(c, _event_of(c.before, places), after))
    return grouped


@dataclass
class HouseholdRow:
    household: Household
    members: list[MemberRow]
    status: HouseholdStatus


def household_rows(
    households: Iterable[Household],
    persons: Iterable[Person],
    on: dt.date,
    *,
    with_corrections: bool = False,
    with_history: bool = True,
) -> list[HouseholdRow]:
    """Each household with its members, their events and status on a date: one events query
    (and one for the members' corrections, which only the household page shows). Without
    ``with_history`` the members' events are not read (the village page shows statuses only:
    reading a village's 10,000 events was two fifths of its page)."""
    people = list(persons)
    events = events_by_person(p.pk for p in people) if with_history else {}
    statuses = statuses_on(people, on)
    corrections = corrections_by_person(p.pk for p in people) if with_corrections else {}
    members: dict[uuid.UUID, list[MemberRow]] = defaultdict(list)
    for person in people:
        history = sorted(events.get(person.pk, []), key=sort_key)
        status = statuses[person.pk]
        members[person.household_id].append(
            MemberRow(person, status, history, corrections.get(person.pk, []))
        )
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


# Last kinds after which a person lives in the village (no event at all counts too): present,
# returned or deported, or banned when an entry ban holds. Used by the keeping app's
# ``last_kind_on`` reads.
IN_VILLAGE_KINDS = (EventKind.RETURNED, EventKind.DEPORTED, EventKind.BORN, EventKind.JOINED)
