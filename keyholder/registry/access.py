"""Reads of the registry, scoped by role and area. Views and the API read only through here.

- administrator: everything;
- officer: households inside their district, region or country;
- enumerator and keyholder: households of their villages;
- owner: their own household;
- anonymous: nothing.

Reading one person's record writes an audit row.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet

from keyholder.accounts.access import NOTHING, area_q, is_authenticated
from keyholder.accounts.models import AuditLog, Role, User
from keyholder.accounts.services import audit
from keyholder.errors import ServiceError
from keyholder.registry.models import House, Household, MigrationEvent, Person


def _household_q(user: Any, prefix: str = "") -> Q:
    if not is_authenticated(user):
        return NOTHING
    assert isinstance(user, User)
    if user.role == Role.OWNER and not user.is_admin:
        if user.household_id is None:
            return NOTHING
        return Q(**{f"{prefix}pk": user.household_id})
    return area_q(user, f"{prefix}village__")


def households_for(user: Any) -> QuerySet[Household]:
    return Household.objects.filter(_household_q(user)).select_related("village", "house")


def persons_for(user: Any) -> QuerySet[Person]:
    return Person.objects.filter(_household_q(user, "household__")).select_related(
        "household", "household__village"
    )


def houses_for(user: Any) -> QuerySet[House]:
    if not is_authenticated(user):
        return House.objects.none()
    assert isinstance(user, User)
    if user.role == Role.OWNER and not user.is_admin:
        return House.objects.filter(households__pk=user.household_id).distinct()
    return House.objects.filter(area_q(user, "village__"))


def events_for(user: Any) -> QuerySet[MigrationEvent]:
    return MigrationEvent.objects.filter(_household_q(user, "person__household__"))


def _parse_id(value: object) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise ServiceError("not_found") from exc


def get_household(user: Any, household_id: object) -> Household:
    household = households_for(user).filter(pk=_parse_id(household_id)).first()
    if household is None:
        raise ServiceError("not_found")
    audit(user, AuditLog.Action.READ, "household", household.pk)
    return household


def get_person(user: Any, person_id: object) -> Person:
    person = persons_for(user).filter(pk=_parse_id(person_id)).first()
    if person is None:
        raise ServiceError("not_found")
    audit(user, AuditLog.Action.READ, "person", person.pk)
    return person


def get_house(user: Any, house_id: object) -> House:
    house = houses_for(user).filter(pk=_parse_id(house_id)).first()
    if house is None:
        raise ServiceError("not_found")
    return house
