"""Creating with a client-made UUID: 201 first, 200 for an identical resend, 409 otherwise.

Offline devices resend what they are not sure arrived; the resend must neither duplicate the
record nor fail, and an edit disguised as a resend must be refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from keyholder.registry.models import House, Household, MigrationEvent, Person
from keyholder.registry.tests.apiworld import World, make_world, post


@pytest.fixture
def world(cast) -> World:
    return make_world(cast)


CASES: dict[
    str, tuple[type[Any], Callable[[World], tuple[str, dict[str, Any]]], dict[str, Any]]
] = {
    "house": (
        House,
        lambda w: (
            "/api/v1/houses",
            {
                "village": w.cast.village.code,
                "street": "Somoni",
                "number": "7",
                "trees": {"apricot": 12, "walnut": 2},
                "garden_area_m2": 600,
            },
        ),
        {"trees": {"apricot": 13, "walnut": 2}},
    ),
    "household": (
        Household,
        lambda w: ("/api/v1/households", {"village": w.cast.village.code, "name": "Saidov"}),
        {"name": "Saidova"},
    ),
    "person": (
        Person,
        lambda w: (
            "/api/v1/persons",
            {
                "household": str(w.household.pk),
                "given_name": "Zarina",
                "sex": "f",
                "birth_year": 2001,
                "phone": "+992 93 555 12 34",
            },
        ),
        {"birth_year": 2002},
    ),
    "event": (
        MigrationEvent,
        lambda w: (
            f"/api/v1/persons/{w.person.pk}/events",
            {"kind": "returned", "date": "2023-10-01"},
        ),
        {"date": "2023-10-02"},
    ),
}


@pytest.mark.parametrize("resource", sorted(CASES))
def test_a_resend_is_recognised_and_a_changed_one_refused(client, world, resource):
    model, request, change = CASES[resource]
    url, payload = request(world)
    payload["id"] = record_id = str(uuid.uuid4())
    enumerator = world.cast.enumerator

    first = post(client, url, payload, enumerator)
    assert first.status_code == 201, first.content
    assert first.json()["id"] == record_id
    count = model.objects.count()

    again = post(client, url, payload, enumerator)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert model.objects.count() == count

    changed = post(client, url, {**payload, **change}, enumerator)
    assert changed.status_code == 409
    assert changed.json()["code"] == "conflict.uuid"
    assert record_id in changed.json()["message"]
    assert model.objects.count() == count


def test_the_phone_is_stored_in_e164(client, world):
    url, payload = CASES["person"][1](world)
    response = post(client, url, payload, world.cast.admin)
    assert response.json()["phone"] == "+992935551234"
    bad = post(client, url, {**payload, "phone": "12"}, world.cast.admin)
    assert bad.status_code == 400
    assert (bad.json()["code"], bad.json()["field"]) == ("invalid.phone", "phone")
