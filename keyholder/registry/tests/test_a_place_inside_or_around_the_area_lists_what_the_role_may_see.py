"""A plain list of persons by place (``GET /api/v1/persons?place=P``) reads by the place alone
when the place lies inside the user's area, and by the area alone when the area lies inside the
place (``access.persons_in``); without a place, an area of one place is read as that place.
The area itself is a subquery of its places' ids, not a join tested person by person. Whichever
way it is read, the list holds exactly the persons the role may see under the place: every role
against every place, and no place."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from keyholder.accounts.models import User
from keyholder.places.models import Place
from keyholder.registry.models import Person
from keyholder.registry.tests.apiworld import VISIBLE
from keyholder.testing import Cast, bearer, make_household, make_person

ROLES = ("admin", "officer", "region_officer", "enumerator", "keyholder", "owner", "outsider")
PLACES = (
    "country",
    "region",
    "district",
    "jamoat",
    "village",
    "village2",
    "other_district",
    "other_village",
)


def _registry(cast: Cast) -> dict[str, tuple[str, Place]]:
    """Persons in the three households of ``VISIBLE`` (keys v01, v02, other): their given
    names, with their household key and village."""
    v02 = make_household(cast.village2, "Nazarov")
    made = {
        "Aziz": ("v01", cast.village, cast.household),
        "Bahrom": ("v01", cast.village, cast.household),
        "Dilnoza": ("v02", cast.village2, v02),
        "Farrukh": ("other", cast.other_village, cast.other_household),
    }
    for name, (_key, _village, household) in made.items():
        make_person(household, name)
    return {name: (key, village) for name, (key, village, _household) in made.items()}


def test_every_role_lists_under_every_place_what_it_may_see_there(
    client: Client, cast: Cast
) -> None:
    persons = _registry(cast)
    for role in ROLES:
        user = getattr(cast, role)
        for place_name in (*PLACES, None):
            place: Place | None = getattr(cast, place_name) if place_name else None
            expected = {
                name
                for name, (key, village) in persons.items()
                if key in VISIBLE[role] and (place is None or village.is_within(place))
            }
            where = f"&place={place.code}" if place else ""
            response = client.get(f"/api/v1/persons?limit=100{where}", **bearer(user))
            if not expected and response.status_code == 404:
                continue  # a place the role may not see at all
            assert response.status_code == 200, (role, place_name, response.content)
            body = response.json()
            listed = {item["given_name"] for item in body["results"]}
            assert (listed, body["count"]) == (expected, len(expected)), (role, place_name)


def _count_sql(client: Client, user: User, place: Place | None) -> str:
    where = f"?place={place.code}" if place else ""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/persons{where}", **bearer(user))
    assert response.status_code == 200
    return next(q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper())


def test_inside_the_area_the_place_alone_counts_the_persons(client: Client, cast: Cast) -> None:
    """The district's officer, asking for the district or for no place: one range of the
    district's persons, no household joined; the village's enumerator asking for the district:
    the area's villages, not the district's persons."""
    _registry(cast)
    for place in (cast.district, None):
        sql = _count_sql(client, cast.officer, place)
        assert "district_id" in sql and "registry_household" not in sql, sql
    sql = _count_sql(client, cast.enumerator, cast.district)
    assert "district_id" not in sql and "places_place" in sql, sql
    assert Person.objects.filter(district=cast.district).count() == 3
