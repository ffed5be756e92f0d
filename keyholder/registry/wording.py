"""The words and forms clerks write, turned into the format's values.

Sex, relation, event kind, purpose and tree kind are accepted as the format's code (``m``,
``departed``, ``apricot``), as the label the product shows in Tajik, Russian or English, or
as one of the short words clerks use (``м``/``ж``, ``мард``/``зан``, ``уехал``). Countries
are accepted as ISO codes or as their names in the three languages (the CLDR names the
country lists use, keyholder/places/countries.py). Dates as ``yyyy-mm-dd``, ``dd.mm.yyyy``
or a spreadsheet's date cell; phones in the national forms of Tajikistan and Russia.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from django.db import models
from django.utils import translation

from keyholder.places.countries import country_choices, country_name
from keyholder.registry.models import EventKind, Purpose, Relation, Sex, TreeKind
from keyholder.registry.reading import normalise_text

LANGUAGES = ("tg", "ru", "en")

# Short and everyday words beside the labels (all compared in lower case).
EXTRA_WORDS: dict[type[models.TextChoices], dict[str, tuple[str, ...]]] = {
    Sex: {
        "m": ("м", "муж", "мужской", "мужчина", "мард", "мардона", "male", "man"),
        "f": ("ж", "жен", "женский", "женщина", "зан", "занона", "female", "woman"),
    },
    EventKind: {
        "born": ("родился", "родилась", "рождение", "таваллуд", "таваллуд шуд", "birth"),
        "departed": ("уехал", "уехала", "выезд", "отъезд", "рафт", "рафтан", "муҳоҷират"),
        "returned": ("вернулся", "вернулась", "возвращение", "баргашт", "баргашт кард"),
        "deported": ("депортирован", "депортирована", "депортация", "ихроҷ", "ихроҷ шуд"),
        "entry_ban": ("запрет на въезд", "запрет въезда", "манъи вуруд", "entry ban"),
        "moved": ("переехал", "переехала", "переезд", "кӯчид", "кӯч"),
        "left": ("выбыл", "выбыла", "тарк кард"),
        "died": ("умер", "умерла", "смерть", "вафот", "вафот кард", "фавт"),
        "joined": ("прибыл", "прибыла", "ҳамроҳ шуд", "омад"),
    },
    Purpose: {
        "work": ("работа", "кор", "на работу", "ба кор"),
        "study": ("учёба", "учеба", "таҳсил", "хониш"),
        "family": ("семья", "оила"),
        "other": ("другое", "дигар"),
    },
    Relation: {
        "head": ("глава", "глава семьи", "сарвари оила", "сарвар"),
        "spouse": ("жена", "муж", "супруг", "супруга", "зан", "шавҳар", "ҳамсар"),
        "child": ("сын", "дочь", "писар", "духтар", "son", "daughter"),
        "parent": ("отец", "мать", "падар", "модар", "father", "mother"),
        "sibling": ("брат", "сестра", "бародар", "хоҳар", "brother", "sister"),
        "grandchild": ("внук", "внучка", "набера"),
        "in_law": ("невестка", "зять", "келин", "домод"),
    },
    TreeKind: {
        "apricot": ("абрикос", "зардолу", "ӯрик", "урюк"),
        "apple": ("яблоня", "яблоко", "себ"),
        "walnut": ("орех", "грецкий орех", "чормағз"),
        "mulberry": ("шелковица", "тут"),
        "cherry": ("вишня", "черешня", "олуболу", "гелос"),
        "grape": ("виноград", "ангур"),
        "pear": ("груша", "нок", "мурӯд"),
        "peach": ("персик", "шафтолу"),
        "almond": ("миндаль", "бодом"),
        "plum": ("слива", "олу"),
        "quince": ("айва", "буҳ", "беҳ"),
        "pomegranate": ("гранат", "анор"),
        "other": ("другое", "дигар"),
    },
}


def word_key(value: str) -> str:
    return normalise_text(value).lower().rstrip(".").replace("ё", "е")


@cache
def _vocabulary(choices: type[models.TextChoices]) -> dict[str, str]:
    words: dict[str, str] = {}
    extra = EXTRA_WORDS.get(choices, {})
    for value in choices.values:
        words[word_key(value)] = value
        words[word_key(value.replace("_", " "))] = value
    for language in LANGUAGES:
        with translation.override(language):
            for value, label in choices.choices:
                words.setdefault(word_key(str(label)), value)
    for value, others in extra.items():
        for word in others:
            # A word that means two things (Russian "муж" is male and husband) keeps the
            # meaning of its own list; relation is never read with the sex list.
            words.setdefault(word_key(word), value)
    return words


def choice_value(choices: type[models.TextChoices], text: str) -> str | None:
    """The code of a choice written as its code, a label in any language or a clerk's word."""
    return _vocabulary(choices).get(word_key(text))


@cache
def _countries() -> dict[str, str]:
    names: dict[str, str] = {}
    for language in LANGUAGES:
        for code, name in [*country_choices(language), ("TJ", country_name("TJ", language))]:
            names.setdefault(word_key(name), code)
    # Names every clerk uses though CLDR does not give them.
    names.update({"рф": "RU", "россия": "RU", "русия": "RU", "казахстан": "KZ"})
    return names


def country_code(text: str) -> str | None:
    """An ISO code for a code or a country's name in Tajik, Russian or English."""
    value = normalise_text(text)
    if len(value) == 2 and value.isalpha() and value.isascii():
        return value.upper()
    return _countries().get(word_key(value))


DOTTED_DATE = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")


def parse_date(text: str) -> dt.date | None:
    """``yyyy-mm-dd`` (and what a date cell reads as) or ``dd.mm.yyyy``; None if neither."""
    value = text.strip()
    # A date cell with a time of midnight, as some programs write it in CSV.
    value = value.removesuffix(" 00:00:00").removesuffix("T00:00:00")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        pass
    match = DOTTED_DATE.match(value)
    if match is None:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def phone_text(text: str) -> str:
    """A phone as the services read it, with the national forms made international.

    ``8-912-345-67-89`` (11 digits, trunk 8, a 9 after it) is a Russian mobile:
    ``+79123456789``; ``79123456789`` is Russia or Kazakhstan with its country code;
    ``992…`` is Tajikistan's code without the plus; ``8 10 992…`` the old way of dialling
    abroad. A Tajik national
    number (9 digits) is left to the services, which read it with region TJ.
    """
    value = text.strip()
    if not value or value.startswith("+"):
        return value
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits.startswith("89"):
        return "+7" + digits[1:]
    if digits.startswith("810"):
        return "+" + digits[3:]
    if digits.startswith("00"):
        return "+" + digits[2:]
    if len(digits) == 12 and digits.startswith("992"):
        return "+" + digits
    if len(digits) == 11 and digits.startswith("7"):
        return "+" + digits
    return value
