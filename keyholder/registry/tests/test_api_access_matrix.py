"""Every role against every registry resource and action of the API.

Reads: an outsider (another district's officer) and the keyholders get 404 for Asht's V01
records, never 403, so they cannot even learn that a record exists; anonymous gets 401. A
keyholder sees only the houses entrusted to them, none here (test_a_keyholder_sees_only_the_
houses_entrusted_to_them.py has one). Writes: administrators and V01's enumerator only. Lists hold exactly what the role
may see.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from keyholder.accounts.models import AuditLog
from keyholder.registry.models import Household, Person
from keyholder.registry.tests.apiworld import VISIBLE, World, get, make_world, post
from keyholder.testing import make_cast

ROLES = [
    "admin",
    "officer",
    "region_officer",
    "enumerator",
    "keyholder",
    "owner",
    "outsider",
    "other_keyholder",
    "anonymous",
]

READERS_OF_V01 = {"admin", "officer", "region_officer", "enumerator", "owner"}
WRITERS_OF_V01 = {"admin", "enumerator"}


# Every test reads the same small registry, made once for the module; what a test writes is
# rolled back after it (``module_db`` in the root conftest.py).
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(module_db: Any) -> World:
    with module_db.unblock():
        return make_world(make_cast())


def _households(world: World) -> dict[str, Household]:
    return {
        "v01": world.household,
        "v02": world.v02_household,
        "other": world.cast.other_household,
    }


def _persons(world: World) -> dict[str, Person]:
    return {"v01": world.person, "v02": world.v02_person, "other": world.other_person}


LISTS: dict[str, tuple[str, Callable[[World, str], str]]] = {
    "households": ("/api/v1/households", lambda w, k: str(_households(w)[k].pk)),
    "persons": ("/api/v1/persons", lambda w, k: str(_persons(w)[k].pk)),
    "houses": ("/api/v1/houses", lambda w, k: str(_households(w)[k].house_id)),
}


@pytest.mark.parametrize("resource", sorted(LISTS))
@pytest.mark.parametrize("role", ROLES)
def test_lists_hold_only_what_the_role_may_see(client, world, role, resource):
    url, id_of = LISTS[resource]
    response = get(client, url, world.user(role))
    if role == "anonymous":
        assert response.status_code == 401
        assert response.json()["code"] == "auth.required"
        return
    assert response.status_code == 200
    body = response.json()
    expected = {id_of(world, key) for key in VISIBLE[role]}
    assert {item["id"] for item in body["results"]} == expected
    assert body["count"] == len(expected)


READS: dict[str, Callable[[World], str]] = {
    "get household": lambda w: f"/api/v1/households/{w.household.pk}",
    "household status": lambda w: f"/api/v1/households/{w.household.pk}/status?on=2024-01-01",
    "get person": lambda w: f"/api/v1/persons/{w.person.pk}",
    "person status": lambda w: f"/api/v1/persons/{w.person.pk}/status?on=2024-01-01",
    "person events": lambda w: f"/api/v1/persons/{w.person.pk}/events",
    "get house": lambda w: f"/api/v1/houses/{w.household.house_id}",
}


@pytest.mark.parametrize("action", sorted(READS))
@pytest.mark.parametrize("role", ROLES)
def test_reads_of_a_v01_record_follow_the_role(client, world, role, action):
    response = get(client, READS[action](world), world.user(role))
    if role == "anonymous":
        expected, code = 401, "auth.required"
    elif role in READERS_OF_V01:
        expected, code = 200, None
    else:
        expected, code = 404, "not_found"
    assert response.status_code == expected, response.content
    if code:
        assert response.json()["code"] == code
    elif action == "get household":
        assert [m["id"] for m in response.json()["members"]] == [str(world.person.pk)]
    elif action == "person status":
        assert response.json()["state"] == "abroad"


def _create_household(w: World) -> tuple[str, dict[str, Any]]:
    return "/api/v1/households", {"village": w.cast.village.code, "name": "Saidov"}


def _create_house(w: World) -> tuple[str, dict[str, Any]]:
    return "/api/v1/houses", {"village": w.cast.village.code, "street": "Somoni", "number": "7"}


def _create_person(w: World) -> tuple[str, dict[str, Any]]:
    payload = {"household": str(w.household.pk), "given_name": "Zarina", "sex": "f"}
    return "/api/v1/persons", {**payload, "birth_year": 2001, "relation": "child"}


def _create_event(w: World) -> tuple[str, dict[str, Any]]:
    payload = {"kind": "returned", "date": "2023-10-01"}
    return f"/api/v1/persons/{w.person.pk}/events", payload


WRITES: dict[str, Callable[[World], tuple[str, dict[str, Any]]]] = {
    "create household": _create_household,
    "create house": _create_house,
    "create person": _create_person,
    "create event": _create_event,
}
# Creating under a household or person first reads it: those the role cannot see answer 404.
WRITES_UNDER_A_RECORD = {"create person", "create event"}


@pytest.mark.parametrize("action", sorted(WRITES))
@pytest.mark.parametrize("role", ROLES)
def test_writes_in_v01_follow_the_role(client, world, role, action):
    url, payload = WRITES[action](world)
    before = AuditLog.objects.filter(action=AuditLog.Action.CREATE).count()
    response = post(client, url, payload, world.user(role))
    if role == "anonymous":
        expected, code = 401, "auth.required"
    elif role in WRITERS_OF_V01:
        expected, code = 201, None
    elif action in WRITES_UNDER_A_RECORD and role not in READERS_OF_V01:
        expected, code = 404, "not_found"
    else:
        expected, code = 403, "auth.forbidden"
    assert response.status_code == expected, response.content
    created = AuditLog.objects.filter(action=AuditLog.Action.CREATE).count() - before
    if code:
        assert response.json()["code"] == code
        assert created == 0
    else:
        assert uuid.UUID(response.json()["id"])
        assert created == 1


def test_an_enumerator_cannot_write_in_another_village(client, world):
    enumerator = world.cast.enumerator
    response = post(
        client,
        "/api/v1/households",
        {"village": world.cast.village2.code, "name": "Saidov"},
        enumerator,
    )
    assert response.status_code == 403
    assert response.json()["code"] == "out_of_scope"
    response = post(
        client,
        "/api/v1/persons",
        {
            "household": str(world.v02_household.pk),
            "given_name": "A",
            "sex": "m",
            "birth_year": 1990,
        },
        enumerator,
    )
    assert response.status_code == 404
    assert not Household.objects.filter(name="Saidov").exists()
