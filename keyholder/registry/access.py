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
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, QuerySet

from keyholder.accounts.access import (
    NOTHING,
    area_q,
    is_authenticated,
    place_in_area,
    scope_places,
)
from keyholder.accounts.models import AuditLog, Role, User
from keyholder.accounts.services import audit
from keyholder.core.errors import ServiceError
from keyholder.places.models import Place, PlaceKind, subtree_q
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
    houses = House.objects.select_related("village").prefetch_related("trees")
    if not is_authenticated(user):
        return houses.none()
    assert isinstance(user, User)
    if user.role == Role.OWNER and not user.is_admin:
        # Without a household an owner sees nothing (a filter on None would match houses
        # that no household lives in).
        if user.household_id is None:
            return houses.none()
        return houses.filter(pk__in=Household.objects.filter(pk=user.household_id).values("house"))
    return houses.filter(area_q(user, "village__"))


def events_for(user: Any) -> QuerySet[MigrationEvent]:
    return MigrationEvent.objects.filter(_household_q(user, "person__household__"))


def _parse_id(value: object) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise ServiceError("not_found") from exc


def get_household(user: Any, household_id: object, *, audited: bool = True) -> Household:
    """One household the user may see; ``audited=False`` when it is only the target of a write."""
    household = households_for(user).filter(pk=_parse_id(household_id)).first()
    if household is None:
        raise ServiceError("not_found")
    if audited:
        audit(user, AuditLog.Action.READ, "household", household.pk)
    return household


def get_person(user: Any, person_id: object, *, audited: bool = True) -> Person:
    """One person the user may see; ``audited=False`` when it is only the target of a write."""
    person = persons_for(user).filter(pk=_parse_id(person_id)).first()
    if person is None:
        raise ServiceError("not_found")
    if audited:
        audit(user, AuditLog.Action.READ, "person", person.pk)
    return person


def get_house(user: Any, house_id: object) -> House:
    house = houses_for(user).filter(pk=_parse_id(house_id)).first()
    if house is None:
        raise ServiceError("not_found")
    return house


# Pages: which places a user may open, whether they may write, and audited member reads.


def can_write(user: Any, village: Place) -> bool:
    """Administrators and the enumerators of the village see the forms and may post them."""
    if not is_authenticated(user):
        return False
    assert isinstance(user, User)
    if not (user.is_admin or user.role == Role.ENUMERATOR):
        return False
    return place_in_area(user, village)


def _anchors(user: User) -> list[Place]:
    """The places a user's area hangs from: their scope, or an owner's own village."""
    if user.role == Role.OWNER and not user.is_admin:
        if user.household_id is None:
            return []
        return list(Place.objects.filter(households__pk=user.household_id))
    return scope_places(user)


def _viewable_place_q(user: Any) -> Q:
    """Places inside the user's area, and the chain of their ancestors for navigation."""
    if not is_authenticated(user):
        return NOTHING
    assert isinstance(user, User)
    if user.is_admin:
        return Q()
    anchors = _anchors(user)
    if not anchors:
        return NOTHING
    ancestor_codes = {code for a in anchors for code in a.path.split("/")}
    return reduce(or_, (subtree_q(a) for a in anchors), Q(code__in=ancestor_codes))


def get_place(user: Any, code: str) -> Place:
    """A place the user may open, or ``not_found`` (an outsider cannot tell it exists)."""
    place = Place.objects.filter(_viewable_place_q(user), code=code).first()
    if place is None:
        raise ServiceError("not_found")
    return place


def viewable_children(user: Any, place: Place) -> list[Place]:
    return list(Place.objects.filter(_viewable_place_q(user), parent=place).order_by("code"))


def viewable_codes(user: Any, codes: list[str]) -> set[str]:
    """Which of these place codes the user may open (breadcrumbs link only to those)."""
    return set(
        Place.objects.filter(_viewable_place_q(user), code__in=codes).values_list("code", flat=True)
    )


def home_place(user: Any) -> Place | None:
    """The page a user lands on: the first place of their scope, or the country."""
    if not is_authenticated(user):
        return None
    assert isinstance(user, User)
    if user.is_admin:
        return Place.objects.filter(parent__isnull=True).order_by("code").first()
    anchors = _anchors(user)
    return anchors[0] if anchors else None


def place_by_code(code: str) -> Place | None:
    """Places are public reference data; a move may name any of them."""
    return Place.objects.filter(code=code.strip().upper()).first() if code.strip() else None


def members_of(user: Any, household: Household) -> list[Person]:
    """The members of a household the user may see, each read written to the audit log."""
    members = list(persons_for(user).filter(household=household))
    AuditLog.objects.bulk_create(
        AuditLog(
            user=user if is_authenticated(user) else None,
            action=AuditLog.Action.READ,
            object_type="person",
            object_id=str(person.pk),
            detail={"via": "household"},
        )
        for person in members
    )
    return members


def move_destinations(village: Place) -> list[Place]:
    """Places a move is usually to: the rest of the village's district, and every district."""
    district_path = "/".join(village.path.split("/")[:3])
    return list(
        Place.objects.filter(Q(path__startswith=district_path + "/") | Q(kind=PlaceKind.DISTRICT))
        .exclude(pk=village.pk)
        .order_by("path")
    )
