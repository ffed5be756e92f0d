"""Import a registry file (CSV or XLSX) of houses, households, persons and events.

The format is one flat table, one row per record, told apart by the ``record`` column; see
``docs/import-format.md``. Every write goes through the registry services, all inside one
transaction: each service call is itself ``transaction.atomic`` and therefore runs in its own
savepoint, so a refused row is rolled back alone and the checking goes on. At the end the whole
transaction is rolled back if any row was bad, or on a dry run, so a file with a bad row
changes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import DatabaseError, models, transaction

from keyholder.accounts.models import AuditLog, User
from keyholder.accounts.services import audit, audit_created
from keyholder.core import effects
from keyholder.core.bulk import insert_objects
from keyholder.core.errors import Code, ServiceError
from keyholder.core.idempotency import UNUSABLE_IDS
from keyholder.core.text import NOTE_MAX_LENGTH, check_text, normalise_notes, normalise_text
from keyholder.places.models import Place, districts_of, place_by_code
from keyholder.registry import reading, services
from keyholder.registry.matching import assign_ids, normalise_rows
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
    StatusSpan,
    TreeKind,
    write_words,
)
from keyholder.registry.reading import Row
from keyholder.registry.signals import REGISTRY_CHANGED
from keyholder.registry.spans import EVENT_COLUMNS, EventRow, SpanWriter, spans_of
from keyholder.registry.status import KIND_ORDER, validate_history

# The columns of the format, in the order the export writes them.
COLUMNS: tuple[str, ...] = (
    "record",
    "id",
    "village",
    "house_id",
    "household_id",
    "person_id",
    "street",
    "number",
    "trees",
    "garden_area_m2",
    "latitude",
    "longitude",
    "name",
    "given_name",
    "family_name",
    "sex",
    "birth_year",
    "relation",
    "phone",
    "kind",
    "date",
    "country",
    "destination",
    "purpose",
    "until",
    "moved_to",
    "notes",
    "sample",
)

RECORDS = ("house", "household", "person", "event")
MODELS: dict[str, type[models.Model]] = {
    "house": House,
    "household": Household,
    "person": Person,
    "event": MigrationEvent,
}
# Which service field names which column, for errors the services raise.
FIELD_COLUMNS = {
    "house": "house_id",
    "household": "household_id",
    "person": "person_id",
    "moved_to": "moved_to",
    "trees": "trees",
}
# Longest text each column may hold (the model's max_length), checked before writing so that
# PostgreSQL never refuses a row the checks let through.
MAX_LENGTHS = {
    "street": 200,
    "number": 32,
    "name": 200,
    "given_name": 100,
    "family_name": 100,
    "destination": 200,
    # Notes of houses, households and events (one column, "notes").
    "notes": NOTE_MAX_LENGTH,
}
MAX_INTEGER = 2**31 - 1
TRUE_WORDS = {"1", "yes", "y", "true", "t", "ha", "да", "ҳа"}
FALSE_WORDS = {"", "0", "no", "n", "false", "f", "не", "нет"}
TREE_SEPARATORS = re.compile(r"[;,\s]+")
# The choices' values, read once (``TextChoices.values`` builds its list on every call); in
# their declared order, which the refusal lists.
TREE_KINDS = tuple(TreeKind.values)
SEXES = tuple(Sex.values)
RELATIONS = tuple(Relation.values)
EVENT_KINDS = tuple(EventKind.values)
PURPOSES = tuple(Purpose.values)


SERVICES: dict[str, Callable[..., tuple[Any, bool]]] = {
    "house": services.do_create_house,
    "household": services.do_create_household,
    "person": services.do_create_person,
    "event": services.do_record_event,
}
# What each service checks of a new record before inserting it, for the bulk path.
FIELD_CHECKS: dict[str, Callable[..., Any]] = {
    "house": services.house_fields,
    "household": services.household_fields,
    "person": services.person_fields,
}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    code: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: Counter[str] = field(default_factory=Counter)
    existing: Counter[str] = field(default_factory=Counter)
    dry_run: bool = False
    # Row number -> "create" or "exists", for the rows that were not refused.
    outcomes: dict[int, str] = field(default_factory=dict)
    # Row number -> the record type the row named (as written, lower case).
    records: dict[int, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})


# Reading -------------------------------------------------------------------------------------


def read_rows(path: Path) -> tuple[list[str], list[Row]]:
    """Read the header and the rows of a CSV or XLSX file (keyholder/registry/reading.py)."""
    return reading.read_rows(path, COLUMNS)


# Parsing cells -------------------------------------------------------------------------------


class RowProblems:
    """Collects every problem of one row, so that a row with three bad cells shows three."""

    def __init__(self, row: Row) -> None:
        self.row = row
        self.errors: list[RowError] = []
        for column, error in row.problems:
            self.add(column, error)

    def add(self, column: str, error: ServiceError) -> None:
        self.errors.append(RowError(self.row.number, column, error.code, error.message))

    def text(self, column: str, *, required: bool = False) -> str:
        value = self.row.text(column)
        if required and not value:
            self.add(column, ServiceError(Code.IMPORT_REQUIRED, record=self.row.record))
        limit = MAX_LENGTHS.get(column)
        if limit is not None and len(value) > limit:
            self.add(column, ServiceError(Code.IMPORT_TOO_LONG, max=limit))
        try:
            check_text(column, value)
        except ServiceError as error:
            self.add(column, error)
        return value

    def ident(self, column: str, *, required: bool = False) -> uuid.UUID | None:
        if any(e.column == column for e in self.errors):
            # Already refused before the importer (an unknown file key, an ambiguous match).
            return None
        value = self.text(column, required=required)
        if not value:
            return None
        try:
            return uuid.UUID(value)
        except ValueError:
            self.add(column, ServiceError(Code.IMPORT_NOT_A_UUID, value=value))
            return None

    def integer(self, column: str, *, required: bool = False) -> int | None:
        value = self.text(column, required=required)
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        # Counts and areas are PostgreSQL integers: a larger number is not one of them.
        if not math.isfinite(number) or not number.is_integer() or not 0 <= number <= MAX_INTEGER:
            self.add(column, ServiceError(Code.IMPORT_NOT_A_NUMBER, value=value))
            return None
        return int(number)

    def decimal(self, column: str) -> float | None:
        value = self.text(column)
        if not value:
            return None
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            self.add(column, ServiceError(Code.IMPORT_NOT_A_NUMBER, value=value))
            return None
        return number

    def date(self, column: str, *, required: bool = False) -> dt.date | None:
        value = self.text(column, required=required)
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.add(column, ServiceError(Code.INVALID_DATE, value=value))
            return None

    def choice(self, column: str, choices: Sequence[str], *, required: bool = False) -> str:
        value = self.text(column, required=required).lower()
        if value and value not in choices:
            self.add(
                column,
                ServiceError(Code.IMPORT_NOT_A_CHOICE, value=value, choices=", ".join(choices)),
            )
        return value

    def flag(self, column: str) -> bool:
        value = self.text(column).lower()
        if value in TRUE_WORDS:
            return True
        if value not in FALSE_WORDS:
            self.add(column, ServiceError(Code.IMPORT_NOT_A_FLAG, value=value))
        return False

    def trees(self, column: str) -> dict[str, int]:
        value = self.text(column)
        trees: dict[str, int] = {}
        for part in TREE_SEPARATORS.split(value):
            if not part:
                continue
            kind, sep, count = part.replace(":", "=").partition("=")
            kind = kind.lower()
            if not sep or kind not in TREE_KINDS or not count.isdigit():
                self.add(column, ServiceError(Code.IMPORT_BAD_TREES, value=value))
                return {}
            trees[kind] = trees.get(kind, 0) + int(count)
        return trees


def error_column(record: str, error: ServiceError) -> str:
    """The column a service error is about, so the user knows which cell to fix."""
    if error.code == Code.CONFLICT_UUID:
        return "id"
    if error.field:
        return FIELD_COLUMNS.get(error.field, error.field)
    if error.code in (Code.OUT_OF_SCOPE, Code.AUTH_FORBIDDEN):
        return {"person": "household_id", "event": "person_id"}.get(record, "village")
    if error.code.startswith("history.") and error.code != Code.HISTORY_BORN_NOT_FIRST:
        return "date"
    return "kind" if record == "event" else "id"


# Importing -----------------------------------------------------------------------------------


def _event_sort_key(row: Row) -> tuple[str, str, int, int]:
    # Events of one person are written in the order they happened, so that each one is checked
    # against the history before it (the order of ``status.replay``).
    return (
        row.text("person_id").lower(),
        row.text("date"),
        KIND_ORDER.get(row.text("kind").lower(), 99),
        row.number,
    )


def ordered_rows(rows: list[Row]) -> list[Row]:
    """Parents before children, events by person and date; unknown records first (they fail)."""
    by_record: dict[str, list[Row]] = {name: [] for name in RECORDS}
    unknown: list[Row] = []
    for row in rows:
        by_record.get(row.record, unknown).append(row)
    by_record["event"].sort(key=_event_sort_key)
    return [*unknown, *(row for name in RECORDS for row in by_record[name])]


def records_of(record: str) -> models.QuerySet[Any]:
    """Records of one type with what the services read of them (the village they are in)."""
    queryset: models.QuerySet[Any] = MODELS[record]._default_manager.order_by()
    if record == "household":
        queryset = queryset.select_related("village")
    elif record == "person":
        queryset = queryset.select_related("household__village")
    return queryset


class Importer:
    """Checks and writes the rows of one file through the registry services."""

    def __init__(self, rows: list[Row], actor: User | None, *, bulk: bool = True) -> None:
        self.rows = rows
        self.actor = actor
        # False: every row through its service, one at a time (the referee of the bulk path
        # in the tests, and its "before" in the bench).
        self.bulk = bulk
        self.report = ImportReport(rows=len(rows), records={r.number: r.record for r in rows})
        # Records this import wrote or found, and rows that failed, by record type and id.
        self.done: dict[str, dict[uuid.UUID, Any]] = {name: {} for name in RECORDS}
        self.failed: dict[str, dict[uuid.UUID, int]] = {name: {} for name in RECORDS}
        self.refused_events: dict[str, int] = {}
        self.places: dict[tuple[str, bool], Place | ServiceError] = {}
        self.writable: dict[int, ServiceError | None] = {}
        # Persons created by this import: they have no events in the registry yet.
        self.fresh: set[uuid.UUID] = set()
        # Persons written in bulk, whose spans are not written yet: with their events, or
        # (those without any) at the end of ``import_events``.
        self.spanless: dict[uuid.UUID, Person] = {}
        self.bulk_persons: set[uuid.UUID] = set()
        self.today = services.today()
        self.id_counts = self._ids_in_file()
        self.file_ids = {name: set(counts) for name, counts in self.id_counts.items()}

    def _ids_in_file(self) -> dict[str, Counter[uuid.UUID]]:
        ids: dict[str, Counter[uuid.UUID]] = {name: Counter() for name in RECORDS}
        for row in self.rows:
            if row.record in ids:
                with contextlib.suppress(ValueError):
                    ids[row.record][uuid.UUID(row.text("id"))] += 1
        return ids

    def prefetch_parents(self, record: str, column: str) -> None:
        """Fetch in bulk the parents that this file refers to but does not contain."""
        wanted: set[uuid.UUID] = set()
        for row in self.rows:
            if row.record != record:
                continue
            try:
                parent_id = uuid.UUID(row.text(column))
            except ValueError:
                continue
            if parent_id not in self.file_ids[column.removesuffix("_id")]:
                wanted.add(parent_id)
        parent = column.removesuffix("_id")
        queryset = records_of(parent)
        ordered = sorted(wanted)
        # Chunks keep the number of query parameters under every database's limit.
        for start in range(0, len(ordered), 500):
            for obj in queryset.filter(pk__in=ordered[start : start + 500]):
                self.done[parent][obj.pk] = obj

    def place(self, code: str, *, village: bool) -> Place | ServiceError:
        key = (code, village)
        if key not in self.places:
            try:
                if village:
                    self.places[key] = services.village_by_code(code)
                else:
                    found = place_by_code(code)
                    self.places[key] = found or ServiceError(
                        Code.INVALID_PLACE, field="moved_to", value=code
                    )
            except ServiceError as exc:
                self.places[key] = exc
        return self.places[key]

    def parent(self, problems: RowProblems, column: str) -> Any:
        record = column.removesuffix("_id")
        parent_id = problems.ident(column, required=record != "house")
        if parent_id is None:
            return None
        if parent_id in self.done[record]:
            return self.done[record][parent_id]
        if parent_id in self.failed[record]:
            problems.add(
                column,
                ServiceError(
                    Code.IMPORT_BAD_PARENT,
                    record=record,
                    id=parent_id,
                    row=self.failed[record][parent_id],
                ),
            )
        else:
            problems.add(
                column, ServiceError(Code.IMPORT_UNKNOWN_PARENT, record=record, id=parent_id)
            )
        return None

    def village(self, problems: RowProblems, column: str = "village") -> Place | None:
        code = problems.text(column, required=True)
        if not code:
            return None
        found = self.place(code, village=column == "village")
        if isinstance(found, ServiceError):
            problems.add(column, found)
            return None
        return found

    # One method per record type: parse the cells, then call the service.

    def house(self, p: RowProblems) -> dict[str, Any]:
        # Typed loosely: the write only runs when every cell parsed, so nothing is None then.
        return {
            "village": self.village(p),
            "street": p.text("street"),
            "number": p.text("number"),
            "trees": p.trees("trees"),
            "garden_area_m2": p.integer("garden_area_m2"),
            "latitude": p.decimal("latitude"),
            "longitude": p.decimal("longitude"),
            "notes": p.text("notes"),
        }

    def household(self, p: RowProblems) -> dict[str, Any]:
        return {
            "village": self.village(p),
            "house": self.parent(p, "house_id"),
            "name": p.text("name", required=True),
            "notes": p.text("notes"),
        }

    def person(self, p: RowProblems) -> dict[str, Any]:
        return {
            "household": self.parent(p, "household_id"),
            "given_name": p.text("given_name", required=True),
            "family_name": p.text("family_name"),
            "sex": p.choice("sex", SEXES, required=True),
            "birth_year": p.integer("birth_year", required=True),
            "relation": p.choice("relation", RELATIONS) or Relation.OTHER,
            "phone": p.text("phone"),
        }

    def event(self, p: RowProblems) -> dict[str, Any]:
        return {
            "person": self.parent(p, "person_id"),
            "kind": p.choice("kind", EVENT_KINDS, required=True),
            "date": p.date("date", required=True),
            "country": p.text("country"),
            "destination": p.text("destination"),
            "purpose": p.choice("purpose", PURPOSES),
            "until": p.date("until"),
            "moved_to": self.village(p, "moved_to") if p.text("moved_to") else None,
            "note": p.text("notes"),
        }

    def run(self, progress: Callable[[int], None] | None = None) -> ImportReport:
        for record, column in (
            ("household", "house_id"),
            ("person", "household_id"),
            ("event", "person_id"),
        ):
            self.prefetch_parents(record, column)
        ordered = ordered_rows(self.rows)
        events = [row for row in ordered if row.record == "event"]
        batch = RecordBatch(self.actor)
        for row in ordered[: len(ordered) - len(events)]:
            if row.record != batch.record:
                self.flush(batch)
                batch = RecordBatch(self.actor, row.record)
            if not self.queued(row, batch):
                self.check(row)
            if progress is not None:
                progress(1)
        self.flush(batch)
        self.import_events(events, progress)
        self.report.errors.sort(
            key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else 99)
        )
        return self.report

    # Events in bulk: one person's whole history validated once, then written with the others.

    def import_events(self, rows: list[Row], progress: Callable[[int], None] | None) -> None:
        """Check and write the event rows, a person at a time (they come sorted by person).

        A person whose rows all parse, are new and make a possible history is validated once
        and written in bulk (events, spans, audit rows) at the end; any other person goes
        through ``do_record_event`` row by row, which reports each refusal as before.
        """
        seen = Counter(row.text("id").lower() for row in rows)
        existing = self.existing_ids("event")
        batch = EventBatch(self.actor)
        wanted = {row.text("person_id").lower() for row in rows}
        # Persons this import created have no events yet, and no other write can see them.
        batch.lock_and_read(
            sorted(p for p in self.done["person"] if str(p) in wanted and p not in self.fresh)
        )
        start = 0
        while start < len(rows):
            person_key = rows[start].text("person_id").lower()
            end = start
            while end < len(rows) and rows[end].text("person_id").lower() == person_key:
                end += 1
            group = rows[start:end]
            # A new person's spans come with their events: from the batch, or from
            # ``do_record_event`` row by row (or the import fails and nothing stays).
            with contextlib.suppress(ValueError):
                self.spanless.pop(uuid.UUID(person_key), None)
            if not (self.bulk and self._batched(group, seen, existing, batch)):
                for row in group:
                    self.check(row)
            if progress is not None:
                progress(len(group))
            start = end
        batch.flush(self.bulk_persons)
        self.write_first_spans(list(self.spanless.values()))
        self.spanless = {}

    def write_first_spans(self, persons: list[Person]) -> None:
        """The one span of new persons without events (present since birth, or not yet a
        member), as ``do_create_person`` writes it."""
        writer = SpanWriter()
        first: dict[int, list[Any]] = {}
        for person in persons:
            year = person.birth_year
            if year not in first:
                first[year] = spans_of([], year)
            household = person.household
            writer.add(person.pk, household.pk, household.village_id, first[year], person.sex, year)
        writer.flush()

    def existing_ids(self, record: str) -> set[uuid.UUID]:
        """The ids of this file's rows of one type that the registry already holds."""
        ids = sorted(self.file_ids[record])
        found: set[uuid.UUID] = set()
        manager = MODELS[record]._default_manager
        for start in range(0, len(ids), 500):
            found.update(
                manager.filter(pk__in=ids[start : start + 500])
                .order_by()
                .values_list("pk", flat=True)
            )
        return found

    def require_writer(self, village: Place) -> None:
        """``services.require_writer`` for an import (officers may write within their area),
        asked once per village of the file."""
        if village.pk not in self.writable:
            try:
                services.require_writer(self.actor, village, importing=True)
            except ServiceError as exc:
                self.writable[village.pk] = exc
            else:
                self.writable[village.pk] = None
        refusal = self.writable[village.pk]
        if refusal is not None:
            raise refusal

    # Houses, households and persons in bulk: a new record whose row passes every check the
    # service would make is queued and written with the others of its type.

    def queued(self, row: Row, batch: RecordBatch) -> bool:
        """Queue a row's new record for the bulk write, or say no (nothing queued): a bad
        cell, a record that exists or may (a matched row, a resend, an id twice in the
        file) and every refusal go through ``check`` and the service, as before."""
        record = row.record
        if not self.bulk or record not in FIELD_CHECKS:
            return False
        if batch.existing is None:
            batch.existing = self.existing_ids(record)
        p = RowProblems(row)
        row_id = p.ident("id", required=True)
        is_sample = p.flag("sample")
        kwargs = getattr(self, record)(p)
        if (
            p.errors
            or row_id is None
            or row.matched
            or row_id in UNUSABLE_IDS
            or row_id in batch.existing
            or self.id_counts[record][row_id] > 1
        ):
            return False
        village = kwargs["household"].village if record == "person" else kwargs["village"]
        try:
            self.require_writer(village)
            if record == "person":
                kwargs["this_year"] = self.today.year
            checked = FIELD_CHECKS[record](**kwargs)
        except ServiceError:
            return False
        fields, trees = checked if record == "house" else (checked, {})
        obj: Any = MODELS[record](id=row_id, created_by=self.actor, is_sample=is_sample, **fields)
        obj.set_search_name()
        batch.add(row, obj, trees)
        return True

    def flush(self, batch: RecordBatch) -> None:
        """Write the queued records; should the database refuse them, check each row alone
        (the refused row then reports the database's words, as ``check`` does)."""
        if not batch.queue:
            return
        try:
            with transaction.atomic():
                batch.write()
        except DatabaseError:
            for row, _obj, _trees in batch.queue:
                self.check(row)
            return
        record = batch.record
        for row, obj, _trees in batch.queue:
            self.done[record][obj.pk] = obj
            self.report.created[record] += 1
            self.report.outcomes[row.number] = "create"
            if record == "person":
                self.fresh.add(obj.pk)
                self.spanless[obj.pk] = obj
                self.bulk_persons.add(obj.pk)

    def _batched(
        self, group: list[Row], seen: Counter[str], existing: set[uuid.UUID], batch: EventBatch
    ) -> bool:
        """Queue one person's event rows for the bulk write, or say no (nothing queued)."""
        events: list[tuple[Row, MigrationEvent]] = []
        for row in group:
            p = RowProblems(row)
            row_id = p.ident("id", required=True)
            is_sample = p.flag("sample")
            self.event(p)
            # A resend, a duplicate id or a bad cell: the row-by-row path says what is wrong.
            if p.errors or row_id is None or row_id in existing or seen[str(row_id)] > 1:
                return False
            event = self._event_of(p, row_id, is_sample)
            if event is None:
                return False
            events.append((row, event))
        person: Person = events[0][1].person
        try:
            services.require_writer(self.actor, person.household.village, importing=True)
            history = [*batch.history_of(person), *(e for _r, e in events)]
            validate_history(history, person.birth_year, self.today)
            spans = spans_of(history, person.birth_year)
        except ServiceError:
            return False
        batch.add(person, [e for _r, e in events], spans)
        for row, event in events:
            self.done["event"][event.pk] = event
            self.report.created["event"] += 1
            self.report.outcomes[row.number] = "create"
        return True

    def _event_of(self, p: RowProblems, row_id: uuid.UUID, is_sample: bool) -> Any:
        """The event of a parsed row, normalised as ``do_record_event`` does, or None where
        that service would refuse it before replaying."""
        person = self.parent(p, "person_id")
        kind = p.choice("kind", EVENT_KINDS, required=True)
        country = p.text("country").strip().upper()
        date = p.date("date", required=True)
        if p.errors or person is None or date is None:
            return None
        if country and (len(country) != 2 or not country.isalpha()):
            return None
        if kind == EventKind.DEPARTED and not country:
            return None
        moved_to = self.village(p, "moved_to") if p.text("moved_to") else None
        if kind == EventKind.MOVED and moved_to is None:
            return None
        return MigrationEvent(
            id=row_id,
            person=person,
            kind=kind,
            date=date,
            country=country,
            destination=normalise_text(p.text("destination")),
            purpose=p.choice("purpose", PURPOSES),
            until=p.date("until"),
            moved_to=moved_to,
            note=normalise_notes(p.text("notes")),
            created_by=self.actor,
            is_sample=is_sample,
        )

    def check(self, row: Row) -> None:
        record = row.record
        p = RowProblems(row)
        if record not in RECORDS:
            p.add("record", ServiceError(Code.IMPORT_BAD_RECORD, value=row.text("record")))
            self.report.errors.extend(p.errors)
            return
        row_id = p.ident("id", required=True)
        # Written as an import: an officer may write within their area (``IMPORT_ROLES``).
        common = {
            "actor": self.actor,
            "id": row_id,
            "is_sample": p.flag("sample"),
            "importing": True,
        }
        # Every cell is parsed before writing, so a row with several bad cells reports them all.
        kwargs = getattr(self, record)(p)
        service = SERVICES[record]

        def write() -> tuple[Any, bool]:
            return service(**kwargs, **common)

        found = self.matched(record, row, p, row_id)
        if found is not None:
            self.done[record][found.pk] = found
            self.report.existing[record] += 1
            self.report.outcomes[row.number] = "exists"
        elif not p.errors:
            try:
                obj, created = write()
            except ServiceError as exc:
                self.refused(record, row, p, exc)
            except DatabaseError as exc:
                # The service's savepoint has rolled the row back; the database said no.
                p.add("id", ServiceError(Code.INVALID, detail=str(exc)))
            else:
                self.done[record][obj.pk] = obj
                if created and record == "person":
                    self.fresh.add(obj.pk)
                (self.report.created if created else self.report.existing)[record] += 1
                self.report.outcomes[row.number] = "create" if created else "exists"
        if p.errors:
            if row_id is not None and row_id not in self.done[record]:
                existing = self.conflicting(record, row_id, p)
                if existing is not None:
                    # The record under this id stands in the registry: rows that refer to it
                    # are checked against it, so only the edited row itself is reported.
                    self.done[record][row_id] = existing
                else:
                    self.failed[record].setdefault(row_id, row.number)
            self.report.errors.extend(p.errors)

    def matched(self, record: str, row: Row, p: RowProblems, row_id: uuid.UUID | None) -> Any:
        """The record a row without an id found by its natural key (matching.py), if any."""
        if not row.matched or p.errors or row_id is None:
            return None
        return self.done[record].get(row_id) or records_of(record).filter(pk=row_id).first()

    def conflicting(self, record: str, row_id: uuid.UUID, p: RowProblems) -> Any:
        if not any(e.code == Code.CONFLICT_UUID for e in p.errors):
            return None
        return records_of(record).filter(pk=row_id).first()

    def refused(self, record: str, row: Row, p: RowProblems, error: ServiceError) -> None:
        message = error.message
        if record == "event":
            person = row.text("person_id").lower()
            earlier = self.refused_events.setdefault(person, row.number)
            # A history error after an earlier refused event of the same person is most likely
            # a consequence of it (a return whose departure was refused): say so, keeping the
            # history code.
            if earlier != row.number and error.code.startswith("history."):
                message = ServiceError(
                    Code.IMPORT_AFTER_BAD_EVENT, row=earlier, detail=message
                ).message
        p.errors.append(RowError(row.number, error_column(record, error), error.code, message))


class RecordBatch:
    """New houses, households or persons (one type) of an import, written in bulk once every
    row of their type is checked: the records, their garden trees and one audit row each.
    (A new person's spans are written with their events, ``Importer.import_events``.)"""

    def __init__(self, actor: User | None, record: str = "") -> None:
        self.actor = actor
        self.record = record
        self.queue: list[tuple[Row, Any, dict[str, int]]] = []
        # The ids of this type the registry held before (read when the first row comes).
        self.existing: set[uuid.UUID] | None = None

    def add(self, row: Row, obj: Any, trees: dict[str, int]) -> None:
        self.queue.append((row, obj, trees))

    def write(self) -> None:
        objs = [obj for _row, obj, _trees in self.queue]
        if self.record == "person":
            # As ``Person.save`` copies it: the district of the household's village.
            district = districts_of(
                Place.objects.filter(pk__in={obj.household.village_id for obj in objs})
            )
            for obj in objs:
                obj.district_id = district[obj.household.village_id]
        insert_objects(MODELS[self.record], objs)
        # Their search words, as ``save`` writes them for a record saved alone (a person's
        # household is the one the row named, with its village).
        write_words(objs, replace=False)
        if self.record == "house":
            insert_objects(
                GardenTree,
                [
                    GardenTree(house=obj, kind=kind, count=count)
                    for _row, obj, trees in self.queue
                    for kind, count in trees.items()
                ],
            )
        audit_created(self.actor, self.record, ((obj.pk, {}) for obj in objs))
        if self.record in ("household", "person"):
            # As ``do_create_household`` and ``do_create_person`` announce each.
            villages = {
                obj.village_id if self.record == "household" else obj.household.village_id
                for obj in objs
            }
            effects.announce(REGISTRY_CHANGED, villages, None)


class EventBatch:
    """Events, spans and audit rows of an import, written in bulk at the end of it."""

    def __init__(self, actor: User | None) -> None:
        self.actor = actor
        self.events: list[MigrationEvent] = []
        self.persons: dict[uuid.UUID, tuple[Person, list[Any]]] = {}
        self.villages: dict[int, dt.date] = {}
        self.histories: dict[uuid.UUID, list[EventRow]] = {}

    def lock_and_read(self, person_ids: list[uuid.UUID]) -> None:
        """Lock the rows of the persons the file has events for (so that no other write can
        interleave an event, as ``do_record_event`` locks one) and read the events they have,
        a chunk of persons per query."""
        for start in range(0, len(person_ids), 500):
            chunk = person_ids[start : start + 500]
            list(Person.objects.select_for_update().filter(pk__in=chunk).order_by().values("pk"))
            for person_id, *values in (
                MigrationEvent.objects.filter(person_id__in=chunk)
                .order_by()
                .values_list(*EVENT_COLUMNS)
            ):
                self.histories.setdefault(person_id, []).append(EventRow(*values))

    def history_of(self, person: Person) -> list[Any]:
        """The events the person had in the registry before this import (none if new)."""
        return self.histories.get(person.pk, [])

    def add(self, person: Person, events: list[MigrationEvent], spans: list[Any]) -> None:
        self.events.extend(events)
        self.persons[person.pk] = (person, spans)
        village_id = person.household.village_id
        earliest = min(e.date for e in events)
        self.villages[village_id] = min(self.villages.get(village_id, earliest), earliest)

    def flush(self, spanless: set[uuid.UUID]) -> None:
        """Write the queued events, their persons' spans and audit rows. ``spanless``: the
        persons this import wrote in bulk, who have no spans to delete yet."""
        if not self.events:
            return
        insert_objects(MigrationEvent, self.events)
        ids = [p for p in self.persons if p not in spanless]
        for start in range(0, len(ids), 500):
            StatusSpan.objects.filter(person_id__in=ids[start : start + 500]).delete()
        writer = SpanWriter()
        for person, spans in self.persons.values():
            household = person.household
            writer.add(
                person.pk, household.pk, household.village_id, spans, person.sex, person.birth_year
            )
        writer.flush()
        audit_created(
            self.actor,
            "migration_event",
            ((event.pk, {"person": str(event.person_id)}) for event in self.events),
        )
        for village_id, since in self.villages.items():
            effects.announce(REGISTRY_CHANGED, [village_id], since)


def import_rows(
    rows: list[Row],
    *,
    actor: User | None = None,
    dry_run: bool = False,
    source: str = "",
    progress: Callable[[int], None] | None = None,
    bulk: bool = True,
) -> ImportReport:
    """Check and write ``rows`` all-or-nothing; on a dry run or any bad row, nothing stays.

    The rows are normalised and given their ids (natural keys, keyholder/registry/matching.py)
    inside the transaction, so a dry run and the apply after it see the same registry.
    """
    with transaction.atomic():
        normalise_rows(rows)
        assign_ids(rows, actor)
        importer = Importer(rows, actor, bulk=bulk)
        # One indicator refresh for the whole file, queued only if the import commits.
        with effects.batched():
            report = importer.run(progress)
        report.dry_run = dry_run
        if report.ok and not dry_run:
            audit(
                actor,
                AuditLog.Action.IMPORT,
                "registry_file",
                source[-64:],
                rows=report.rows,
                created=dict(report.created),
                existing=dict(report.existing),
            )
        else:
            transaction.set_rollback(True)
    if not report.ok and not dry_run:
        # The refused import leaves a trace, outside the rolled-back transaction.
        audit(
            actor,
            AuditLog.Action.IMPORT,
            "registry_file",
            source[-64:],
            rows=report.rows,
            bad_rows=report.bad_rows,
            refused=True,
        )
    return report


def import_file(
    path: Path,
    *,
    actor: User | None = None,
    dry_run: bool = False,
    progress_factory: Callable[[int], Any] | None = None,
) -> ImportReport:
    """Read and import one file. Raises ``ImportFileError`` when it is not a readable table."""
    header, rows = read_rows(path)
    unknown = [c for c in header if c and c not in COLUMNS]
    if unknown:
        report = ImportReport(rows=len(rows), dry_run=dry_run)
        for column in unknown:
            error = ServiceError(Code.IMPORT_UNKNOWN_COLUMN, column=column)
            report.errors.append(RowError(1, column, error.code, error.message))
        return report
    bar = progress_factory(len(rows)) if progress_factory else None
    try:
        return import_rows(
            rows,
            actor=actor,
            dry_run=dry_run,
            source=path.name,
            progress=bar.update if bar is not None else None,
        )
    finally:
        if bar is not None:
            bar.close()
