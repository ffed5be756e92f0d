"""The checklist a keyholder answers on a visit, per kind of duty."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from keyholder.core.errors import Code, ServiceError


@dataclass(frozen=True)
class Item:
    key: str
    label: Promise
    # "yes_no" answers are booleans (True is the good answer); "reading" is a meter number.
    kind: str = "yes_no"


ITEMS: dict[str, Item] = {
    item.key: item
    for item in (
        Item("doors_windows_locked", _("Doors and windows locked")),
        Item("roof_ok", _("Roof in good order")),
        Item("no_leaks", _("No leaks")),
        Item("no_damp", _("No damp")),
        Item("no_signs_of_entry", _("No signs of entry")),
        Item("trees_watered", _("Trees watered")),
        Item("meter_reading", _("Electricity meter reading"), kind="reading"),
    )
}

BY_DUTY: dict[str, tuple[str, ...]] = {
    "security_round": (
        "doors_windows_locked",
        "roof_ok",
        "no_leaks",
        "no_damp",
        "no_signs_of_entry",
        "meter_reading",
    ),
    "watering": ("trees_watered",),
    "other": (),
}

READING = re.compile(r"^\d{1,9}([.,]\d{1,3})?$")


def items_for(kinds: Iterable[str]) -> list[Item]:
    """The checklist items for a visit that fulfils duties of these kinds, in a stable order."""
    wanted = {key for kind in kinds for key in BY_DUTY.get(kind, ())}
    return [item for key, item in ITEMS.items() if key in wanted]


def clean(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Validate answers: known items only, booleans for yes/no, a number for a reading."""
    cleaned: dict[str, Any] = {}
    for key, value in answers.items():
        item = ITEMS.get(key)
        if item is None:
            raise ServiceError(Code.KEEPING_BAD_CHECKLIST, field="checklist", item=key, detail="?")
        if item.kind == "yes_no":
            if not isinstance(value, bool):
                raise ServiceError(
                    Code.KEEPING_BAD_CHECKLIST, field="checklist", item=key, detail=str(value)
                )
            cleaned[key] = value
        else:
            text = str(value).strip()
            if not text:
                continue
            if not READING.match(text):
                raise ServiceError(
                    Code.KEEPING_BAD_CHECKLIST, field="checklist", item=key, detail=text
                )
            cleaned[key] = text.replace(",", ".")
    return cleaned


def problems(answers: Mapping[str, Any]) -> list[Item]:
    """The yes/no items answered "no": what the owner should look at."""
    return [ITEMS[k] for k, v in answers.items() if k in ITEMS and v is False]
