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


# An enumerator of another district, whose own village the cases below are moved to.
def _elsewhere(world: World, url: str, payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    cast = world.cast
    if "village" in payload:
        payload = {**payload, "village": cast.other_village.code}
    if "household" in payload:
        payload = {**payload, "household": str(cast.other_household.pk)}
    if url.endswith("/events"):
        url = f"/api/v1/persons/{world.other_person.pk}/events"
    return url, payload


@pytest.mark.parametrize("resource", sorted(CASES))
def test_an_id_taken_out_of_scope_answers_as_an_unusable_id_would(client, world, resource):
    from keyholder.accounts.models import Role
    from keyholder.testing import make_user

    model, request, _change = CASES[resource]
    url, payload = request(world)
    payload["id"] = record_id = str(uuid.uuid4())
    assert post(client, url, payload, world.cast.enumerator).status_code == 201
    count = model.objects.count()
    far = make_user("far_enumerator", Role.ENUMERATOR, [world.cast.other_village])
    far_url, far_payload = _elsewhere(world, url, payload)

    # The same id from outside its scope, with the same body or its own: no 200, no 409, so
    # nothing compares the body with the record or says that a record is there.
    taken = post(client, far_url, far_payload, far)
    same_body = post(client, url, payload, far)
    nil = post(client, far_url, {**far_payload, "id": str(uuid.UUID(int=0))}, far)
    assert taken.status_code == nil.status_code == 400
    assert (
        taken.json()
        == nil.json()
        == {
            "code": "id_unusable",
            "message": taken.json()["message"],
            "field": "id",
        }
    )
    assert record_id not in taken.content.decode()
    # Posting into the record's own place is refused as outside the area, as for any id.
    assert same_body.status_code in (403, 404)
    assert same_body.json()["code"] != "conflict.uuid"
    assert model.objects.count() == count
    # A fresh id works for them.
    fresh = post(client, far_url, {**far_payload, "id": str(uuid.uuid4())}, far)
    assert fresh.status_code == 201, fresh.content
