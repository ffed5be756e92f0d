"""Typed shapes of the registry's API v1: what clients send and what they get back."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from ninja import Field, Schema

from keyholder.core.api import PLACE_CODE, SOME_TEXT, one_of
from keyholder.core.text import NOTE_MAX_LENGTH
from keyholder.registry.models import EventKind, Purpose, Relation, Sex, TreeKind

# The largest value of a PostgreSQL integer column.
MAX_INTEGER = 2**31 - 1
ID_HELP = "A UUID made by the client, so that a resend is recognised (optional)."


class StatusOut(Schema):
    state: str = Field(
        ...,
        description="not_yet, present, abroad, returned, deported, banned, moved, left or dead.",
    )
    since: dt.date | None
    country: str = Field("", description="ISO 3166-1 alpha-2 of the country abroad.")
    destination: str = ""
    ban_until: dt.date | None = None
    ban_country: str = ""


# Houses.


# A country as two Latin letters (ISO 3166-1 alpha-2), or none. In the schema only: the service
# refuses anything else with its own code (invalid.country).
COUNTRY: dict[str, Any] = {"pattern": "^([A-Za-z]{2})?$", "maxLength": 2}


class HouseIn(Schema):
    id: uuid.UUID | None = Field(None, description=ID_HELP)
    village: str = Field(
        ..., max_length=64, description="Code of the village.", json_schema_extra=PLACE_CODE
    )
    street: str = Field("", max_length=200)
    number: str = Field("", max_length=32)
    trees: dict[str, Annotated[int, Field(ge=0, le=MAX_INTEGER)]] = Field(
        default_factory=dict,
        description="Fruit trees by kind: " + ", ".join(TreeKind.values),
        json_schema_extra={"propertyNames": one_of(TreeKind.values)},
    )
    # Bounded as PostgreSQL's integer column is (SQLite would store far larger numbers).
    garden_area_m2: int | None = Field(None, ge=0, le=MAX_INTEGER)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    notes: str = Field("", max_length=NOTE_MAX_LENGTH)


class HouseOut(Schema):
    id: uuid.UUID
    village: str
    street: str
    number: str
    trees: dict[str, int]
    garden_area_m2: int | None
    latitude: float | None
    longitude: float | None
    notes: str
    is_sample: bool

    @staticmethod
    def resolve_village(obj: Any) -> str:
        return str(obj.village.code)

    @staticmethod
    def resolve_trees(obj: Any) -> dict[str, int]:
        return {tree.kind: tree.count for tree in obj.trees.all()}


class HousePage(Schema):
    count: int
    next: str | None
    results: list[HouseOut]


# Persons.


class PersonIn(Schema):
    id: uuid.UUID | None = Field(None, description=ID_HELP)
    household: uuid.UUID
    given_name: str = Field(..., min_length=1, max_length=100, json_schema_extra=SOME_TEXT)
    family_name: str = Field("", max_length=100)
    sex: str = Field(
        ..., description="One of: " + ", ".join(Sex.values), json_schema_extra=one_of(Sex)
    )
    # From 1900 to this year (the year the server started: a bound a year behind is only
    # stricter). Said in the schema only: the service refuses a year outside with its own code
    # (invalid.birth_year).
    birth_year: int = Field(
        ..., json_schema_extra={"minimum": 1900, "maximum": dt.date.today().year}
    )
    relation: str = Field(
        Relation.OTHER.value,
        description="One of: " + ", ".join(Relation.values),
        json_schema_extra=one_of(Relation),
    )
    phone: str = Field(
        "",
        max_length=32,
        description="Any common notation; stored in E.164 (+992...).",
        json_schema_extra={"pattern": r"^[0-9+() .-]*$"},
    )


# A person with their status on a date, read from a ``queries.PersonOnDate``.
class PersonWithStatusOut(Schema):
    id: uuid.UUID = Field(..., alias="person.id")
    household: uuid.UUID = Field(..., alias="person.household_id")
    village: str = Field(..., alias="person.household.village.code")
    given_name: str = Field(..., alias="person.given_name")
    family_name: str = Field(..., alias="person.family_name")
    sex: str = Field(..., alias="person.sex")
    birth_year: int = Field(..., alias="person.birth_year")
    relation: str = Field(..., alias="person.relation")
    phone: str = Field(..., alias="person.phone")
    is_sample: bool = Field(..., alias="person.is_sample")
    status: StatusOut | None = Field(None, description="The status on the date asked (`on`).")


# The fields of ``StatusOut`` and whose status it is, read from a ``queries.PersonOnDate``.
class PersonStatusOut(Schema):
    state: str = Field(
        ...,
        alias="status.state",
        description="not_yet, present, abroad, returned, deported, banned, moved, left or dead.",
    )
    since: dt.date | None = Field(..., alias="status.since")
    country: str = Field(
        "", alias="status.country", description="ISO 3166-1 alpha-2 of the country abroad."
    )
    destination: str = Field("", alias="status.destination")
    ban_until: dt.date | None = Field(None, alias="status.ban_until")
    ban_country: str = Field("", alias="status.ban_country")
    person: uuid.UUID = Field(..., alias="person.id")
    on: dt.date


class PersonPage(Schema):
    count: int
    next: str | None
    results: list[PersonWithStatusOut]


# Households.


class HouseholdIn(Schema):
    id: uuid.UUID | None = Field(None, description=ID_HELP)
    village: str = Field(
        ..., max_length=64, description="Code of the village.", json_schema_extra=PLACE_CODE
    )
    name: str = Field(..., min_length=1, max_length=200, json_schema_extra=SOME_TEXT)
    house: uuid.UUID | None = None
    notes: str = Field("", max_length=NOTE_MAX_LENGTH)


class HouseholdOut(Schema):
    id: uuid.UUID
    village: str
    house: uuid.UUID | None = Field(None, alias="house_id")
    name: str
    notes: str
    is_sample: bool

    @staticmethod
    def resolve_village(obj: Any) -> str:
        return str(obj.village.code)


# A household with its members, read from a ``queries.HouseholdOnDate``.
class HouseholdDetailOut(Schema):
    id: uuid.UUID = Field(..., alias="household.id")
    village: str = Field(..., alias="household.village.code")
    house: uuid.UUID | None = Field(None, alias="household.house_id")
    name: str = Field(..., alias="household.name")
    notes: str = Field(..., alias="household.notes")
    is_sample: bool = Field(..., alias="household.is_sample")
    members: list[PersonWithStatusOut]


class HouseholdPage(Schema):
    count: int
    next: str | None
    results: list[HouseholdOut]


# A member's status, read from a ``queries.PersonOnDate``.
class MemberStatusOut(Schema):
    person: uuid.UUID = Field(..., alias="person.id")
    name: str = Field(..., alias="person.full_name")
    status: StatusOut


# A household's status on a date, read from a ``queries.HouseholdOnDate``.
class HouseholdStatusOut(Schema):
    household: uuid.UUID = Field(..., alias="household.id")
    on: dt.date
    state: str = Field(
        ..., alias="status.state", description="present, fully_abroad, away or empty."
    )
    vacant: bool = Field(
        ...,
        alias="status.vacant",
        description="True when nobody of the household lives in the house.",
    )
    members_total: int = Field(
        ...,
        alias="status.members_total",
        description="Living members of the household on that date.",
    )
    present: int = Field(..., alias="status.present")
    abroad: int = Field(..., alias="status.abroad")
    moved: int = Field(..., alias="status.moved")
    members: list[MemberStatusOut]


# Migration events.


class EventIn(Schema):
    id: uuid.UUID | None = Field(None, description=ID_HELP)
    kind: str = Field(
        ...,
        description="One of: " + ", ".join(EventKind.values),
        json_schema_extra=one_of(EventKind),
    )
    date: dt.date
    country: str = Field(
        "",
        description="ISO 3166-1 alpha-2 (departures, deportations, bans).",
        json_schema_extra=COUNTRY,
    )
    destination: str = Field("", max_length=200, description="Region or city abroad.")
    purpose: str = Field(
        "",
        description="One of: " + ", ".join(Purpose.values),
        json_schema_extra=one_of(["", *Purpose]),
    )
    until: dt.date | None = Field(None, description="Last day of an entry ban.")
    moved_to: str | None = Field(
        None,
        max_length=64,
        description="Code of the place moved to (moves).",
        json_schema_extra=PLACE_CODE,
    )
    note: str = Field("", max_length=NOTE_MAX_LENGTH)


class EventOut(Schema):
    id: uuid.UUID
    person: uuid.UUID = Field(..., alias="person_id")
    kind: str
    date: dt.date
    country: str
    destination: str
    purpose: str
    until: dt.date | None
    moved_to: str | None
    note: str
    is_sample: bool

    @staticmethod
    def resolve_moved_to(obj: Any) -> str | None:
        return obj.moved_to.code if obj.moved_to_id else None


class EventPage(Schema):
    count: int
    next: str | None
    results: list[EventOut]


# Corrections of events.

REASON_HELP = (
    "Why the event is corrected or removed (required, at most 500 characters): kept in the "
    "person's history of corrections and in the audit log."
)


class EventCorrectionIn(Schema):
    """The fields to change, and why. A field left out keeps its value; when the kind changes,
    the details the new kind does not have are cleared (a value sent for one is refused)."""

    kind: str | None = Field(
        None,
        description="One of: " + ", ".join(EventKind.values),
        json_schema_extra=one_of(EventKind),
    )
    date: dt.date | None = None
    country: str | None = Field(
        None,
        description="ISO 3166-1 alpha-2 (departed, deported, entry_ban).",
        json_schema_extra=COUNTRY,
    )
    destination: str | None = Field(None, max_length=200, description="Region or city (departed).")
    purpose: str | None = Field(
        None,
        description="One of: " + ", ".join(Purpose.values),
        json_schema_extra=one_of(["", *Purpose]),
    )
    until: dt.date | None = Field(None, description="Last day of an entry ban (entry_ban).")
    moved_to: str | None = Field(
        None,
        max_length=64,
        description="Code of the place moved to (moved).",
        json_schema_extra=PLACE_CODE,
    )
    note: str | None = Field(None, max_length=NOTE_MAX_LENGTH)
    reason: str = Field(..., max_length=500, description=REASON_HELP)


class EventRemovalIn(Schema):
    reason: str = Field(..., max_length=500, description=REASON_HELP)


class EventCorrectionOut(Schema):
    id: int
    event: uuid.UUID = Field(..., alias="event_id")
    person: uuid.UUID = Field(..., alias="person_id")
    action: str = Field(..., description="corrected or removed.")
    before: dict[str, Any] = Field(..., description="The event as it was.")
    after: dict[str, Any] | None = Field(
        None, description="The event as it became; null when it was removed."
    )
    reason: str
    by: str | None = Field(None, description="Username of who made the change.")
    at: dt.datetime

    @staticmethod
    def resolve_by(obj: Any) -> str | None:
        return obj.by.username if obj.by_id else None


class EventCorrectionPage(Schema):
    count: int
    next: str | None
    results: list[EventCorrectionOut]
