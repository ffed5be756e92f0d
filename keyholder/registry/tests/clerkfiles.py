"""Files written the way a district clerk writes them: no ids, words, dd.mm.yyyy, a title row."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

V01 = "TJ-SU-ASHT-PONGHOZ-V01"
HEADER = [
    "record",
    "id",
    "village",
    "house_id",
    "household_id",
    "person_id",
    "street",
    "number",
    "trees",
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
    "purpose",
]
TITLE = ["Реестри деҳаи V01, соли 2024"]


def clerk_rows(*, excel_dates: bool = False) -> list[dict[str, Any]]:
    """One house, one household, two persons, three events: no UUID anywhere.

    Rows refer to each other by the clerk's own keys (Х1, О1, Ш1...). With ``excel_dates`` the
    dates are date values, as an XLSX date cell holds them.
    """

    def day(text: str) -> Any:
        d, m, y = (int(x) for x in text.split("."))
        return dt.datetime(y, m, d) if excel_dates else text

    return [
        {
            "record": "house",
            "id": "Х1",
            "village": V01,
            "street": "Рудакӣ",
            "number": "12",
            "trees": "зардолу=4; чормағз=2",
        },
        {"record": "household", "id": "О1", "village": V01, "house_id": "Х1", "name": "Каримовҳо"},
        {
            "record": "person",
            "id": "Ш1",
            "household_id": "О1",
            "given_name": "Рустам",
            "family_name": "Каримов",
            "sex": "м",
            "birth_year": "1980",
            "relation": "глава",
            "phone": "8-927-123-45-67",
        },
        {
            "record": "person",
            "id": "Ш2",
            "household_id": "О1",
            "given_name": "Нигора",
            "family_name": "Каримова",
            "sex": "ж",
            "birth_year": "1985",
            "relation": "зан",
            "phone": "92 712 34 56",
        },
        {
            "record": "event",
            "person_id": "Ш1",
            "kind": "уехал",
            "date": day("01.03.2016"),
            "country": "Россия",
            "purpose": "работа",
        },
        {"record": "event", "person_id": "Ш1", "kind": "вернулся", "date": day("20.11.2019")},
        {
            "record": "event",
            "person_id": "Ш2",
            "kind": "рафт",
            "date": day("10.04.2022"),
            "country": "Қазоқистон",
        },
    ]


def clerk_text(rows: list[dict[str, Any]], delimiter: str, title: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    if title:
        writer.writerow(TITLE)
        writer.writerow([])
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([row.get(c, "") for c in HEADER])
    return out.getvalue()


def write_clerk_csv(
    path: Path, *, encoding: str, delimiter: str = ";", title: bool = False
) -> Path:
    path.write_bytes(clerk_text(clerk_rows(), delimiter, title).encode(encoding))
    return path


def write_clerk_xlsx(path: Path) -> Path:
    """A workbook whose first sheet is a cover page and whose second sheet holds the data."""
    from openpyxl import Workbook

    book = Workbook()
    cover = book.worksheets[0]
    cover.title = "Муқова"
    cover.append(["Ҷамоати Понғоз"])
    cover.append(["Тартиб дод: Раҳимов", "2024"])
    sheet = book.create_sheet("Реестр")
    sheet.append(TITLE)
    sheet.append(HEADER)
    for row in clerk_rows(excel_dates=True):
        sheet.append([row.get(c) for c in HEADER])
    book.save(path)
    return path
