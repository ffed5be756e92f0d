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
from ninja import Schema


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
    # Notification settings (keyholder/notify).
    "notify.email_required": ErrorSpec(
        400, _("Enter an email address to receive messages by email.")
    ),
    "notify.invalid_email": ErrorSpec(400, _("“{value}” is not an email address.")),
    "notify.chat_id_required": ErrorSpec(
        400, _("Enter your Telegram chat id to receive messages in Telegram.")
    ),
    "notify.invalid_chat_id": ErrorSpec(
        400, _("“{value}” is not a Telegram chat id: it is a number such as 123456789.")
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
    "history.destination_required": ErrorSpec(400, _("A departure needs a destination country.")),
    "history.moved_to_required": ErrorSpec(400, _("A move needs the place moved to.")),
    # API v1 (keyholder/api.py): an unexpected failure answers this, never a traceback.
    "internal": ErrorSpec(500, _("Something went wrong on the server; the error was logged.")),
    # Account management pages (keyholder/accounts/views.py).
    "accounts.deactivate_self": ErrorSpec(400, _("You cannot deactivate your own account.")),
    "accounts.own_admin_role": ErrorSpec(
        400, _("You cannot take the administrator role away from your own account.")
    ),
    "accounts.username_taken": ErrorSpec(400, _("The username “{value}” is already taken.")),
    # Imports.
    "import.bad_rows": ErrorSpec(400, _("The file has {count} bad rows; nothing was imported.")),
    # Indicators, official figures and reconciliation (keyholder/indicators/).
    "indicators.unknown": ErrorSpec(400, _("There is no indicator “{value}”.")),
    "indicators.unknown_dimension": ErrorSpec(
        400, _("“{value}” is not a breakdown of this indicator.")
    ),
    "indicators.bad_month": ErrorSpec(400, _("“{value}” is not a month in the form YYYY-MM.")),
    "indicators.bad_period": ErrorSpec(400, _("The end of the period is before its start.")),
    "indicators.bad_by": ErrorSpec(400, _("“{value}” is not a grouping: use “children”.")),
    "official.duplicate": ErrorSpec(
        409, _("This source already has a figure for this place, indicator and date.")
    ),
    "official.date_in_future": ErrorSpec(400, _("The date {value} is in the future.")),
    # Indicator exports (keyholder/indicators/exports.py).
    "indicators.bad_format": ErrorSpec(
        400, _("“{value}” is not an export format: use csv, xlsx, geojson, dhis2 or adx.")
    ),
    "indicators.bad_scope": ErrorSpec(
        400, _("“{value}” is not a choice of places: use all, children or self.")
    ),
    # Import and export of registry files (keyholder/registry/importing.py).
    "import.unreadable": ErrorSpec(400, _("The file cannot be read: {detail}")),
    "import.missing_column": ErrorSpec(400, _("The file has no column “{column}”.")),
    "import.bad_record": ErrorSpec(
        400, _("“{value}” is not a record type: use house, household, person or event.")
    ),
    "import.required": ErrorSpec(400, _("A {record} row needs a value in this column.")),
    "import.not_a_uuid": ErrorSpec(400, _("“{value}” is not a UUID.")),
    "import.not_a_number": ErrorSpec(400, _("“{value}” is not a number.")),
    "import.not_a_choice": ErrorSpec(400, _("“{value}” is not one of: {choices}.")),
    "import.not_a_flag": ErrorSpec(400, _("“{value}” is not yes or no (true or false).")),
    "import.bad_trees": ErrorSpec(
        400, _("“{value}” is not a list of trees in the form kind=count, e.g. apricot=4 walnut=2.")
    ),
    "import.unknown_parent": ErrorSpec(
        400, _("No {record} has the id {id}, neither in this file nor in the registry.")
    ),
    "import.bad_parent": ErrorSpec(
        400, _("The {record} {id} this row refers to is bad (row {row}).")
    ),
    "import.after_bad_event": ErrorSpec(
        400,
        _(
            "This event may be refused only because an earlier event of the same person "
            "was refused (row {row}): {detail}"
        ),
    ),
    "import.unknown_column": ErrorSpec(400, _("The column “{column}” is not part of the format.")),
    "import.too_long": ErrorSpec(400, _("The value is longer than {max} characters.")),
    # The keeping service (keyholder/keeping/).
    "keeping.not_keyholder": ErrorSpec(400, _("The user “{value}” is not a keyholder.")),
    "keeping.not_owner": ErrorSpec(400, _("The user “{value}” is not an owner.")),
    # One answer for an unknown username, a user who is not an owner and an owner of another
    # house: which accounts exist is not for the requester to learn.
    "keeping.owner_not_of_house": ErrorSpec(
        400, _("“{value}” is not an owner account of a household living in this house.")
    ),
    "keeping.house_out_of_scope": ErrorSpec(
        403, _("The house is outside the villages of the keyholder.")
    ),
    "keeping.house_already_kept": ErrorSpec(
        409, _("The house already has an agreement in force with a keyholder.")
    ),
    "keeping.end_before_start": ErrorSpec(400, _("The end {end} is before the start {start}.")),
    "keeping.bad_transition": ErrorSpec(
        409, _("An agreement that is {status} cannot be changed this way ({action}).")
    ),
    "keeping.not_in_force": ErrorSpec(
        409, _("The agreement is not in force on {date}: nothing can be recorded for that day.")
    ),
    "keeping.duty_needs_interval": ErrorSpec(
        400, _("This duty needs the number of days between two occurrences.")
    ),
    "keeping.duty_needs_date": ErrorSpec(400, _("A one-off task needs its due date.")),
    "keeping.time_in_future": ErrorSpec(400, _("The time {value} is in the future.")),
    "keeping.checkout_before_checkin": ErrorSpec(
        400, _("The check-out time is before the check-in time.")
    ),
    "keeping.task_not_of_agreement": ErrorSpec(
        400, _("The task {id} does not belong to this house.")
    ),
    "keeping.task_already_done": ErrorSpec(
        409, _("The task {id} was already fulfilled by another visit.")
    ),
    "keeping.bad_checklist": ErrorSpec(
        400, _("The checklist answer “{item}” is not valid: {detail}")
    ),
    "keeping.bad_amount": ErrorSpec(400, _("The amount {value} must be more than zero.")),
    "keeping.photo_unreadable": ErrorSpec(400, _("The file is not a photo that can be read.")),
    "keeping.photo_too_large": ErrorSpec(400, _("The photo is larger than 25 MB.")),
    "keeping.bad_position": ErrorSpec(
        400,
        _("The position needs a latitude between -90 and 90 and a longitude between -180 and 180."),
    ),
    "keeping.bad_month": ErrorSpec(400, _("“{value}” is not a month in the form YYYY-MM.")),
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
            # ``field`` is both an attribute and a placeholder ("invalid.field" names it).
            values = {"field": self.field or "", **self.params}
            return template.format(**{k: str(v) for k, v in values.items()})
        except (KeyError, IndexError):
            return template

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        return body


class ErrorOut(Schema):
    """The API's shape of a ``ServiceError``, for the OpenAPI document."""

    code: str
    message: str
    field: str | None = None
