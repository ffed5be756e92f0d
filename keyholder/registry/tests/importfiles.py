"""Files for the import and export tests: a small registry written as CSV or XLSX."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import CommandError, call_command

from keyholder.registry.importing import COLUMNS
from keyholder.registry.models import GardenTree, House, Household, MigrationEvent, Person

HOUSE = "6f1c2a52-4d8e-4b0a-9f49-0d7a1c3e0001"
HOUSE2 = "6f1c2a52-4d8e-4b0a-9f49-0d7a1c3e0002"
FAMILY = "0c7b3f0e-1e2a-4c55-8a1d-5b3f6d2a0001"
FAMILY2 = "0c7b3f0e-1e2a-4c55-8a1d-5b3f6d2a0002"
FATHER = "9a8e5c1d-7f3b-4e2a-b6c4-1d2e3f4a0001"
MOTHER = "9a8e5c1d-7f3b-4e2a-b6c4-1d2e3f4a0002"
SON = "9a8e5c1d-7f3b-4e2a-b6c4-1d2e3f4a0003"
NEIGHBOUR = "9a8e5c1d-7f3b-4e2a-b6c4-1d2e3f4a0004"


def event_id(n: int) -> str:
    return f"3d4c5b6a-0000-4000-8000-{n:012d}"


def good_rows() -> list[dict[str, Any]]:
    """A village registry: two houses, two households, four persons and their histories.

    Rows come in the order a person in the field might write them: events before the persons
    they belong to, a household before its house, to show that the order does not matter.
    """
    v01 = "TJ-SU-ASHT-PONGHOZ-V01"
    return [
        # Events first, out of order, including a whole family leaving and a deportation.
        {
            "record": "event",
            "id": event_id(2),
            "person_id": FATHER,
            "kind": "returned",
            "date": "2019-11-20",
        },
        {
            "record": "event",
            "id": event_id(1),
            "person_id": FATHER,
            "kind": "departed",
            "date": "2016-03-01",
            "country": "RU",
            "destination": "Москва",
            "purpose": "work",
        },
        {
            "record": "event",
            "id": event_id(3),
            "person_id": FATHER,
            "kind": "departed",
            "date": "2022-04-10",
            "country": "ru",
            "destination": "Екатеринбург",
            "purpose": "work",
        },
        {
            "record": "event",
            "id": event_id(4),
            "person_id": MOTHER,
            "kind": "departed",
            "date": "2022-04-10",
            "country": "RU",
            "purpose": "family",
        },
        {
            "record": "event",
            "id": event_id(5),
            "person_id": SON,
            "kind": "born",
            "date": "2012-06-01",
        },
        {
            "record": "event",
            "id": event_id(6),
            "person_id": SON,
            "kind": "departed",
            "date": "2022-04-10",
            "country": "RU",
            "purpose": "family",
        },
        {
            "record": "event",
            "id": event_id(7),
            "person_id": NEIGHBOUR,
            "kind": "departed",
            "date": "2018-05-02",
            "country": "RU",
            "destination": "Санкт-Петербург",
        },
        {
            "record": "event",
            "id": event_id(8),
            "person_id": NEIGHBOUR,
            "kind": "deported",
            "date": "2023-02-14",
            "country": "RU",
        },
        {
            "record": "event",
            "id": event_id(9),
            "person_id": NEIGHBOUR,
            "kind": "entry_ban",
            "date": "2023-02-14",
            "country": "RU",
            "until": "2028-02-14",
            "notes": "Запрет на въезд",
        },
        {
            "record": "person",
            "id": FATHER,
            "household_id": FAMILY,
            "given_name": "Рустам",
            "family_name": "Назаров",
            "sex": "m",
            "birth_year": "1980",
            "relation": "head",
            "phone": "+992 92 712 3456",
        },
        {
            "record": "person",
            "id": MOTHER,
            "household_id": FAMILY,
            "given_name": "Мавҷуда",
            "family_name": "Назарова",
            "sex": "f",
            "birth_year": "1984",
            "relation": "spouse",
        },
        {
            "record": "person",
            "id": SON,
            "household_id": FAMILY,
            "given_name": "Фирӯз",
            "family_name": "Назаров",
            "sex": "m",
            "birth_year": "2012",
            "relation": "child",
        },
        {
            "record": "person",
            "id": NEIGHBOUR,
            "household_id": FAMILY2,
            "given_name": "Ҷамшед",
            "family_name": "Саидов",
            "sex": "M",
            "birth_year": "1991",
            "relation": "head",
            "sample": "yes",
        },
        {"record": "household", "id": FAMILY, "village": v01, "house_id": HOUSE, "name": "Назаров"},
        {
            "record": "household",
            "id": FAMILY2,
            "village": v01,
            "house_id": HOUSE2,
            "name": "Саидов",
            "notes": "Дар канори ҷӯй",
        },
        {
            "record": "house",
            "id": HOUSE,
            "village": v01,
            "street": "Рӯдакӣ",
            "number": "12",
            "trees": "apricot=6 walnut=2",
            "garden_area_m2": "400",
            "latitude": "40.6681",
            "longitude": "70.8842",
        },
        {
            "record": "house",
            "id": HOUSE2,
            "village": v01,
            "street": "Рӯдакӣ",
            "number": "14",
            "trees": "mulberry=1",
        },
    ]


def write_csv(
    path: Path, rows: list[dict[str, Any]], delimiter: str = ",", bom: bool = False
) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(COLUMNS), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[dict[str, Any]], typed: bool = True) -> Path:
    """An XLSX file as a spreadsheet program saves it: numbers as numbers when ``typed``."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    for row in rows:
        values: list[Any] = []
        for column in COLUMNS:
            value = row.get(column)
            if typed and column in ("birth_year", "garden_area_m2") and value:
                value = int(value)
            elif typed and column in ("latitude", "longitude") and value:
                value = float(value)
            values.append(value)
        sheet.append(values)
    # A second sheet that the import must ignore.
    book.create_sheet("notes").append(["Ignored"])
    book.save(path)
    return path


@dataclass
class Outcome:
    ok: bool
    out: str
    err: str


def run_command(name: str, *args: Any, **options: Any) -> Outcome:
    out, err = StringIO(), StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err, **options)
    except CommandError as exc:
        return Outcome(False, out.getvalue(), str(exc))
    return Outcome(True, out.getvalue(), err.getvalue())


def registry_counts() -> dict[str, int]:
    return {
        "houses": House.objects.count(),
        "trees": GardenTree.objects.count(),
        "households": Household.objects.count(),
        "persons": Person.objects.count(),
        "events": MigrationEvent.objects.count(),
    }
