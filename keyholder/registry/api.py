"""API v1 endpoints of the registry: houses, households, persons and their events.

Endpoints stay thin: reads come through ``access.py`` (scoped by role and area, person reads
audited), writes through the ``do_*`` services, statuses from ``queries.py`` with one events
query per page.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from keyholder.accounts.access import require_user
from keyholder.accounts.services import audit_list
from keyholder.core.api import READ, WRITE, page_of
from keyholder.core.errors import Code, ServiceError
from keyholder.core.idempotency import created_status
from keyholder.core.pagination import Page, PageQuery, paginate
from keyholder.places.models import Place, require_place, subtree_q
from keyholder.registry import access
from keyholder.registry.models import House, Household, MigrationEvent
from keyholder.registry.queries import (
    HouseholdOnDate,
    PersonOnDate,
    household_on,
    persons_in_state,
    persons_on,
)
from keyholder.registry.schemas import (
    EventIn,
    EventOut,
    EventPage,
    HouseholdDetailOut,
    HouseholdIn,
    HouseholdOut,
    HouseholdPage,
    HouseholdStatusOut,
    HouseIn,
    HouseOut,
    HousePage,
    PersonIn,
    PersonPage,
    PersonStatusOut,
    PersonWithStatusOut,
)
from keyholder.registry.services import (
    do_create_house,
    do_create_household,
    do_create_person,
    do_record_event,
    today,
    village_by_code,
)
from keyholder.registry.status import State

router = Router(tags=["registry"])

HOUSE_ORDER = ("street", "number", "id")
HOUSEHOLD_ORDER = ("name", "id")
PERSON_ORDER = ("family_name", "given_name", "id")
EVENT_ORDER = ("date", "id")

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class OnQuery(Schema):
    on: str | None = Field(None, description="The date asked, YYYY-MM-DD; today by default.")


class PlaceFilter(Schema):
    place: str | None = Field(None, description="Code of a place: everything inside it.")


class PersonFilters(PlaceFilter):
    household: uuid.UUID | None = None
    status: str | None = Field(None, description="One of: " + ", ".join(State.ALL))
    on: str | None = Field(None, description="Date of the status, YYYY-MM-DD; today by default.")


def parse_on(value: str | None) -> dt.date:
    if not value:
        return today()
    try:
        if not _DATE.fullmatch(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ServiceError(Code.INVALID_DATE, field="on", value=value) from exc


def audited(request: HttpRequest, object_type: str, ids: list[object]) -> None:
    """One audit row for the page of records this request shows: its filter, count and ids."""
    audit_list(request.user, object_type, request.GET.dict(), ids, via="api")


def _place(code: str, field: str) -> Place:
    # Places are public reference data, not protected records.
    return require_place(code, field)


# Houses.


@router.get("/houses", response={200: HousePage, **READ}, summary="Houses the user may see")
def list_houses(
    request: HttpRequest, filters: Query[PlaceFilter], page: Query[PageQuery]
) -> Page[House]:
    houses = access.houses_for(request.user)
    if filters.place:
        houses = houses.filter(subtree_q(_place(filters.place, "place"), "village__"))
    result = paginate(houses, HOUSE_ORDER, page.cursor, page.limit)
    audited(request, "house", [house.pk for house in result.results])
    return result


@router.post("/houses", response={200: HouseOut, 201: HouseOut, **WRITE}, summary="Add a house")
def create_house(request: HttpRequest, payload: HouseIn) -> tuple[int, House]:
    house, created = do_create_house(
        actor=require_user(request.user),
        village=village_by_code(payload.village),
        street=payload.street,
        number=payload.number,
        trees=payload.trees,
        garden_area_m2=payload.garden_area_m2,
        latitude=payload.latitude,
        longitude=payload.longitude,
        notes=payload.notes,
        id=payload.id,
    )
    return created_status(house, created)


@router.get("/houses/{house_id}", response={200: HouseOut, **READ}, summary="One house")
def get_house(request: HttpRequest, house_id: uuid.UUID) -> House:
    return access.get_house(request.user, house_id)


# Households.


@router.get(
    "/households", response={200: HouseholdPage, **READ}, summary="Households the user may see"
)
def list_households(
    request: HttpRequest, filters: Query[PlaceFilter], page: Query[PageQuery]
) -> Page[Household]:
    households = access.households_for(request.user)
    if filters.place:
        households = households.filter(subtree_q(_place(filters.place, "place"), "village__"))
    result = paginate(households, HOUSEHOLD_ORDER, page.cursor, page.limit)
    audited(request, "household", [household.pk for household in result.results])
    return result


@router.post(
    "/households",
    response={200: HouseholdOut, 201: HouseholdOut, **WRITE},
    summary="Add a household",
)
def create_household(request: HttpRequest, payload: HouseholdIn) -> tuple[int, Household]:
    user = require_user(request.user)
    house = None
    if payload.house is not None:
        house = access.houses_for(user).filter(pk=payload.house).first()
        if house is None:
            raise ServiceError(Code.INVALID_FIELD, field="house", detail=str(payload.house))
    household, created = do_create_household(
        actor=user,
        village=village_by_code(payload.village),
        name=payload.name,
        house=house,
        notes=payload.notes,
        id=payload.id,
    )
    return created_status(household, created)


@router.get(
    "/households/{household_id}",
    response={200: HouseholdDetailOut, **READ},
    summary="One household with its members and their status today",
)
def get_household(request: HttpRequest, household_id: uuid.UUID) -> HouseholdOnDate:
    household = access.get_household(request.user, household_id)
    # Each member's record is in the answer: each read is audited, as on the household page.
    members = access.members_of(request.user, household)
    return household_on(household, members, today())


@router.get(
    "/households/{household_id}/status",
    response={200: HouseholdStatusOut, **READ},
    summary="Whether the household is present, fully abroad or away on a date",
)
def household_status_on(
    request: HttpRequest, household_id: uuid.UUID, query: Query[OnQuery]
) -> HouseholdOnDate:
    on = parse_on(query.on)
    household = access.get_household(request.user, household_id)
    return household_on(household, access.members_of(request.user, household), on)


# Persons.


@router.get(
    "/persons",
    response={200: PersonPage, **READ},
    summary="Persons the user may see, with their status on a date",
)
def list_persons(
    request: HttpRequest, filters: Query[PersonFilters], page: Query[PageQuery]
) -> Page[PersonOnDate]:
    on = parse_on(filters.on)
    persons = access.persons_for(request.user)
    if filters.place:
        persons = persons.filter(subtree_q(_place(filters.place, "place"), "household__village__"))
    if filters.household:
        persons = persons.filter(household_id=filters.household)
    if filters.status:
        # A status is derived from events and indexed in the status spans: the filter is a
        # range on them (see queries.py), and the page is an ordinary keyset page.
        place = _place(filters.place, "place") if filters.place else None
        persons = persons_in_state(persons, filters.status, on, place)
    result = paginate(persons, PERSON_ORDER, page.cursor, page.limit)
    audited(request, "person", [person.pk for person in result.results])
    return page_of(result, persons_on(result.results, on))


@router.post(
    "/persons",
    response={200: PersonWithStatusOut, 201: PersonWithStatusOut, **WRITE},
    summary="Add a person to a household",
)
def create_person(request: HttpRequest, payload: PersonIn) -> tuple[int, PersonOnDate]:
    user = require_user(request.user)
    # A household the user may not see answers 404, as a read would.
    household = access.get_household(user, payload.household, audited=False)
    person, created = do_create_person(
        actor=user,
        household=household,
        given_name=payload.given_name,
        family_name=payload.family_name,
        sex=payload.sex,
        birth_year=payload.birth_year,
        relation=payload.relation,
        phone=payload.phone,
        id=payload.id,
    )
    return created_status(persons_on([person], today())[0], created)


@router.get(
    "/persons/{person_id}",
    response={200: PersonWithStatusOut, **READ},
    summary="One person's record (the read is written to the audit log)",
)
def get_person(request: HttpRequest, person_id: uuid.UUID) -> PersonOnDate:
    person = access.get_person(request.user, person_id)
    return persons_on([person], today())[0]


@router.get(
    "/persons/{person_id}/events",
    response={200: EventPage, **READ},
    summary="A person's migration events, oldest first",
)
def list_events(
    request: HttpRequest, person_id: uuid.UUID, page: Query[PageQuery]
) -> Page[MigrationEvent]:
    person = access.get_person(request.user, person_id)
    events = access.events_for(request.user).filter(person=person).select_related("moved_to")
    result = paginate(events, EVENT_ORDER, page.cursor, page.limit)
    audited(request, "migration_event", [event.pk for event in result.results])
    return result


@router.post(
    "/persons/{person_id}/events",
    response={200: EventOut, 201: EventOut, **WRITE},
    summary="Record a migration event (refused if the history would become impossible)",
)
def record_event(
    request: HttpRequest, person_id: uuid.UUID, payload: EventIn
) -> tuple[int, MigrationEvent]:
    user = require_user(request.user)
    person = access.get_person(user, person_id, audited=False)
    event, created = do_record_event(
        actor=user,
        person=person,
        kind=payload.kind,
        date=payload.date,
        country=payload.country,
        destination=payload.destination,
        purpose=payload.purpose,
        until=payload.until,
        moved_to=_place(payload.moved_to, "moved_to") if payload.moved_to else None,
        note=payload.note,
        id=payload.id,
    )
    return created_status(event, created)


@router.get(
    "/persons/{person_id}/status",
    response={200: PersonStatusOut, **READ},
    summary="A person's status on a date",
)
def person_status(
    request: HttpRequest, person_id: uuid.UUID, query: Query[OnQuery]
) -> PersonOnDate:
    on = parse_on(query.on)
    return persons_on([access.get_person(request.user, person_id)], on)[0]
