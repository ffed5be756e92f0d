"""Reads of the registry, scoped by role and area. Views and the API read only through here.

- administrator: everything;
- officer: households inside their district, region or country;
- enumerator: households of their villages;
- keyholder: the houses entrusted to them (an agreement in force, which the keeping app above
  names through ``entrusted_houses``), and nothing else of the registry: no household, person,
  status or event (issue 13, item 6). The owners' names and contacts come with the agreement,
  from the keeping app; a house to take into care is chosen from ``houses_to_choose``
  (addresses only);
- owner: their own household;
- anonymous: nothing.

Reading one person's record writes an audit row.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
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
from keyholder.accounts.services import audit, audit_list
from keyholder.core.errors import Code, ServiceError
from keyholder.places.models import Place, PlaceKind, subtree_q
from keyholder.registry.models import House, Household, MigrationEvent, Person, StatusSpan
from keyholder.registry.queries import persons_under

# Which houses are entrusted to a keyholder: the keeping app (a layer above, which the registry
# does not import) gives a query of their ids in its AppConfig.ready. Without it, none.
_entrusted: Callable[[User], QuerySet[Any]] | None = None


def entrusted_houses(provider: Callable[[User], QuerySet[Any]]) -> None:
    """Register the query of the house ids entrusted to a keyholder (one provider)."""
    global _entrusted
    _entrusted = provider


def _entrusted_ids(user: User) -> QuerySet[Any] | list[Any]:
    return [] if _entrusted is None else _entrusted(user)


def is_narrowed(user: Any) -> bool:
    """A keyholder: sees entrusted houses, never the registry's households, persons or events."""
    return (
        is_authenticated(user)
        and getattr(user, "role", None) == Role.KEYHOLDER
        and not getattr(user, "is_admin", False)
    )


def _household_q(user: Any, prefix: str = "") -> Q:
    if not is_authenticated(user) or is_narrowed(user):
        return NOTHING
    assert isinstance(user, User)
    if user.role == Role.OWNER and not user.is_admin:
        if user.household_id is None:
            return NOTHING
        return Q(**{f"{prefix}pk": user.household_id})
    if user.is_admin:
        return Q()
    # The village's id among the area's places (a subquery), as ``spans_for`` does, rather
    # than the village joined and its path tested per household: the database then reads the
    # area's villages first and their households by index. An enumerator's 3,886 persons on
    # the demo were counted in 0.140 s by the join (every person of the registry tested), in
    # 0.001 s so; a district's 227,069 in 0.129 s and 0.057 s.
    return Q(**{f"{prefix}village_id__in": _area_place_ids(user)})


def _area_place_ids(user: Any) -> QuerySet[Any]:
    """The ids of the places inside the user's area, as a subquery."""
    return Place.objects.filter(area_q(user)).values("pk")


def households_for(user: Any) -> QuerySet[Household]:
    return Household.objects.filter(_household_q(user)).select_related("village", "house")


def persons_for(user: Any) -> QuerySet[Person]:
    return Person.objects.filter(_household_q(user, "household__")).select_related(
        "household", "household__village"
    )


def persons_in(user: Any, place: Place | None) -> QuerySet[Person]:
    """``persons_for`` under ``place`` (None: in the user's whole area, which for an area of
    one place is that place). When the place lies inside the user's area, every person under
    it is the user's to see: the place alone selects them (a district, one range of
    ``person_district_names``), and the area is not tested person by person. Testing it joined
    each of a district's persons to their household and village: counting Asht's 227,069 on
    the demo took 0.88 s of the plain list's 1.0 s, against 0.017 s."""
    area = _area_places(user)
    if place is None:
        if len(area) != 1:
            return persons_for(user)
        place = area[0]
    if not is_narrowed(user) and place_in_area(user, place):
        return persons_under(
            Person.objects.select_related("household", "household__village"), place
        )
    if area and all(root.is_within(place) for root in area):
        # The other way round, the place adds nothing to the area (an enumerator's village
        # inside the district asked for): tested person by person, the district's persons
        # would all be read to find the area's.
        return persons_for(user)
    return persons_under(persons_for(user), place)


def _area_places(user: Any) -> list[Place]:
    """The places at the root of an officer's or an enumerator's area (none for anyone else:
    administrators, owners, keyholders, anonymous)."""
    if not is_authenticated(user) or is_narrowed(user):
        return []
    assert isinstance(user, User)
    if user.is_admin or user.role == Role.OWNER:
        return []
    return scope_places(user)


def spans_for(user: Any) -> QuerySet[StatusSpan]:
    """The status spans of the persons ``persons_for`` gives, scoped the same way but on the
    spans' own columns (their village id, or the owner's household), so that a count by state
    never joins a person."""
    if not is_authenticated(user):
        return StatusSpan.objects.none()
    assert isinstance(user, User)
    if user.is_admin:
        return StatusSpan.objects.all()
    if user.role == Role.OWNER:
        if user.household_id is None:
            return StatusSpan.objects.none()
        return StatusSpan.objects.filter(household_id=user.household_id)
    return StatusSpan.objects.filter(village_id__in=_area_place_ids(user))


def search_villages(user: Any, place: Place | None = None) -> QuerySet[Any] | None:
    """The places (ids, a subquery) whose households and persons ``households_for`` and
    ``persons_for`` give the user by area, inside ``place`` if given: a search confined to them
    is answered from the word rows, which carry their record's village (``search.Found``).
    None when the user's scope is no area (an owner's household): their search narrows the
    scoped queryset instead. Nothing for a keyholder or anyone signed out, as those give."""
    if not is_authenticated(user) or is_narrowed(user):
        return Place.objects.none().values("pk")
    assert isinstance(user, User)
    if user.role == Role.OWNER and not user.is_admin:
        return None
    places = Place.objects.filter(area_q(user))
    if place is not None:
        places = places.filter(subtree_q(place))
    return places.values("pk")


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
    houses = houses.filter(area_q(user, "village__"))
    if is_narrowed(user):
        return houses.filter(pk__in=_entrusted_ids(user))
    return houses


def houses_to_choose(user: Any) -> QuerySet[House]:
    """The houses of the user's villages by address only, to choose one to take into care.

    Not a read of the registry's records: the caller shows the address and nothing of who
    lives there or whether anyone does.
    """
    if not is_authenticated(user):
        return House.objects.none()
    if getattr(user, "role", None) == Role.OWNER:
        # An owner has no area: their own house.
        return houses_for(user)
    return House.objects.filter(area_q(user, "village__")).select_related("village")


def events_for(user: Any) -> QuerySet[MigrationEvent]:
    return MigrationEvent.objects.filter(_household_q(user, "person__household__"))


def _parse_id(value: object) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise ServiceError(Code.NOT_FOUND) from exc


def get_household(user: Any, household_id: object, *, audited: bool = True) -> Household:
    """One household the user may see; ``audited=False`` when it is only the target of a write."""
    household = households_for(user).filter(pk=_parse_id(household_id)).order_by().first()
    if household is None:
        raise ServiceError(Code.NOT_FOUND)
    if audited:
        audit(user, AuditLog.Action.READ, "household", household.pk)
    return household


def get_person(user: Any, person_id: object, *, audited: bool = True) -> Person:
    """One person the user may see; ``audited=False`` when it is only the target of a write."""
    # order_by(): the default ordering (household, then its village's path...) would make the
    # database sort, and Django compile, four joined columns for a lookup of one id.
    person = persons_for(user).filter(pk=_parse_id(person_id)).order_by().first()
    if person is None:
        raise ServiceError(Code.NOT_FOUND)
    if audited:
        audit(user, AuditLog.Action.READ, "person", person.pk)
    return person


def get_event(user: Any, event_id: object) -> MigrationEvent:
    """One event of a person the user may see, as the target of a correction or removal (the
    write is audited, not the read)."""
    event = (
        events_for(user)
        .select_related("person__household__village", "moved_to")
        .filter(pk=_parse_id(event_id))
        .order_by()
        .first()
    )
    if event is None:
        raise ServiceError(Code.NOT_FOUND)
    return event


def get_house(user: Any, house_id: object) -> House:
    house = houses_for(user).filter(pk=_parse_id(house_id)).order_by().first()
    if house is None:
        raise ServiceError(Code.NOT_FOUND)
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


def members_of(user: Any, household: Household) -> list[Person]:
    """The members of a household the user may see; ONE audit row (``read_list`` of persons,
    the household's id as its object) names them all, whatever their number."""
    members = list(persons_for(user).filter(household=household))
    audit_list(
        user,
        "person",
        {"household": household.pk},
        [person.pk for person in members],
        object_id=household.pk,
        via="household",
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
