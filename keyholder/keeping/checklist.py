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
    # What a "yes" means: every yes/no item is phrased so that "yes" is fine.
    label: Promise
    # "yes_no" answers are booleans (True is the good answer); "reading" is a meter number.
    kind: str = "yes_no"
    # What a "no" means, said as the problem found, so a failed check never reads as fine.
    problem_label: Promise | None = None
    # A failed security check raises a serious incident of this kind at once ("" for none).
    incident_kind: str = ""


@dataclass(frozen=True)
class Check:
    """One answer as pages and messages show it: "✓ <label>", "✗ <problem>" or a reading."""

    item: Item
    value: Any

    @property
    def ok(self) -> bool | None:
        return self.value if isinstance(self.value, bool) else None

    @property
    def text(self) -> Promise | str:
        if self.value is True:
            return self.item.label
        if self.value is False:
            return self.item.problem_label or self.item.label
        return self.item.label

    @property
    def mark(self) -> str:
        if isinstance(self.value, bool):
            return "✓" if self.value else "✗"
        return ""


ITEMS: dict[str, Item] = {
    item.key: item
    for item in (
        Item(
            "doors_windows_locked",
            _("Doors and windows locked"),
            problem_label=_("Doors or windows found not locked"),
            # Not locked is not yet a break-in: the incident says what was found in its notes.
            incident_kind="other",
        ),
        Item("roof_ok", _("Roof in good order"), problem_label=_("Roof damaged")),
        Item("no_leaks", _("No leaks"), problem_label=_("Leak found"), incident_kind="leak"),
        Item("no_damp", _("No damp"), problem_label=_("Damp found")),
        Item(
            "no_signs_of_entry",
            _("No signs of entry"),
            problem_label=_("Signs of entry found"),
            incident_kind="break_in",
        ),
        Item(
            "no_fire",
            _("No fire or smoke damage"),
            problem_label=_("Fire or smoke damage found"),
            incident_kind="fire",
        ),
        Item("trees_watered", _("Trees watered"), problem_label=_("Trees not watered")),
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
        "no_fire",
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


def checks(answers: Mapping[str, Any]) -> list[Check]:
    """The answers in the checklist's order, each to be shown as ✓, ✗ or a reading."""
    return [Check(item, answers[key]) for key, item in ITEMS.items() if key in answers]


def serious(answers: Mapping[str, Any]) -> list[Item]:
    """The failed security checks: each one makes the visit raise a serious incident."""
    return [item for item in problems(answers) if item.incident_kind]
