"""Country names in the active language, from the Unicode CLDR data that Babel ships."""

from __future__ import annotations

from functools import cache

from babel import Locale
from django.utils.translation import get_language

# Where people of Asht go, first in every list; the rest follow in alphabetical order.
COMMON_DESTINATIONS = ("RU", "KZ", "KG", "UZ", "TR", "AE", "KR", "BY")


@cache
def _territories(language: str) -> dict[str, str]:
    try:
        names = Locale.parse(language).territories
    except (ValueError, LookupError):
        names = Locale.parse("en").territories
    # Two-letter codes are countries; the numeric ones are continents and regions.
    return {code: name for code, name in names.items() if len(code) == 2 and code.isalpha()}


def country_name(code: str, language: str | None = None) -> str:
    code = (code or "").upper()
    if not code:
        return ""
    return _territories((language or get_language() or "tg")[:2]).get(code, code)


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    names = _territories((language or get_language() or "tg")[:2])
    common = [(c, names.get(c, c)) for c in COMMON_DESTINATIONS]
    rest = sorted(
        ((c, n) for c, n in names.items() if c not in COMMON_DESTINATIONS and c != "TJ"),
        key=lambda item: item[1],
    )
    return common + rest
