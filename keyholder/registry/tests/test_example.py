"""An example test in the house style: read this first, then copy its shape.

What it shows, in order:

- One file per behaviour, and a test named for what it shows (``test_it_...``).
- The standing ``cast`` fixture (``conftest.py``, ``keyholder/testing.py``): real places, a
  household in a sample village of Asht, and one user per role, including an ``outsider``
  officer of another district who must see nothing.
- Going through the HTTP API as a client would, with a bearer token, and asserting on what the
  client gets back and on what the database holds afterwards: real outcomes, no mocks.
- The success path and the error path of one behaviour in one test, sharing the setup.
- No timing asserts and no sleeps; dates are fixed so the test means the same thing every day.

Run it alone with ``.venv/bin/pytest keyholder/registry/tests/test_example.py``.
"""

from __future__ import annotations

from django.test import Client

from keyholder.accounts.models import User
from keyholder.registry.models import MigrationEvent
from keyholder.testing import Cast, make_person, token_for


def client_for(user: User | None) -> Client:
    """A test client acting as ``user`` through a bearer token, or anonymously for ``None``."""
    if user is None:
        return Client()
    return Client(headers={"Authorization": f"Bearer {token_for(user)}"})


def test_it_records_a_departure_and_refuses_a_return_before_it(cast: Cast) -> None:
    # Factories make what the cast does not have: here a member of the cast's household.
    # Setup may use factories directly; what the test is about goes through the API.
    person = make_person(cast.household, "Aziz", birth_year=1990)
    events_url = f"/api/v1/persons/{person.pk}/events"
    # The enumerator of the village keeps its registry, so they may record events there.
    enumerator = client_for(cast.enumerator)

    # Success path: a departure to Moscow is recorded (201 Created, echoed back).
    response = enumerator.post(
        events_url,
        {"kind": "departed", "date": "2023-03-01", "country": "RU", "destination": "Moscow"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "departed"

    # Status is derived from the events, never stored: on a date after the departure the
    # person is abroad, in the country and since the date of that event.
    response = enumerator.get(f"/api/v1/persons/{person.pk}/status?on=2023-06-01")
    assert response.status_code == 200
    status = response.json()
    assert (status["state"], status["country"], status["since"]) == ("abroad", "RU", "2023-03-01")

    # Error path: a return dated before the departure would make an impossible history. The
    # API answers with a stable code from the one catalogue (keyholder/core/errors.py) and a message
    # that names the problem; clients switch on the code, people read the message.
    response = enumerator.post(
        events_url, {"kind": "returned", "date": "2023-01-15"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "history.return_without_departure"
    assert "2023-01-15" in response.json()["message"]
    # A refused write saves nothing: the departure is still the only event.
    kinds = list(MigrationEvent.objects.filter(person=person).values_list("kind", flat=True))
    assert kinds == ["departed"]

    # Scope: the outsider, an officer of another district, cannot even learn that the person
    # exists (404, not 403), and anonymous callers must sign in first (401).
    response = client_for(cast.outsider).get(f"/api/v1/persons/{person.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert client_for(None).get(f"/api/v1/persons/{person.pk}").status_code == 401
