"""Read a registry file the way a district clerk's spreadsheet program saved it.

The first step of the one import path (reading → normalised rows → plan → apply) shared by
``keyholder import`` and the upload page. It accepts:

- CSV in UTF-8 (with or without a byte-order mark), UTF-16 (what Excel calls "Unicode text")
  or cp1251 (a Russian- or Tajik-locale Excel's "CSV"), separated by ``,``, ``;`` or tab;
- XLSX, taking the sheet whose header holds the format's columns (data is often on the
  second sheet, after a cover sheet);
- title rows above the header (the header is the first row naming the ``record`` column).

A file that is none of these is refused with one catalogue code, ``import.unreadable``, in the
user's language; a codec's or a ZIP library's message never reaches the user.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keyholder.core.errors import Code, ServiceError
from keyholder.core.text import csv_unquote, normalise_notes

# How many rows above the header a title may take, and how much text the delimiter guess reads.
HEADER_SEARCH_ROWS = 20
SNIFF_CHARS = 64 * 1024
DELIMITERS = ",;\t"
HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")


class ImportFileError(Exception):
    """The file as a whole cannot be read (not a table, no header, missing columns)."""

    def __init__(self, error: ServiceError) -> None:
        self.error = error
        super().__init__(error.message)


def unreadable() -> ImportFileError:
    return ImportFileError(ServiceError(Code.IMPORT_UNREADABLE))


def normalise_text(value: str) -> str:
    """NFC, runs of spaces folded to one space, each line stripped, line breaks kept: the one
    spelling every entry path stores (``core.text.normalise_notes``).

    A name typed on a phone (decomposed "й") and one typed on a computer must be the same
    name, for matching records by name as much as for storing them.
    """
    return normalise_notes(value)


def cell_text(value: Any) -> str:
    """A cell as text: spreadsheets hand over numbers and dates, CSV hands over strings."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return normalise_text(str(value))


@dataclass
class Row:
    """One data row: its number as the spreadsheet shows it and its cells by column name.

    ``problems`` holds what the steps before the importer found wrong with it (a reference to
    a row that is not in the file, an ambiguous match), as (column, error).
    """

    number: int
    cells: dict[str, Any]
    problems: list[tuple[str, ServiceError]] = field(default_factory=list)
    # True when the row has no id of its own and its natural key found a registry record.
    matched: bool = False

    def text(self, column: str) -> str:
        value = self.cells.get(column)
        # Cells are made text once, when read (``read_rows``); the importer asks for each
        # many times.
        return value if isinstance(value, str) else cell_text(value)

    @property
    def record(self) -> str:
        return self.text("record").lower()


def header_name(value: Any) -> str:
    return cell_text(value).lower().replace(" ", "_").replace("-", "_")


# Text ----------------------------------------------------------------------------------------


# What pictures, PDFs and old Excel files begin with: never text, whatever their name says.
BINARY_STARTS = (b"\xff\xd8\xff", b"\x89PNG", b"%PDF", b"\xd0\xcf\x11\xe0", b"GIF8", b"\x1f\x8b")


def decode(data: bytes) -> str:
    """The text of a CSV file, whatever of the accepted encodings it is in."""
    if data.startswith(BINARY_STARTS):
        raise unreadable()
    if data.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    elif len(data) > 1 and data[1:2] == b"\x00" and data[0:1] != b"\x00":
        # UTF-16 without its mark: ASCII letters of the header have a zero byte after them.
        encodings = ["utf-16-le"]
    elif len(data) > 1 and data[0:1] == b"\x00" and data[1:2] != b"\x00":
        encodings = ["utf-16-be"]
    else:
        # cp1251 decodes almost any bytes, so it is tried only after UTF-8 strictly failed.
        encodings = ["utf-8", "cp1251"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # A NUL in decoded text means the bytes were not text at all (an XLS, a picture).
        if "\x00" not in text:
            return text
    raise unreadable()


def guess_delimiter(text: str) -> str:
    sample = text[:SNIFF_CHARS]
    lines = [line for line in sample.splitlines() if line.strip()][: HEADER_SEARCH_ROWS + 5]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        # The sniffer wants the same count on every line; a title row breaks that. The
        # delimiter the lines use most is the one.
        counts = {d: sum(line.count(d) for line in lines) for d in DELIMITERS}
        return max(DELIMITERS, key=lambda d: counts[d])


def csv_table(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=guess_delimiter(text))
    try:
        # Row numbers count rows as a spreadsheet shows them. The apostrophe the export put
        # before a formula-like text is taken off (core/text.py).
        for number, cells in enumerate(reader, start=1):
            yield number, [csv_unquote(cell) for cell in cells]
    except csv.Error as exc:
        raise unreadable() from exc


def xlsx_tables(path: Path) -> Generator[Iterator[tuple[int, list[Any]]], None, None]:
    """Each sheet of a workbook as a table, first to last."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise unreadable() from exc
    try:
        for sheet in book.worksheets:
            yield (
                (number, list(cells))
                for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
            )
    finally:
        book.close()


# Header and rows -----------------------------------------------------------------------------


def find_header(
    table: Iterable[tuple[int, list[Any]]], known: Iterable[str]
) -> tuple[list[str], Iterator[tuple[int, list[Any]]]] | None:
    """The header (the first row naming ``record``, below any title rows) and the rest."""
    known = set(known)
    rows = iter(table)
    for seen, (_number, cells) in enumerate(rows):
        if seen >= HEADER_SEARCH_ROWS:
            return None
        names = [header_name(c) for c in cells]
        if "record" in names and len(known.intersection(names)) >= 2:
            return names, rows
    return None


def read_table(path: Path, known: Iterable[str]) -> tuple[list[str], list[tuple[int, list]]]:
    """The header and the data rows of the file at ``path``; ``ImportFileError`` if unreadable."""
    known = tuple(known)
    try:
        with path.open("rb") as stream:
            data = stream.read()
    except OSError as exc:
        raise unreadable() from exc
    # XLSX files are ZIP archives, whatever their name says.
    if data.startswith(b"PK\x03\x04"):
        sheets = xlsx_tables(path)
        try:
            for table in sheets:
                found = find_header(table, known)
                if found is not None:
                    return found[0], list(found[1])
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            # A damaged sheet inside a readable archive.
            raise unreadable() from exc
        finally:
            # Closes the workbook.
            sheets.close()
    else:
        found = find_header(csv_table(data), known)
        if found is not None:
            return found[0], list(found[1])
    raise ImportFileError(ServiceError(Code.IMPORT_MISSING_COLUMN, column="record"))


def read_rows(path: Path, known: Iterable[str]) -> tuple[list[str], list[Row]]:
    """The header and the non-empty rows of a CSV or XLSX file."""
    if not path.is_file():
        raise unreadable()
    header, table = read_table(path, known)
    rows: list[Row] = []
    for number, cells in table:
        values = {
            name: cell_text(cells[i]) for i, name in enumerate(header) if name and i < len(cells)
        }
        if any(values.values()):
            rows.append(Row(number, values))
    return header, rows
