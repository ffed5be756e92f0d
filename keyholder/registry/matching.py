"""Normalised rows and natural keys: the steps between reading a file and importing it.

``normalise_rows`` turns what clerks write into the format's values (dates, words for sex and
kinds, country names, national phone forms; keyholder/registry/wording.py). A value it does not
recognise is left as written, so that the importer's refusal quotes the clerk's own text.

``assign_ids`` gives every row a UUID when its ``id`` cell holds none. IDs are optional:

- a UUID in ``id`` is the record's id, as before;
- any other text in ``id`` is a *file key*: other rows of the same file refer to the record
  by it (a person's ``household_id`` names its household's key);
- the record itself is found by its natural key: a house by village + address (street and
  number), a household by village + house + name, a person by household + given name +
  family name + birth year, an event by person + kind + date. Texts compare NFC-normalised,
  with spaces folded and case ignored.

One match in the registry is that record ("already exists"; the import never edits a record,
so the row's other cells are not compared with it); two or more are refused
(``import.ambiguous``), never guessed; none makes a new record whose UUID is derived from the
natural key (UUID 5), so the dry run and the apply give the same ids and uploading the same
file again creates nothing. Only villages inside the user's area are searched: outside it the
row is refused by the services anyway, and an outsider learns nothing from a match.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import models

from keyholder.accounts.access import place_in_area
from keyholder.accounts.models import User
from keyholder.core.errors import Code, ServiceError
from keyholder.places.models import Place
from keyholder.registry.models import (
    EventKind,
    House,
    Household,
    MigrationEvent,
    Person,
    Purpose,
    Relation,
    Sex,
    TreeKind,
)
from keyholder.registry.reading import Row, normalise_text
from keyholder.registry.wording import choice_value, country_code, parse_date, phone_text

# A fixed namespace, so that the same natural key gives the same UUID in every install.
NAMESPACE = uuid.UUID("5b1d3c4e-8a7f-4e2b-9c61-0f2d6a8e4b17")
CHOICE_COLUMNS: dict[str, type[models.TextChoices]] = {
    "sex": Sex,
    "relation": Relation,
    "kind": EventKind,
    "purpose": Purpose,
}
TREE_PAIR = re.compile(r"\s*([^=:;,\d]+?)\s*[=:]\s*(\d+)\s*[;,]?")
PARENTS = {"household": "house_id", "person": "household_id", "event": "person_id"}


def _as_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def key_text(value: str) -> str:
    return normalise_text(value).casefold()


# Normalised rows -----------------------------------------------------------------------------


def _trees(text: str) -> str:
    """``зардолу=4; грецкий орех: 2`` as ``apricot=4 walnut=2``; unknown words left as written."""
    pairs = TREE_PAIR.findall(text)
    if not pairs or TREE_PAIR.sub("", text).strip():
        return text
    out = []
    for word, count in pairs:
        kind = choice_value(TreeKind, word)
        if kind is None:
            return text
        out.append(f"{kind}={count}")
    return " ".join(out)


def normalise_row(row: Row) -> None:
    cells = row.cells
    for column in ("date", "until"):
        text = row.text(column)
        day = parse_date(text) if text else None
        if day is not None:
            cells[column] = day.isoformat()
    for column, choices in CHOICE_COLUMNS.items():
        text = row.text(column)
        value = choice_value(choices, text) if text else None
        if value is not None:
            cells[column] = value
    country = row.text("country")
    code = country_code(country) if country else None
    if code is not None:
        cells["country"] = code
    if row.text("trees"):
        cells["trees"] = _trees(row.text("trees"))
    if row.text("phone"):
        cells["phone"] = phone_text(row.text("phone"))


def normalise_rows(rows: Iterable[Row]) -> None:
    for row in rows:
        normalise_row(row)


# Natural keys --------------------------------------------------------------------------------


class KeyAssigner:
    """Gives the rows of one file their UUIDs (see the module's docstring)."""

    def __init__(self, rows: list[Row], actor: User | None) -> None:
        self.rows = rows
        self.actor = actor
        # File key (lower case) -> (UUID, row number).
        self.file_keys: dict[str, dict[str, tuple[uuid.UUID, int]]] = defaultdict(dict)
        self.villages: dict[str, Place | None] = {}
        self.in_area: dict[int, bool] = {}
        self.known: dict[str, dict[tuple[Any, ...], list[uuid.UUID]]] = {}

    def village(self, code: str) -> Place | None:
        """The village of a code if the user may write there (else its rows are not matched)."""
        if code not in self.villages:
            place = Place.objects.filter(code=code).first()
            if (
                place is not None
                and self.actor is not None
                and not place_in_area(self.actor, place)
            ):
                place = None
            self.villages[code] = place
        return self.villages[code]

    def run(self) -> None:
        by_record: dict[str, list[Row]] = defaultdict(list)
        for row in self.rows:
            by_record[row.record].append(row)
        self.load_houses(by_record["house"] + by_record["household"])
        for row in by_record["house"]:
            self.assign(row, self.house_key(row))
        self.load_households(by_record["household"])
        for row in by_record["household"]:
            self.assign(row, self.household_key(row))
        self.load_children("person", by_record["person"])
        for row in by_record["person"]:
            self.assign(row, self.person_key(row))
        self.load_children("event", by_record["event"])
        for row in by_record["event"]:
            self.assign(row, self.event_key(row))

    # The registry's records, read once per village or parent.

    def _village_ids(self, rows: list[Row]) -> list[int]:
        places = (self.village(row.text("village")) for row in rows if row.text("village"))
        return sorted({p.pk for p in places if p is not None})

    def load_houses(self, rows: list[Row]) -> None:
        known: dict[tuple[Any, ...], list[uuid.UUID]] = defaultdict(list)
        for pk, village, street, number in House.objects.filter(
            village_id__in=self._village_ids(rows)
        ).values_list("pk", "village_id", "street", "number"):
            known[(village, key_text(street), key_text(number))].append(pk)
        self.known["house"] = known

    def load_households(self, rows: list[Row]) -> None:
        known: dict[tuple[Any, ...], list[uuid.UUID]] = defaultdict(list)
        for pk, village, house, name in Household.objects.filter(
            village_id__in=self._village_ids(rows)
        ).values_list("pk", "village_id", "house_id", "name"):
            known[(village, house, key_text(name))].append(pk)
        self.known["household"] = known

    def load_children(self, record: str, rows: list[Row]) -> None:
        column = PARENTS[record]
        parents = sorted({p for row in rows if (p := _as_uuid(row.text(column))) is not None})
        known: dict[tuple[Any, ...], list[uuid.UUID]] = defaultdict(list)
        for start in range(0, len(parents), 500):
            chunk = parents[start : start + 500]
            if record == "person":
                for village, pk, household, given, family, year in Person.objects.filter(
                    household_id__in=chunk
                ).values_list(
                    "household__village_id",
                    "pk",
                    "household_id",
                    "given_name",
                    "family_name",
                    "birth_year",
                ):
                    if self.writable(village):
                        known[(household, key_text(given), key_text(family), year)].append(pk)
            else:
                for village, pk, person, kind, date in MigrationEvent.objects.filter(
                    person_id__in=chunk
                ).values_list("person__household__village_id", "pk", "person_id", "kind", "date"):
                    if self.writable(village):
                        known[(person, kind, date.isoformat())].append(pk)
        self.known[record] = known

    def writable(self, village_id: int) -> bool:
        """Whether the user's area holds the village (only such records are matched)."""
        if self.actor is None:
            return True
        if village_id not in self.in_area:
            place = Place.objects.filter(pk=village_id).first()
            self.in_area[village_id] = place is not None and place_in_area(self.actor, place)
        return self.in_area[village_id]

    # Natural keys of rows (None when the row has too little to be matched).

    def house_key(self, row: Row) -> tuple[Any, ...] | None:
        village = self.village(row.text("village"))
        street, number = key_text(row.text("street")), key_text(row.text("number"))
        if not (street or number):
            return None
        return (village.pk if village else row.text("village"), street, number)

    def household_key(self, row: Row) -> tuple[Any, ...] | None:
        village = self.village(row.text("village"))
        house = self.reference(row, "house")
        name = key_text(row.text("name"))
        if not name:
            return None
        return (village.pk if village else row.text("village"), house, name)

    def person_key(self, row: Row) -> tuple[Any, ...] | None:
        household = self.reference(row, "household")
        given, family = key_text(row.text("given_name")), key_text(row.text("family_name"))
        year = row.text("birth_year")
        if household is None or not given or not year.isdigit():
            return None
        return (household, given, family, int(year))

    def event_key(self, row: Row) -> tuple[Any, ...] | None:
        person = self.reference(row, "person")
        kind, date = row.text("kind"), row.text("date")
        if person is None or not kind or not date:
            return None
        return (person, kind, date)

    def reference(self, row: Row, parent: str) -> uuid.UUID | None:
        """The UUID a row's parent column names: a UUID, or the file key of another row."""
        column = f"{parent}_id"
        text = row.text(column)
        if not text:
            return None
        found = _as_uuid(text)
        if found is not None:
            return found
        entry = self.file_keys[parent].get(text.lower())
        if entry is None:
            row.problems.append(
                (column, ServiceError(Code.IMPORT_UNKNOWN_PARENT, record=parent, id=text))
            )
            return None
        pk, _number = entry
        row.cells[column] = str(pk)
        return pk

    def assign(self, row: Row, key: tuple[Any, ...] | None) -> None:
        record = row.record
        text = row.text("id")
        pk = _as_uuid(text) if text else None
        if pk is None:
            matches = self.known.get(record, {}).get(key, []) if key is not None else []
            if key is None:
                # Neither an id nor what the natural key needs. The row still gets an id, so
                # that the rows referring to it are reported as referring to a bad row.
                if not row.problems:
                    row.problems.append(("id", ServiceError(Code.IMPORT_NO_KEY)))
                pk = uuid.uuid5(NAMESPACE, f"{record}|row|{row.number}")
            elif len(matches) > 1:
                row.problems.append(
                    ("id", ServiceError(Code.IMPORT_AMBIGUOUS, record=record, count=len(matches)))
                )
                pk = uuid.uuid5(NAMESPACE, f"{record}|row|{row.number}")
            elif matches:
                pk = matches[0]
                row.matched = True
            else:
                pk = uuid.uuid5(NAMESPACE, f"{record}|{key!r}")
            row.cells["id"] = str(pk)
        if text:
            self.file_keys[record].setdefault(text.lower(), (pk, row.number))


def assign_ids(rows: list[Row], actor: User | None) -> None:
    KeyAssigner(rows, actor).run()
