"""What each user's phone carries: the records of their scope, by type, and their data.

Reads go through the apps' access functions only; this module narrows them to what a day in
the field needs and says how each record is written out. Nothing outside the scope ever:

- a keyholder: the houses entrusted to them (agreements where they are the keyholder, active
  or paused), those agreements with the owners' first names, their duties, the tasks of the
  next ``TASK_DAYS`` days and the overdue ones, and the water turns of their villages. Nothing
  else of the registry (no households, persons, events, statuses or phone numbers).
- an enumerator: the houses, households, persons and events of their villages.
- anyone else: nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from ninja import Field, Schema

from keyholder.accounts.models import Role, User
from keyholder.keeping import access as keeping_access
from keyholder.keeping.models import AgreementStatus, TaskStatus
from keyholder.registry import access as registry_access

# Tasks due up to this many days ahead travel to the phone (with every overdue one).
TASK_DAYS = 14
# Water turns from this many days back (a turn entered late still has its task).
WATER_TURN_DAYS_BACK = 31


class HouseData(Schema):
    """A house as a keyholder's phone sees it: where it is and its garden, nothing more."""

    village: str = Field(..., alias="village.code", description="Code of the village.")
    street: str
    number: str
    latitude: float | None
    longitude: float | None
    garden_area_m2: int | None
    trees: dict[str, int] = Field(..., description="Fruit trees by kind.")

    @staticmethod
    def resolve_trees(obj: Any) -> dict[str, int]:
        return {t.kind: t.count for t in obj.trees.all()}


class RegistryHouseData(HouseData):
    """A house as an enumerator's phone sees it: with its notes."""

    notes: str


class AgreementData(Schema):
    house: uuid.UUID = Field(..., alias="house_id")
    start: dt.date
    end: dt.date | None
    status: str = Field(..., description="active or paused")
    fee_amount: str
    fee_currency: str
    fee_period: str
    notes: str
    owners: list[str] = Field(..., description="The owners' first names only.")

    @staticmethod
    def resolve_fee_amount(obj: Any) -> str:
        return str(obj.fee_amount)

    @staticmethod
    def resolve_owners(obj: Any) -> list[str]:
        return sorted(o.first_name for o in obj.owners.all() if o.first_name)


class DutyData(Schema):
    agreement: uuid.UUID = Field(..., alias="agreement_id")
    kind: str
    title: str
    every_days: int | None
    follows_water_turns: bool
    starts_on: dt.date
    due_date: dt.date | None
    active: bool


class TaskData(Schema):
    agreement: uuid.UUID = Field(..., alias="agreement_id")
    duty: uuid.UUID = Field(..., alias="duty_id")
    kind: str
    title: str = Field(..., alias="duty.title")
    due_date: dt.date
    status: str = Field(..., description="due, done or missed")


class WaterTurnData(Schema):
    village: str = Field(..., alias="village.code")
    date: dt.date
    note: str


class HouseholdData(Schema):
    village: str = Field(..., alias="village.code")
    house: uuid.UUID | None = Field(None, alias="house_id")
    name: str
    notes: str


class PersonData(Schema):
    household: uuid.UUID = Field(..., alias="household_id")
    given_name: str
    family_name: str
    sex: str
    birth_year: int
    relation: str
    phone: str


class EventData(Schema):
    person: uuid.UUID = Field(..., alias="person_id")
    kind: str
    date: dt.date
    country: str
    destination: str
    purpose: str
    until: dt.date | None
    moved_to: str | None

    note: str

    @staticmethod
    def resolve_moved_to(obj: Any) -> str | None:
        return obj.moved_to.code if obj.moved_to_id else None


@dataclass(frozen=True)
class Kind:
    """One type of record on the phone: its rows in the user's scope and how it is written."""

    name: str
    rows: Callable[[User, dt.date], QuerySet[Any]]
    schema: type[Schema]

    def data(self, obj: Any) -> dict[str, Any]:
        return self.schema.from_orm(obj).model_dump(mode="json")


def _agreements(user: User) -> QuerySet[Any]:
    return keeping_access.agreements_for(user).filter(
        status__in=[AgreementStatus.ACTIVE, AgreementStatus.PAUSED]
    )


def _kept_houses(user: User, today: dt.date) -> QuerySet[Any]:
    return registry_access.houses_for(user).filter(pk__in=_agreements(user).values("house"))


def _kept_agreements(user: User, today: dt.date) -> QuerySet[Any]:
    return _agreements(user).prefetch_related(
        Prefetch("owners", queryset=User.objects.only("id", "first_name"))
    )


def _duties(user: User, today: dt.date) -> QuerySet[Any]:
    return keeping_access.duties_for(user).filter(agreement__in=_agreements(user).values("pk"))


def _tasks(user: User, today: dt.date) -> QuerySet[Any]:
    window = Q(due_date__gte=today, due_date__lte=today + dt.timedelta(days=TASK_DAYS))
    overdue = Q(status=TaskStatus.DUE, due_date__lt=today)
    return keeping_access.tasks_for(user).filter(
        window | overdue, agreement__in=_agreements(user).values("pk")
    )


def _water_turns(user: User, today: dt.date) -> QuerySet[Any]:
    return keeping_access.water_turns_for(user).filter(
        date__gte=today - dt.timedelta(days=WATER_TURN_DAYS_BACK)
    )


def _registry_houses(user: User, today: dt.date) -> QuerySet[Any]:
    return registry_access.houses_for(user)


def _households(user: User, today: dt.date) -> QuerySet[Any]:
    return registry_access.households_for(user)


def _persons(user: User, today: dt.date) -> QuerySet[Any]:
    return registry_access.persons_for(user)


def _events(user: User, today: dt.date) -> QuerySet[Any]:
    return registry_access.events_for(user).select_related("moved_to")


# In the order a phone applies them: a record comes after the records it refers to.
KEYHOLDER_KINDS = (
    Kind("house", _kept_houses, HouseData),
    Kind("agreement", _kept_agreements, AgreementData),
    Kind("duty", _duties, DutyData),
    Kind("task", _tasks, TaskData),
    Kind("water_turn", _water_turns, WaterTurnData),
)
ENUMERATOR_KINDS = (
    Kind("house", _registry_houses, RegistryHouseData),
    Kind("household", _households, HouseholdData),
    Kind("person", _persons, PersonData),
    Kind("event", _events, EventData),
)
TYPE_ORDER = {
    k.name: i
    for i, k in enumerate([*KEYHOLDER_KINDS, *(k for k in ENUMERATOR_KINDS if k.name != "house")])
}


def kinds_for(user: User) -> tuple[Kind, ...]:
    """The record types a user's phone carries: by role, administrators included in none (the
    field app is the keyholders' and the enumerators')."""
    if user.role == Role.KEYHOLDER:
        return KEYHOLDER_KINDS
    if user.role == Role.ENUMERATOR:
        return ENUMERATOR_KINDS
    return ()


def digest(data: dict[str, Any]) -> str:
    raw = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


Key = tuple[str, str]


def snapshot(user: User) -> dict[Key, str]:
    """Every record of the user's scope now, by (type, id), with the digest of its data."""
    today = timezone.localdate()
    found: dict[Key, str] = {}
    for kind in kinds_for(user):
        for obj in kind.rows(user, today).order_by().iterator(chunk_size=1000):
            found[(kind.name, str(obj.pk))] = digest(kind.data(obj))
    return found


def load(user: User, keys: Iterable[Key]) -> dict[Key, dict[str, Any]]:
    """The data of these records, those still in the user's scope (one query per type)."""
    today = timezone.localdate()
    wanted: dict[str, list[str]] = {}
    for type_, record_id in keys:
        wanted.setdefault(type_, []).append(record_id)
    out: dict[Key, dict[str, Any]] = {}
    for kind in kinds_for(user):
        ids = wanted.get(kind.name)
        if not ids:
            continue
        for obj in kind.rows(user, today).filter(pk__in=ids).order_by():
            out[(kind.name, str(obj.pk))] = kind.data(obj)
    return out
