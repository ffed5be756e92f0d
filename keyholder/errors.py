"""One catalogue of error codes, with translated messages.

Services raise ``ServiceError(code, **params)``; the API answers ``{"code", "message"}`` with
the HTTP status from the catalogue, and pages show the same message. Codes are stable: clients
may switch on them. Add new codes here, never inline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ErrorSpec:
    status: int
    message: Promise


CATALOGUE: dict[str, ErrorSpec] = {
    # Authentication and access.
    "auth.required": ErrorSpec(401, _("Sign in or send a valid API token.")),
    "auth.invalid_credentials": ErrorSpec(401, _("The username or password is wrong.")),
    "auth.forbidden": ErrorSpec(403, _("Your role does not allow this action.")),
    "not_found": ErrorSpec(404, _("Not found.")),
    # Input.
    "invalid": ErrorSpec(400, _("The request is not valid: {detail}")),
    "invalid.field": ErrorSpec(400, _("The field “{field}” is not valid: {detail}")),
    "invalid.phone": ErrorSpec(400, _("“{value}” is not a valid phone number.")),
    "invalid.place": ErrorSpec(400, _("No place has the code “{value}”.")),
    "invalid.place_kind": ErrorSpec(400, _("“{value}” is not a village.")),
    "invalid.cursor": ErrorSpec(400, _("The page cursor is not valid.")),
    "invalid.date": ErrorSpec(400, _("“{value}” is not a date in the form YYYY-MM-DD.")),
    "invalid.birth_year": ErrorSpec(400, _("The birth year {value} is not possible.")),
    "invalid.country": ErrorSpec(400, _("“{value}” is not a two-letter country code.")),
    "out_of_scope": ErrorSpec(403, _("This place is outside your area.")),
    # Idempotent creation with client-supplied UUIDs.
    "conflict.uuid": ErrorSpec(
        409, _("A different record already exists with the id {id}; an edit must use a new id.")
    ),
    # Impossible migration histories: each has its own code.
    "history.date_in_future": ErrorSpec(400, _("The date {date} is in the future.")),
    "history.before_birth": ErrorSpec(
        400, _("The event on {date} is before the person was born ({birth_year}).")
    ),
    "history.after_death": ErrorSpec(400, _("The event on {date} is after the person died.")),
    "history.return_without_departure": ErrorSpec(
        400, _("The return on {date} has no departure before it.")
    ),
    "history.deportation_without_departure": ErrorSpec(
        400, _("The deportation on {date} has no departure before it: the person was not abroad.")
    ),
    "history.overlapping_stay_abroad": ErrorSpec(
        400, _("The departure on {date} overlaps a stay abroad that began on {since}.")
    ),
    "history.departure_during_ban": ErrorSpec(
        400, _("The departure on {date} to {country} falls within an entry ban until {until}.")
    ),
    "history.ban_end_before_start": ErrorSpec(
        400, _("The entry ban from {date} must end after it starts.")
    ),
    "history.born_not_first": ErrorSpec(
        400, _("The birth on {date} must be the first event of the person.")
    ),
    "history.birth_year_mismatch": ErrorSpec(
        400, _("The birth on {date} does not match the birth year {birth_year}.")
    ),
    "history.not_a_member": ErrorSpec(
        400, _("On {date} the person was not a member of the household.")
    ),
    "history.already_member": ErrorSpec(
        400, _("On {date} the person was already a member of the household.")
    ),
    "history.moved_while_abroad": ErrorSpec(
        400, _("The move on {date} is impossible while the person is abroad.")
    ),
    "history.destination_required": ErrorSpec(
        400, _("A departure needs a destination country.")
    ),
    "history.moved_to_required": ErrorSpec(
        400, _("A move needs the place moved to.")
    ),
    # Imports.
    "import.bad_rows": ErrorSpec(400, _("The file has {count} bad rows; nothing was imported.")),
}


class ServiceError(Exception):
    """A refused write or read, with a code from the catalogue."""

    def __init__(self, code: str, field: str | None = None, **params: Any) -> None:
        if code not in CATALOGUE:
            raise KeyError(f"error code {code!r} is not in the catalogue")
        self.code = code
        self.field = field
        self.params = params
        super().__init__(f"{code}: {params}")

    @property
    def status(self) -> int:
        return CATALOGUE[self.code].status

    @property
    def message(self) -> str:
        """The message in the active language, with its placeholders filled."""
        template = str(CATALOGUE[self.code].message)
        try:
            return template.format(**{k: str(v) for k, v in self.params.items()})
        except (KeyError, IndexError):
            return template

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        return body
