"""One catalogue of error codes, with translated messages.

Services raise ``ServiceError(Code.X, **params)``; the API answers ``{"code", "message"}`` with
the HTTP status from the catalogue, and pages show the same message. Codes are stable: clients
may switch on them. Add a new code here twice, as a ``Code`` member and in ``CATALOGUE``;
never raise a bare string.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import Schema


class Code(StrEnum):
    """Every error code, by name: a typo is a NameError, not a code nobody catalogued.

    The values are what clients see and switch on: never change one. ``CATALOGUE`` below must
    give each a status and a message, which is checked when this module is imported.
    """

    AUTH_REQUIRED = "auth.required"
    AUTH_INVALID_CREDENTIALS = "auth.invalid_credentials"
    AUTH_FORBIDDEN = "auth.forbidden"
    # Too many failed sign-ins for an account or from an address (keyholder/accounts/throttle.py).
    AUTH_THROTTLED = "auth.throttled"
    AUTH_WEAK_PASSWORD = "auth.weak_password"
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    INVALID_FIELD = "invalid.field"
    # A text longer than its column holds (core/lengths.py): PostgreSQL would refuse it with an
    # error, SQLite would keep it whole.
    TEXT_TOO_LONG = "invalid.too_long"
    TEXT_TOO_LONG_SOMEWHERE = "invalid.too_long_text"
    INVALID_PHONE = "invalid.phone"
    INVALID_PLACE = "invalid.place"
    INVALID_PLACE_KIND = "invalid.place_kind"
    # A place code holding a letter that only looks Latin (issue 11).
    INVALID_PLACE_CHARACTER = "invalid.place_character"
    INVALID_CURSOR = "invalid.cursor"
    INVALID_DATE = "invalid.date"
    INVALID_BIRTH_YEAR = "invalid.birth_year"
    INVALID_COUNTRY = "invalid.country"
    OUT_OF_SCOPE = "out_of_scope"
    CONFLICT_UUID = "conflict.uuid"
    ID_UNUSABLE = "id_unusable"
    NOTIFY_EMAIL_REQUIRED = "notify.email_required"
    NOTIFY_INVALID_EMAIL = "notify.invalid_email"
    NOTIFY_CHAT_ID_REQUIRED = "notify.chat_id_required"
    NOTIFY_INVALID_CHAT_ID = "notify.invalid_chat_id"
    # Telegram bound through the bot (keyholder/notify/telegram_updates.py).
    NOTIFY_CHAT_USERNAME = "notify.chat_username"
    NOTIFY_CHAT_NOT_FOUND = "notify.chat_not_found"
    NOTIFY_TELEGRAM_UNAVAILABLE = "notify.telegram_unavailable"
    NOTIFY_LINK_INVALID = "notify.link_invalid"
    HISTORY_DATE_IN_FUTURE = "history.date_in_future"
    HISTORY_BEFORE_BIRTH = "history.before_birth"
    HISTORY_AFTER_DEATH = "history.after_death"
    HISTORY_RETURN_WITHOUT_DEPARTURE = "history.return_without_departure"
    HISTORY_DEPORTATION_WITHOUT_DEPARTURE = "history.deportation_without_departure"
    HISTORY_OVERLAPPING_STAY_ABROAD = "history.overlapping_stay_abroad"
    HISTORY_DEPARTURE_DURING_BAN = "history.departure_during_ban"
    HISTORY_BAN_END_BEFORE_START = "history.ban_end_before_start"
    HISTORY_BORN_NOT_FIRST = "history.born_not_first"
    HISTORY_BIRTH_YEAR_MISMATCH = "history.birth_year_mismatch"
    HISTORY_NOT_A_MEMBER = "history.not_a_member"
    HISTORY_ALREADY_MEMBER = "history.already_member"
    HISTORY_MOVED_WHILE_ABROAD = "history.moved_while_abroad"
    HISTORY_DESTINATION_REQUIRED = "history.destination_required"
    HISTORY_MOVED_TO_REQUIRED = "history.moved_to_required"
    # Corrections and removals of recorded events (registry/services.py).
    EVENT_REASON_REQUIRED = "event.reason_required"
    EVENT_REASON_TOO_LONG = "event.reason_too_long"
    EVENT_DETAIL_NOT_OF_KIND = "event.detail_not_of_kind"
    INTERNAL = "internal"
    ACCOUNTS_DEACTIVATE_SELF = "accounts.deactivate_self"
    ACCOUNTS_OWN_ADMIN_ROLE = "accounts.own_admin_role"
    ACCOUNTS_USERNAME_TAKEN = "accounts.username_taken"
    IMPORT_BAD_ROWS = "import.bad_rows"
    INDICATORS_UNKNOWN = "indicators.unknown"
    INDICATORS_UNKNOWN_DIMENSION = "indicators.unknown_dimension"
    INDICATORS_BAD_MONTH = "indicators.bad_month"
    INDICATORS_BAD_PERIOD = "indicators.bad_period"
    INDICATORS_BAD_BY = "indicators.bad_by"
    OFFICIAL_DUPLICATE = "official.duplicate"
    OFFICIAL_DATE_IN_FUTURE = "official.date_in_future"
    INDICATORS_BAD_FORMAT = "indicators.bad_format"
    INDICATORS_BAD_SCOPE = "indicators.bad_scope"
    INDICATORS_BAD_LEVEL = "indicators.bad_level"
    INDICATORS_EXPORT_EMPTY = "indicators.export_empty"
    IMPORT_UNREADABLE = "import.unreadable"
    IMPORT_MISSING_COLUMN = "import.missing_column"
    IMPORT_BAD_RECORD = "import.bad_record"
    IMPORT_REQUIRED = "import.required"
    IMPORT_NOT_A_UUID = "import.not_a_uuid"
    IMPORT_NOT_A_NUMBER = "import.not_a_number"
    IMPORT_NOT_A_CHOICE = "import.not_a_choice"
    IMPORT_NOT_A_FLAG = "import.not_a_flag"
    IMPORT_BAD_TREES = "import.bad_trees"
    IMPORT_UNKNOWN_PARENT = "import.unknown_parent"
    IMPORT_BAD_PARENT = "import.bad_parent"
    IMPORT_AFTER_BAD_EVENT = "import.after_bad_event"
    IMPORT_UNKNOWN_COLUMN = "import.unknown_column"
    IMPORT_TOO_LONG = "import.too_long"
    IMPORT_NO_KEY = "import.no_key"
    IMPORT_AMBIGUOUS = "import.ambiguous"
    IMPORT_NOT_READY = "import.not_ready"
    KEEPING_NOT_KEYHOLDER = "keeping.not_keyholder"
    KEEPING_NOT_OWNER = "keeping.not_owner"
    KEEPING_OWNER_NOT_OF_HOUSE = "keeping.owner_not_of_house"
    KEEPING_HOUSE_OUT_OF_SCOPE = "keeping.house_out_of_scope"
    KEEPING_HOUSE_ALREADY_KEPT = "keeping.house_already_kept"
    KEEPING_END_BEFORE_START = "keeping.end_before_start"
    KEEPING_BAD_TRANSITION = "keeping.bad_transition"
    KEEPING_NOT_IN_FORCE = "keeping.not_in_force"
    KEEPING_DUTY_NEEDS_INTERVAL = "keeping.duty_needs_interval"
    KEEPING_DUTY_NEEDS_DATE = "keeping.duty_needs_date"
    KEEPING_TIME_IN_FUTURE = "keeping.time_in_future"
    KEEPING_DATE_IN_FUTURE = "keeping.date_in_future"
    KEEPING_CHECKOUT_BEFORE_CHECKIN = "keeping.checkout_before_checkin"
    KEEPING_TASK_NOT_OF_AGREEMENT = "keeping.task_not_of_agreement"
    KEEPING_TASK_ALREADY_DONE = "keeping.task_already_done"
    KEEPING_BAD_CHECKLIST = "keeping.bad_checklist"
    KEEPING_BAD_AMOUNT = "keeping.bad_amount"
    KEEPING_PHOTO_UNREADABLE = "keeping.photo_unreadable"
    KEEPING_PHOTO_TOO_LARGE = "keeping.photo_too_large"
    KEEPING_BAD_POSITION = "keeping.bad_position"
    KEEPING_BAD_MONTH = "keeping.bad_month"
    # Owner invitations (keyholder/keeping/invites.py).
    KEEPING_INVITE_NEEDS_ADDRESS = "keeping.invite_needs_address"
    KEEPING_INVITE_NO_HOUSEHOLD = "keeping.invite_no_household"
    KEEPING_INVITE_NOT_VALID = "keeping.invite_not_valid"
    KEEPING_INVITE_WEAK_PASSWORD = "keeping.invite_weak_password"
    # One balance in the fee currency, and tasks done in their time.
    KEEPING_RATE_REQUIRED = "keeping.rate_required"
    KEEPING_BAD_RATE = "keeping.bad_rate"
    KEEPING_SETTLED_MISMATCH = "keeping.settled_mismatch"
    KEEPING_TASK_NOT_YET_DUE = "keeping.task_not_yet_due"
    # A failed check on a visit must be shown: what was found, and a photo of it.
    KEEPING_FAILED_CHECK_NEEDS_NOTE = "keeping.failed_check_needs_note"
    KEEPING_FAILED_CHECK_NEEDS_PHOTO = "keeping.failed_check_needs_photo"
    # Incidents resolved from the page, and visits an owner asks for.
    KEEPING_RESOLUTION_NEEDS_NOTE = "keeping.resolution_needs_note"
    KEEPING_INCIDENT_ALREADY_RESOLVED = "keeping.incident_already_resolved"
    KEEPING_VISIT_ALREADY_ASKED = "keeping.visit_already_asked"
    # The migrant's legal calendar (keyholder/migrant).
    MIGRANT_EXIT_BEFORE_ENTRY = "migrant.exit_before_entry"
    MIGRANT_OVERLAPPING_TRIPS = "migrant.overlapping_trips"
    MIGRANT_NEEDS_CONTACT = "migrant.needs_contact"
    MIGRANT_CONTACT_TAKEN = "migrant.contact_taken"
    MIGRANT_WEAK_PASSWORD = "migrant.weak_password"
    MIGRANT_UNTIL_BEFORE_START = "migrant.until_before_start"
    # Hardening (issue 13): input that is not text, requests too large, a busy database.
    INVALID_CONTROL_CHARACTER = "invalid.control_character"
    REQUEST_TOO_LARGE = "request.too_large"
    REQUEST_TOO_MANY_FIELDS = "request.too_many_fields"
    KEEPING_PHOTO_TOO_MANY_PIXELS = "keeping.photo_too_many_pixels"
    BUSY = "busy"


@dataclass(frozen=True)
class ErrorSpec:
    status: int
    message: Promise


CATALOGUE: dict[Code, ErrorSpec] = {
    # Authentication and access.
    Code.AUTH_REQUIRED: ErrorSpec(401, _("Sign in or send a valid API token.")),
    Code.AUTH_INVALID_CREDENTIALS: ErrorSpec(401, _("The username or password is wrong.")),
    Code.AUTH_FORBIDDEN: ErrorSpec(403, _("Your role does not allow this action.")),
    # Password guessing: refused before the password is even checked, until the window ends.
    Code.AUTH_THROTTLED: ErrorSpec(
        429, _("Too many failed sign-ins. Try again in {minutes} minutes.")
    ),
    Code.AUTH_WEAK_PASSWORD: ErrorSpec(400, _("The password is too weak: {detail}")),
    Code.NOT_FOUND: ErrorSpec(404, _("Not found.")),
    # Input.
    Code.INVALID: ErrorSpec(400, _("The request is not valid: {detail}")),
    Code.INVALID_FIELD: ErrorSpec(400, _("The field “{field}” is not valid: {detail}")),
    Code.TEXT_TOO_LONG: ErrorSpec(
        400, _("The field “{field}” is longer than {max} characters: shorten it.")
    ),
    Code.TEXT_TOO_LONG_SOMEWHERE: ErrorSpec(
        400, _("A text is longer than the database holds: shorten it.")
    ),
    Code.INVALID_PHONE: ErrorSpec(400, _("“{value}” is not a valid phone number.")),
    Code.INVALID_PLACE: ErrorSpec(400, _("No place has the code “{value}”.")),
    Code.INVALID_PLACE_KIND: ErrorSpec(400, _("“{value}” is not a village.")),
    # A Cyrillic "О" looks like the Latin "O": the message names the character that is wrong.
    Code.INVALID_PLACE_CHARACTER: ErrorSpec(
        400,
        _(
            "The place code “{value}” holds «{char}» ({script}, {codepoint}) at position "
            "{position}: place codes are written with Latin letters, digits and hyphens only."
        ),
    ),
    Code.INVALID_CURSOR: ErrorSpec(400, _("The page cursor is not valid.")),
    Code.INVALID_DATE: ErrorSpec(400, _("“{value}” is not a date in the form YYYY-MM-DD.")),
    Code.INVALID_BIRTH_YEAR: ErrorSpec(400, _("The birth year {value} is not possible.")),
    Code.INVALID_COUNTRY: ErrorSpec(400, _("“{value}” is not a two-letter country code.")),
    Code.OUT_OF_SCOPE: ErrorSpec(403, _("This place is outside your area.")),
    # Idempotent creation with client-supplied UUIDs.
    Code.CONFLICT_UUID: ErrorSpec(
        409, _("A different record already exists with the id {id}; an edit must use a new id.")
    ),
    # An id taken outside the caller's scope (or the nil id): says nothing of the record.
    Code.ID_UNUSABLE: ErrorSpec(400, _("This record id cannot be used: make a new one.")),
    # Notification settings (keyholder/notify).
    Code.NOTIFY_EMAIL_REQUIRED: ErrorSpec(
        400, _("Enter an email address to receive messages by email.")
    ),
    Code.NOTIFY_INVALID_EMAIL: ErrorSpec(400, _("“{value}” is not an email address.")),
    Code.NOTIFY_CHAT_ID_REQUIRED: ErrorSpec(
        400, _("Enter your Telegram chat id to receive messages in Telegram.")
    ),
    Code.NOTIFY_INVALID_CHAT_ID: ErrorSpec(
        400, _("“{value}” is not a Telegram chat id: it is a number such as 123456789.")
    ),
    # Telegram bound through the bot: a chat id typed by hand is checked with Telegram, and the
    # answer points to the "Connect Telegram" link, which needs no typing.
    Code.NOTIFY_CHAT_USERNAME: ErrorSpec(
        400,
        _(
            "“{value}” is a Telegram user name, and a bot cannot write to a user name. "
            "Press “Connect Telegram” on this page instead and then Start in Telegram: "
            "your chat is connected without typing anything."
        ),
    ),
    Code.NOTIFY_CHAT_NOT_FOUND: ErrorSpec(
        400,
        _(
            "Telegram knows no chat “{value}” that our bot may write to. "
            "Press “Connect Telegram” on this page instead and then Start in Telegram: "
            "your chat is connected without typing anything."
        ),
    ),
    Code.NOTIFY_TELEGRAM_UNAVAILABLE: ErrorSpec(
        503,
        _(
            "Telegram could not be asked whether the chat “{value}” exists. Try again later, "
            "or press “Connect Telegram” on this page."
        ),
    ),
    Code.NOTIFY_LINK_INVALID: ErrorSpec(
        400,
        _(
            "This link is not valid: it was used already, has expired or was never made. "
            "Open your notification settings in keyholder and press “Connect Telegram” again."
        ),
    ),
    # Impossible migration histories: each has its own code.
    Code.HISTORY_DATE_IN_FUTURE: ErrorSpec(400, _("The date {date} is in the future.")),
    Code.HISTORY_BEFORE_BIRTH: ErrorSpec(
        400, _("The event on {date} is before the person was born ({birth_year}).")
    ),
    Code.HISTORY_AFTER_DEATH: ErrorSpec(400, _("The event on {date} is after the person died.")),
    Code.HISTORY_RETURN_WITHOUT_DEPARTURE: ErrorSpec(
        400, _("The return on {date} has no departure before it.")
    ),
    Code.HISTORY_DEPORTATION_WITHOUT_DEPARTURE: ErrorSpec(
        400, _("The deportation on {date} has no departure before it: the person was not abroad.")
    ),
    Code.HISTORY_OVERLAPPING_STAY_ABROAD: ErrorSpec(
        400, _("The departure on {date} overlaps a stay abroad that began on {since}.")
    ),
    Code.HISTORY_DEPARTURE_DURING_BAN: ErrorSpec(
        400, _("The departure on {date} to {country} falls within an entry ban until {until}.")
    ),
    Code.HISTORY_BAN_END_BEFORE_START: ErrorSpec(
        400, _("The entry ban from {date} must end after it starts.")
    ),
    Code.HISTORY_BORN_NOT_FIRST: ErrorSpec(
        400, _("The birth on {date} must be the first event of the person.")
    ),
    Code.HISTORY_BIRTH_YEAR_MISMATCH: ErrorSpec(
        400, _("The birth on {date} does not match the birth year {birth_year}.")
    ),
    Code.HISTORY_NOT_A_MEMBER: ErrorSpec(
        400, _("On {date} the person was not a member of the household.")
    ),
    Code.HISTORY_ALREADY_MEMBER: ErrorSpec(
        400, _("On {date} the person was already a member of the household.")
    ),
    Code.HISTORY_MOVED_WHILE_ABROAD: ErrorSpec(
        400, _("The move on {date} is impossible while the person is abroad.")
    ),
    Code.HISTORY_DESTINATION_REQUIRED: ErrorSpec(
        400, _("A departure needs a destination country.")
    ),
    Code.HISTORY_MOVED_TO_REQUIRED: ErrorSpec(400, _("A move needs the place moved to.")),
    # Corrections and removals of recorded events: why is part of the record.
    Code.EVENT_REASON_REQUIRED: ErrorSpec(
        400, _("Say why the event is corrected or removed: the reason is kept with the history.")
    ),
    Code.EVENT_REASON_TOO_LONG: ErrorSpec(400, _("The reason is longer than {max} characters.")),
    Code.EVENT_DETAIL_NOT_OF_KIND: ErrorSpec(
        400, _("An event of the kind “{kind}” has no field “{field}”.")
    ),
    # API v1 (keyholder/api.py): an unexpected failure answers this, never a traceback.
    Code.INTERNAL: ErrorSpec(500, _("Something went wrong on the server; the error was logged.")),
    # Account management pages (keyholder/web/account_views.py).
    Code.ACCOUNTS_DEACTIVATE_SELF: ErrorSpec(400, _("You cannot deactivate your own account.")),
    Code.ACCOUNTS_OWN_ADMIN_ROLE: ErrorSpec(
        400, _("You cannot take the administrator role away from your own account.")
    ),
    Code.ACCOUNTS_USERNAME_TAKEN: ErrorSpec(400, _("The username “{value}” is already taken.")),
    # Imports.
    Code.IMPORT_BAD_ROWS: ErrorSpec(400, _("The file has {count} bad rows; nothing was imported.")),
    # Indicators, official figures and reconciliation (keyholder/indicators/).
    Code.INDICATORS_UNKNOWN: ErrorSpec(400, _("There is no indicator “{value}”.")),
    Code.INDICATORS_UNKNOWN_DIMENSION: ErrorSpec(
        400, _("“{value}” is not a breakdown of this indicator.")
    ),
    Code.INDICATORS_BAD_MONTH: ErrorSpec(400, _("“{value}” is not a month in the form YYYY-MM.")),
    Code.INDICATORS_BAD_PERIOD: ErrorSpec(400, _("The end of the period is before its start.")),
    Code.INDICATORS_BAD_BY: ErrorSpec(400, _("“{value}” is not a grouping: use “children”.")),
    Code.OFFICIAL_DUPLICATE: ErrorSpec(
        409, _("This source already has a figure for this place, indicator and date.")
    ),
    Code.OFFICIAL_DATE_IN_FUTURE: ErrorSpec(400, _("The date {value} is in the future.")),
    # Indicator exports (keyholder/indicators/exports.py).
    Code.INDICATORS_BAD_FORMAT: ErrorSpec(
        400,
        _(
            "“{value}” is not an export format: use csv, xlsx, geojson, dhis2, adx or "
            "dhis2-metadata."
        ),
    ),
    Code.INDICATORS_BAD_SCOPE: ErrorSpec(
        400, _("“{value}” is not a choice of places: use all, children or self.")
    ),
    Code.INDICATORS_BAD_LEVEL: ErrorSpec(
        400,
        _(
            "“{value}” is not a level: use all, lowest, country, region, district, jamoat, "
            "town or village."
        ),
    ),
    # An ADX message must hold at least one group: an export with nothing to show is refused.
    Code.INDICATORS_EXPORT_EMPTY: ErrorSpec(
        404, _("There is no figure to export for these places, indicators and months.")
    ),
    # Import and export of registry files (keyholder/registry/importing.py).
    # One message for every file that is not a table (a codec's or ZIP's words never show).
    Code.IMPORT_UNREADABLE: ErrorSpec(
        400,
        _(
            "The file cannot be read. Save it from the spreadsheet program as CSV or as an "
            "Excel workbook (XLSX) and try again."
        ),
    ),
    Code.IMPORT_MISSING_COLUMN: ErrorSpec(400, _("The file has no column “{column}”.")),
    Code.IMPORT_BAD_RECORD: ErrorSpec(
        400, _("“{value}” is not a record type: use house, household, person or event.")
    ),
    Code.IMPORT_REQUIRED: ErrorSpec(400, _("A {record} row needs a value in this column.")),
    Code.IMPORT_NOT_A_UUID: ErrorSpec(400, _("“{value}” is not a UUID.")),
    Code.IMPORT_NOT_A_NUMBER: ErrorSpec(400, _("“{value}” is not a number.")),
    Code.IMPORT_NOT_A_CHOICE: ErrorSpec(400, _("“{value}” is not one of: {choices}.")),
    Code.IMPORT_NOT_A_FLAG: ErrorSpec(400, _("“{value}” is not yes or no (true or false).")),
    Code.IMPORT_BAD_TREES: ErrorSpec(
        400, _("“{value}” is not a list of trees in the form kind=count, e.g. apricot=4 walnut=2.")
    ),
    Code.IMPORT_UNKNOWN_PARENT: ErrorSpec(
        400, _("No {record} has the id {id}, neither in this file nor in the registry.")
    ),
    Code.IMPORT_BAD_PARENT: ErrorSpec(
        400, _("The {record} {id} this row refers to is bad (row {row}).")
    ),
    Code.IMPORT_AFTER_BAD_EVENT: ErrorSpec(
        400,
        _(
            "This event may be refused only because an earlier event of the same person "
            "was refused (row {row}): {detail}"
        ),
    ),
    Code.IMPORT_UNKNOWN_COLUMN: ErrorSpec(
        400, _("The column “{column}” is not part of the format.")
    ),
    Code.IMPORT_TOO_LONG: ErrorSpec(400, _("The value is longer than {max} characters.")),
    # Rows without an id are found by their natural key (keyholder/registry/matching.py).
    Code.IMPORT_NO_KEY: ErrorSpec(
        400,
        _(
            "A row without an id needs what identifies its record: the street or number of a "
            "house, the name of a household, the given name and birth year of a person, the "
            "kind and date of an event."
        ),
    ),
    Code.IMPORT_AMBIGUOUS: ErrorSpec(
        409,
        _(
            "More than one record of the registry fits this row; give the id of the one you "
            "mean (the export shows it)."
        ),
    ),
    Code.IMPORT_NOT_READY: ErrorSpec(
        409, _("This upload cannot be applied: it has bad rows, or it was applied already.")
    ),
    # The keeping service (keyholder/keeping/).
    Code.KEEPING_NOT_KEYHOLDER: ErrorSpec(400, _("The user “{value}” is not a keyholder.")),
    Code.KEEPING_NOT_OWNER: ErrorSpec(400, _("The user “{value}” is not an owner.")),
    # One answer for an unknown username, a user who is not an owner and an owner of another
    # house: which accounts exist is not for the requester to learn.
    Code.KEEPING_OWNER_NOT_OF_HOUSE: ErrorSpec(
        400, _("“{value}” is not an owner account of a household living in this house.")
    ),
    Code.KEEPING_HOUSE_OUT_OF_SCOPE: ErrorSpec(
        403, _("The house is outside the villages of the keyholder.")
    ),
    Code.KEEPING_HOUSE_ALREADY_KEPT: ErrorSpec(
        409, _("The house already has an agreement in force with a keyholder.")
    ),
    Code.KEEPING_END_BEFORE_START: ErrorSpec(400, _("The end {end} is before the start {start}.")),
    Code.KEEPING_BAD_TRANSITION: ErrorSpec(
        409, _("An agreement that is {status} cannot be changed this way ({action}).")
    ),
    Code.KEEPING_NOT_IN_FORCE: ErrorSpec(
        409, _("The agreement is not in force on {date}: nothing can be recorded for that day.")
    ),
    Code.KEEPING_DUTY_NEEDS_INTERVAL: ErrorSpec(
        400, _("This duty needs the number of days between two occurrences.")
    ),
    Code.KEEPING_DUTY_NEEDS_DATE: ErrorSpec(400, _("A one-off task needs its due date.")),
    Code.KEEPING_TIME_IN_FUTURE: ErrorSpec(400, _("The time {value} is in the future.")),
    # Payments and incidents: their own code, not a migration history's.
    Code.KEEPING_DATE_IN_FUTURE: ErrorSpec(400, _("The date {value} is in the future.")),
    Code.KEEPING_CHECKOUT_BEFORE_CHECKIN: ErrorSpec(
        400, _("The check-out time is before the check-in time.")
    ),
    Code.KEEPING_TASK_NOT_OF_AGREEMENT: ErrorSpec(
        400, _("The task {id} does not belong to this house.")
    ),
    Code.KEEPING_TASK_ALREADY_DONE: ErrorSpec(
        409, _("The task {id} was already fulfilled by another visit.")
    ),
    Code.KEEPING_BAD_CHECKLIST: ErrorSpec(
        400, _("The checklist answer “{item}” is not valid: {detail}")
    ),
    Code.KEEPING_BAD_AMOUNT: ErrorSpec(400, _("The amount {value} must be more than zero.")),
    Code.KEEPING_PHOTO_UNREADABLE: ErrorSpec(400, _("The file is not a photo that can be read.")),
    Code.KEEPING_PHOTO_TOO_LARGE: ErrorSpec(400, _("The photo is larger than 25 MB.")),
    Code.KEEPING_BAD_POSITION: ErrorSpec(
        400,
        _("The position needs a latitude between -90 and 90 and a longitude between -180 and 180."),
    ),
    Code.KEEPING_BAD_MONTH: ErrorSpec(400, _("“{value}” is not a month in the form YYYY-MM.")),
    # Owner invitations (keyholder/keeping/invites.py). An unknown, used or expired link gets
    # one answer: which links existed is not for the holder of a wrong one to learn.
    Code.KEEPING_INVITE_NEEDS_ADDRESS: ErrorSpec(
        400, _("Give the owner's email address or phone number, one of the two.")
    ),
    Code.KEEPING_INVITE_NO_HOUSEHOLD: ErrorSpec(
        400, _("No household of the registry lives in this house: add the household first.")
    ),
    Code.KEEPING_INVITE_NOT_VALID: ErrorSpec(
        404, _("This invitation link is not valid: it was used already or it has expired.")
    ),
    Code.KEEPING_INVITE_WEAK_PASSWORD: ErrorSpec(400, _("Choose another password: {detail}")),
    # One balance in the fee currency, and tasks done in their time.
    Code.KEEPING_RATE_REQUIRED: ErrorSpec(
        400,
        _(
            "A payment in {currency} for a fee in {fee_currency} needs the exchange rate "
            "agreed with the owner."
        ),
    ),
    Code.KEEPING_BAD_RATE: ErrorSpec(400, _("The exchange rate {value} must be more than zero.")),
    Code.KEEPING_SETTLED_MISMATCH: ErrorSpec(
        400,
        _(
            "{amount} at the rate {rate} settles {expected} {fee_currency}, "
            "not {value} {fee_currency}."
        ),
    ),
    Code.KEEPING_TASK_NOT_YET_DUE: ErrorSpec(
        400, _("The task due on {due} cannot be done on a visit of {date}, before it is due.")
    ),
    # A failed check on a visit must be shown: what was found, and a photo of it.
    Code.KEEPING_FAILED_CHECK_NEEDS_NOTE: ErrorSpec(
        400, _("A check found a problem ({item}): write in the notes what you found.")
    ),
    Code.KEEPING_FAILED_CHECK_NEEDS_PHOTO: ErrorSpec(
        400, _("A check found a problem ({item}): add a photo of it.")
    ),
    # Incidents resolved from the page, and visits an owner asks for.
    Code.KEEPING_RESOLUTION_NEEDS_NOTE: ErrorSpec(
        400, _("Say what was done about the incident before marking it resolved.")
    ),
    Code.KEEPING_INCIDENT_ALREADY_RESOLVED: ErrorSpec(409, _("This incident is already resolved.")),
    Code.KEEPING_VISIT_ALREADY_ASKED: ErrorSpec(
        409,
        _("You have already asked for a visit (due {date}); the keyholder has not made it yet."),
    ),
    # The migrant's legal calendar.
    Code.MIGRANT_EXIT_BEFORE_ENTRY: ErrorSpec(
        400, _("The day you left ({date}) is before the day you entered.")
    ),
    Code.MIGRANT_OVERLAPPING_TRIPS: ErrorSpec(
        400, _("This stay overlaps another stay in your record (entered {date}).")
    ),
    Code.MIGRANT_NEEDS_CONTACT: ErrorSpec(400, _("Give an email address or a phone number.")),
    Code.MIGRANT_CONTACT_TAKEN: ErrorSpec(
        400, _("An account with this email address or phone number already exists.")
    ),
    Code.MIGRANT_WEAK_PASSWORD: ErrorSpec(400, _("Choose a stronger password: {detail}")),
    Code.MIGRANT_UNTIL_BEFORE_START: ErrorSpec(
        400, _("The end date ({date}) is before the start date.")
    ),
    # Hardening (issue 13). A control character (NUL, backspace...) is never part of a name or
    # a note: PostgreSQL refuses NUL and spreadsheets refuse the rest.
    Code.INVALID_CONTROL_CHARACTER: ErrorSpec(
        400, _("The field “{field}” holds a control character ({char}); remove it.")
    ),
    # Over DATA_UPLOAD_MAX_MEMORY_SIZE or the upload limit (keyholder/core/limits.py).
    Code.REQUEST_TOO_LARGE: ErrorSpec(413, _("The request is larger than the server accepts.")),
    Code.REQUEST_TOO_MANY_FIELDS: ErrorSpec(
        400, _("The request has more fields than the server accepts.")
    ),
    # Checked from the image's header, before its pixels are decoded (keeping/photos.py).
    Code.KEEPING_PHOTO_TOO_MANY_PIXELS: ErrorSpec(
        400, _("The photo has more than {max} million pixels.")
    ),
    # SQLite answers "database is locked" when a long write (an import) outlasts the wait.
    Code.BUSY: ErrorSpec(503, _("The server is busy with another change; try again in a moment.")),
}


_uncatalogued = set(Code) ^ set(CATALOGUE)
if _uncatalogued:
    raise ImportError(f"error codes without a catalogue entry or a Code: {sorted(_uncatalogued)}")


class ServiceError(Exception):
    """A refused write or read, with a code from the catalogue."""

    def __init__(self, code: Code, field: str | None = None, **params: Any) -> None:
        # A code computed at run time is checked here: only catalogued codes are ever raised.
        if code not in CATALOGUE:
            raise KeyError(f"error code {code!r} is not in the catalogue")
        self.code = Code(code)
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
        body: dict[str, Any] = {"code": self.code.value, "message": self.message}
        if self.field:
            body["field"] = self.field
        return body


class ErrorOut(Schema):
    """The API's shape of a ``ServiceError``, for the OpenAPI document."""

    code: str
    message: str
    field: str | None = None
