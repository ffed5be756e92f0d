"""Text that is safe to store and to hand to a spreadsheet.

Two dangers, one module:

- **Control characters** (C0 except tab, newline and carriage return, and U+007F): PostgreSQL
  refuses NUL in text with an error, openpyxl refuses the others with ``IllegalCharacterError``,
  and no person's name holds them. Input is refused (``invalid.control_character``); legacy data
  is stripped of them on export.
- **Formula injection**: a spreadsheet program runs a cell that begins with ``=``, ``+``, ``-``,
  ``@``, tab or carriage return as a formula (OWASP "CSV injection"). XLSX cells are written
  typed as text; CSV cells get one leading apostrophe, which ``keyholder import`` takes off
  again (``csv_unquote``), so an export reads back identical. docs/import-format.md states it.
"""

from __future__ import annotations

import re
from typing import Any

from keyholder.core.errors import Code, ServiceError

# Tab (09), newline (0A) and carriage return (0D) are ordinary in notes; the rest of C0 and DEL
# are not text.
# The longest note, description or resolution a person types (models, schemas and forms): a
# page of text. The database would hold more; a client sending more is not writing a note.
NOTE_MAX_LENGTH = 4000

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def has_control_characters(value: str) -> bool:
    return CONTROL_CHARACTERS.search(value) is not None


def check_text(field: str, value: Any) -> None:
    """Refuse a text value holding a control character, naming its field."""
    if isinstance(value, str) and has_control_characters(value):
        char = CONTROL_CHARACTERS.search(value)
        assert char is not None
        raise ServiceError(
            Code.INVALID_CONTROL_CHARACTER, field=field, char=f"U+{ord(char.group()):04X}"
        )


def strip_control_characters(value: str) -> str:
    return CONTROL_CHARACTERS.sub("", value)


def is_formula_like(value: str) -> bool:
    return value.startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    """A value for a CSV cell: control characters gone, a formula-like text quoted.

    A text that already begins with an apostrophe gets one more, so that ``csv_unquote``, which
    takes off exactly one, gives back what was stored.
    """
    if not isinstance(value, str):
        return value
    value = strip_control_characters(value)
    if is_formula_like(value) or value.startswith(QUOTE):
        return QUOTE + value
    return value


def csv_unquote(value: Any) -> Any:
    """Undo ``csv_cell``: one apostrophe before a formula-like text or another apostrophe."""
    if isinstance(value, str) and value.startswith(QUOTE):
        rest = value[1:]
        if is_formula_like(rest) or rest.startswith(QUOTE):
            return rest
    return value


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """A value for openpyxl's write-only sheet: text is always a text cell, never a formula."""
    if not isinstance(value, str):
        return value
    value = strip_control_characters(value)
    if not is_formula_like(value):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet)
    # Setting the value would make a text beginning with "=" a formula; the type is set by hand.
    cell._value = value  # type: ignore[attr-defined]
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell
