"""Export the registry of a place in the import format (CSV or XLSX), streamed.

Rows come from chunked queries (``QuerySet.iterator``), so a whole country's registry is never
held in memory; the order is fixed (by place, then by the record's own fields and finally its
id) so that exporting the same registry twice gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any, Protocol

from django.db.models import Q

from keyholder.accounts.models import AuditLog, User
from keyholder.accounts.services import audit_list
from keyholder.core.text import csv_cell, xlsx_cell
from keyholder.places.models import Place, subtree_q
from keyholder.registry.importing import COLUMNS
from keyholder.registry.models import House, Household, MigrationEvent, Person

CHUNK = 2000
Value = str | int | float | dt.date | None


def _within(place: Place | None, prefix: str) -> Q:
    return subtree_q(place, prefix) if place is not None else Q()


def _row(record: str, **values: Value) -> list[Value]:
    values["record"] = record
    return [values.get(column, "") for column in COLUMNS]


def _sample(obj: Any) -> str:
    return "yes" if obj.is_sample else ""


def export_rows(
    place: Place | None, counts: Counter[str] | None = None, ids: list[str] | None = None
) -> Iterator[list[Value]]:
    """Yield the header, then houses, households, persons and events of ``place``'s subtree.

    ``counts`` counts the records of each kind written; ``ids`` gets the ids of the households
    and persons written (the records about people), for the export's audit row.
    """
    counts = counts if counts is not None else Counter()
    ids = ids if ids is not None else []
    yield list(COLUMNS)
    houses = (
        House.objects.filter(_within(place, "village__"))
        .select_related("village")
        .prefetch_related("trees")
        .order_by("village__path", "street", "number", "id")
    )
    for house in houses.iterator(chunk_size=CHUNK):
        counts["house"] += 1
        trees = sorted((t.kind, t.count) for t in house.trees.all())
        yield _row(
            "house",
            id=str(house.pk),
            village=house.village.code,
            street=house.street,
            number=house.number,
            trees=" ".join(f"{kind}={count}" for kind, count in trees),
            garden_area_m2=house.garden_area_m2,
            latitude=house.latitude,
            longitude=house.longitude,
            notes=house.notes,
            sample=_sample(house),
        )
    households = (
        Household.objects.filter(_within(place, "village__"))
        .select_related("village")
        .order_by("village__path", "name", "id")
    )
    for household in households.iterator(chunk_size=CHUNK):
        counts["household"] += 1
        ids.append(str(household.pk))
        yield _row(
            "household",
            id=str(household.pk),
            village=household.village.code,
            house_id=str(household.house_id) if household.house_id else "",
            name=household.name,
            notes=household.notes,
            sample=_sample(household),
        )
    persons = Person.objects.filter(_within(place, "household__village__")).order_by(
        "household__village__path", "household__name", "household_id", "birth_year", "id"
    )
    for person in persons.iterator(chunk_size=CHUNK):
        counts["person"] += 1
        ids.append(str(person.pk))
        yield _row(
            "person",
            id=str(person.pk),
            household_id=str(person.household_id),
            given_name=person.given_name,
            family_name=person.family_name,
            sex=person.sex,
            birth_year=person.birth_year,
            relation=person.relation,
            phone=person.phone,
            sample=_sample(person),
        )
    events = (
        MigrationEvent.objects.filter(_within(place, "person__household__village__"))
        .select_related("moved_to")
        .order_by("person__household__village__path", "person_id", "date", "kind", "id")
    )
    for event in events.iterator(chunk_size=CHUNK):
        counts["event"] += 1
        yield _row(
            "event",
            id=str(event.pk),
            person_id=str(event.person_id),
            kind=event.kind,
            date=event.date,
            country=event.country,
            destination=event.destination,
            purpose=event.purpose,
            until=event.until,
            moved_to=event.moved_to.code if event.moved_to else "",
            notes=event.note,
            sample=_sample(event),
        )


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class TextStream(Protocol):
    def write(self, text: str, /) -> Any: ...


def write_csv(rows: Iterator[list[Value]], stream: TextStream) -> None:
    writer = csv.writer(stream, lineterminator="\r\n")
    for row in rows:
        # Formula-like text gets an apostrophe, which ``keyholder import`` takes off again.
        writer.writerow([csv_cell(_text(v)) for v in row])


def write_xlsx(rows: Iterator[list[Value]], target: Any) -> None:
    """Write one sheet with openpyxl's write-only mode, which streams rows to disk."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("registry")
    for row in rows:
        cells: list[Any] = []
        for value in row:
            if isinstance(value, dt.date):
                # A date cell, so spreadsheet programs show and sort it as a date.
                cell = WriteOnlyCell(sheet, value=dt.datetime.combine(value, dt.time()))
                cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            else:
                # Empty text stays an empty cell rather than a cell holding ""; other text is
                # a text cell even when it begins with "=" (never a formula).
                cells.append(None if value == "" else xlsx_cell(sheet, value))
        sheet.append(cells)
    book.save(target)


def audit_export(
    actor: User | None, place: Place | None, counts: Counter[str], fmt: str, ids: list[str]
) -> None:
    """One ``export`` row naming the place asked, the counts and the ids of the households and
    persons written out, like a list read (a search for a person's id finds the export)."""
    audit_list(
        actor,
        "registry_file",
        {"place": place.code if place is not None else "", "format": fmt},
        ids,
        object_id=place.code if place is not None else "",
        action=AuditLog.Action.EXPORT,
        format=fmt,
        **{record: counts[record] for record in ("house", "household", "person", "event")},
    )
