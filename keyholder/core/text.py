"""Text that is safe to store, to search and to hand to a spreadsheet.

Three concerns, one module:

- **One spelling of a text** (``normalise_text``): names typed with a non-breaking space, two
  spaces or a decomposed Tajik letter (``и`` + combining macron for ``ӣ``) are stored NFC with
  single spaces, so that the same name is the same string everywhere.
- **Search keys** (``search_key``): the form of a name that search compares, the same for
  "Раҳимов", "рахимов", "Rahimov", "Rakhimov" and a decomposed spelling (see below).

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
import unicodedata
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


# --- one spelling -------------------------------------------------------------------------

# Every Unicode space (NBSP, thin space, ideographic space...), and tab and newline in a
# one-line field, folds to one ASCII space; the control characters that Python counts as
# white space (VT, FF, FS..US) are not, so that ``check_text`` still refuses them.
_SPACES = re.compile(r"[^\S\x0b\x0c\x1c-\x1f]+")


def normalise_text(value: str) -> str:
    """A one-line text as it is stored: NFC, every run of Unicode white space one space,
    stripped. Control characters are left in place for ``check_text`` to refuse by name."""
    if _already_normal(value):
        return value
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def _already_normal(value: str) -> bool:
    """Printable ASCII with single inner spaces and none at the ends is its own normal form
    (most cells of an import: ids, dates, codes): both functions below return it unchanged."""
    return (
        value.isascii()
        and value.isprintable()
        and "  " not in value
        and value[:1] != " "
        and value[-1:] != " "
    )


def normalise_notes(value: str) -> str:
    """A multi-line text (notes): NFC, spaces within a line folded, lines kept."""
    if _already_normal(value):
        return value
    lines = unicodedata.normalize("NFC", value).replace("\r\n", "\n").split("\n")
    folded = [_SPACES.sub(" ", line).strip() for line in lines]
    return "\n".join(folded).strip("\n")


# --- search keys --------------------------------------------------------------------------

# Cyrillic (Russian and Tajik) letters in a common Latin spelling. The Tajik letters fold to
# what Russian writes for them (ҳ and х both "h", қ "k", ғ "g", ҷ "j" like Russian "дж").
# Letters with a diacritic (ӣ ӯ й ё) lost it before this table is used.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ж": "zh",
    "з": "z", "и": "i", "к": "k", "қ": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ҳ": "h",
    "ц": "ts", "ч": "ch", "ҷ": "j", "ш": "sh", "щ": "sh", "ъ": "", "ы": "i", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "є": "e", "і": "i", "ї": "i", "ў": "u",
}  # fmt: skip
_CYRILLIC_TABLE = str.maketrans(_CYRILLIC)
# Latin spellings of one sound, folded to one (order matters: "dzh" before "zh").
# "yo" and "ye" are how English spells ё and е (which are "e" here: Russian often writes ё as е).
_LATIN_FOLDS = (
    ("dzh", "j"),
    ("dj", "j"),
    ("kh", "h"),
    ("gh", "g"),
    ("x", "h"),
    ("q", "k"),
    ("yo", "e"),
    ("ye", "e"),
    ("y", "i"),
)
_NOT_WORD = re.compile(r"[^0-9a-z]+")
# Apostrophes and the hard sign mark a glottal stop in Tajik Latin: dropped, not a word break.
_APOSTROPHES = re.compile("['ʼʻ’‘`´]")


def search_key(value: str) -> str:
    """The form of a name that search compares: lower-case Latin words separated by spaces.

    Case is folded, every diacritic and combining mark dropped (so a decomposed "х" + U+0329
    is "х", and "ӣ" is "и"), Cyrillic spelled in Latin with the Tajik letters folded to their
    Russian base, and Latin spellings of one sound folded to one: "Раҳимов", "рахимов",
    "Rahimov" and "Rakhimov" all give "rahimov"; "Ҷӯраев", "Джураев" and "Juraev" "juraev".
    """
    text = unicodedata.normalize("NFKD", value.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _APOSTROPHES.sub("", text).translate(_CYRILLIC_TABLE)
    for spelling, folded in _LATIN_FOLDS:
        text = text.replace(spelling, folded)
    return " ".join(_NOT_WORD.sub(" ", text).split())
