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
from keyholder.core.api import DATE_TEXT, PLACE_CODE, READ, WRITE, one_of, page_of
from keyholder.core.errors import Code, ServiceError
from keyholder.core.idempotency import created_status
from keyholder.core.pagination import Page, PageQuery, paginate
from keyholder.places.models import Place, require_place, subtree_q
from keyholder.registry import access
from keyholder.registry.models import EventCorrection, House, Household, MigrationEvent
from keyholder.registry.queries import (
    HouseholdOnDate,
    PersonOnDate,
    household_on,
    persons_holding,
    persons_in_state,
    persons_on,
    spans_in,
)
from keyholder.registry.schemas import (
    EventCorrectionIn,
    EventCorrectionOut,
    EventCorrectionPage,
    EventIn,
    EventOut,
    EventPage,
    EventRemovalIn,
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
from keyholder.registry.search import (
    found_households,
    found_persons,
    parse_search,
    search_households,
    search_persons,
)
from keyholder.registry.services import (
    do_correct_event,
    do_create_house,
    do_create_household,
    do_create_person,
    do_delete_event,
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
CORRECTION_ORDER = ("at", "id")

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class OnQuery(Schema):
    on: str | None = Field(
        None,
        description="The date asked, YYYY-MM-DD; today by default.",
        json_schema_extra=DATE_TEXT,
    )


class PlaceFilter(Schema):
    place: str | None = Field(
        None,
        max_length=64,
        description="Code of a place: everything inside it.",
        json_schema_extra=PLACE_CODE,
    )


SEARCH_HELP = (
    "Search: words that start words of the name (any case, Tajik, Russian or Latin spelling: "
    "“rahimov”, “рахимов” and “Раҳимов” find the same), of the house's street and number, "
    "or digits of a phone number (the end of the number matches)."
)


class HouseholdFilters(PlaceFilter):
    q: str | None = Field(None, description=SEARCH_HELP, max_length=200)


class PersonFilters(PlaceFilter):
    q: str | None = Field(None, description=SEARCH_HELP, max_length=200)
    household: uuid.UUID | None = None
    status: str | None = Field(
        None, description="One of: " + ", ".join(State.ALL), json_schema_extra=one_of(State.ALL)
    )
    on: str | None = Field(
        None,
        description="Date of the status, YYYY-MM-DD; today by default.",
        json_schema_extra=DATE_TEXT,
    )


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
    request: HttpRequest, filters: Query[HouseholdFilters], page: Query[PageQuery]
) -> Page[Household]:
    households = access.households_for(request.user)
    place = _place(filters.place, "place") if filters.place else None
    if place is not None:
        households = households.filter(subtree_q(place, "village__"))
    searched = bool(filters.q and filters.q.strip())
    villages = access.search_villages(request.user, place) if searched else None
    if searched and villages is not None:
        # Counted and ordered from the word rows of the area; only the page is read.
        query = parse_search(filters.q or "")
        result = found_households(households, query, villages, HOUSEHOLD_ORDER).page(
            page.cursor, page.limit
        )
    else:
        if searched:
            households = search_households(households, parse_search(filters.q or ""))
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
    place = _place(filters.place, "place") if filters.place else None
    searched = bool(filters.q and filters.q.strip())
    # A search alone (no state, no household) in an area is answered from the word rows.
    alone = searched and not filters.status and not filters.household
    villages = access.search_villages(request.user, place) if alone else None
    if alone and villages is not None:
        # Counted and ordered from the word rows of the area; only the page is read.
        found = found_persons(
            access.persons_for(request.user), parse_search(filters.q or ""), villages, PERSON_ORDER
        )
        result = found.page(page.cursor, page.limit)
        audited(request, "person", [person.pk for person in result.results])
        return page_of(result, persons_on(result.results, on))
    if not filters.status:
        # The persons under the place (or in the user's area), by the place alone when it
        # lies inside the area (``access.persons_in``); with a state, the spans carry the
        # place (below).
        persons = access.persons_in(request.user, place)
    else:
        persons = access.persons_for(request.user)
    if filters.household:
        persons = persons.filter(household_id=filters.household)
    if searched:
        persons = search_persons(persons, parse_search(filters.q or ""))
    if filters.status:
        # A status is derived from events and indexed in the status spans: the count is a
        # range on them, the place a filter on their village ids, and only the page of
        # persons is read (see queries.persons_in_state).
        spans = spans_in(access.spans_for(request.user), state=filters.status, place=place)
        if filters.household:
            spans = spans.filter(household_id=filters.household)
        if searched:
            # The words narrow the persons, so the spans alone cannot count them.
            persons = persons.filter(pk__in=persons_holding(spans, on))
            result = paginate(persons, PERSON_ORDER, page.cursor, page.limit)
        else:
            persons, count = persons_in_state(persons, spans, on, page.limit, place=place)
            result = paginate(persons, PERSON_ORDER, page.cursor, page.limit, count=count)
    else:
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


# Corrections of events.


@router.patch(
    "/events/{event_id}",
    response={200: EventOut, **WRITE},
    summary="Correct an event, with a reason (refused if the history would become impossible)",
    description=(
        "Send the fields to change and a `reason`. The person's whole history is checked again "
        "with the rules of a recording: an impossible one is refused with its `history.*` code "
        "and nothing changes. A field of another kind answers `event.detail_not_of_kind`, a "
        "missing reason `event.reason_required`. A correction that changes nothing (a resend) "
        "answers 200 and records nothing. The change is audited with the event before and "
        "after, kept in the person's corrections, and the indicators are refreshed."
    ),
)
def correct_event(
    request: HttpRequest, event_id: uuid.UUID, payload: EventCorrectionIn
) -> MigrationEvent:
    user = require_user(request.user)
    event = access.get_event(user, event_id)
    changes = payload.model_dump(exclude_unset=True)
    reason = changes.pop("reason")
    if "moved_to" in changes:
        code = changes["moved_to"]
        changes["moved_to"] = _place(code, "moved_to") if code else None
    for name in ("country", "destination", "purpose", "note"):
        if name in changes and changes[name] is None:
            changes[name] = ""
    corrected, _changed = do_correct_event(actor=user, event=event, changes=changes, reason=reason)
    return corrected


@router.delete(
    "/events/{event_id}",
    response={200: EventCorrectionOut, **WRITE},
    summary="Remove an event recorded in error, with a reason",
    description=(
        "The reason goes in the JSON body. Refused with the `history.*` code when the history "
        "left would be impossible (a return whose departure is removed). The answer is the "
        "correction kept in the person's history, with the event's facts in `before`."
    ),
)
def remove_event(
    request: HttpRequest, event_id: uuid.UUID, payload: EventRemovalIn
) -> EventCorrection:
    user = require_user(request.user)
    event = access.get_event(user, event_id)
    return do_delete_event(actor=user, event=event, reason=payload.reason)


@router.get(
    "/persons/{person_id}/corrections",
    response={200: EventCorrectionPage, **READ},
    summary="The corrections and removals of a person's events, oldest first",
)
def list_corrections(
    request: HttpRequest, person_id: uuid.UUID, page: Query[PageQuery]
) -> Page[EventCorrection]:
    person = access.get_person(request.user, person_id)
    corrections = EventCorrection.objects.filter(person=person).select_related("by")
    return paginate(corrections, CORRECTION_ORDER, page.cursor, page.limit)
