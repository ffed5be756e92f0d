"""A keyholder sees the houses entrusted to them and their owners, nothing else of the registry.

Issue 13, item 6: the job needs the entrusted houses and how to reach their owners; the
village's other households, anyone's status, departures, deportations and bans are not the
keyholder's. Everything else answers 404, as to an outsider.
"""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse

from keyholder.keeping.tests.conftest import Kept
from keyholder.testing import (
    Cast,
    bearer,
    make_event,
    make_house,
    make_household,
    make_person,
    signed_in,
)


def test_the_registry_answers_a_keyholder_with_their_houses_only(
    cast: Cast, kept: Kept, client: Client
) -> None:
    cast.owner.first_name, cast.owner.phone = "Karim", "+992935551234"
    cast.owner.save()
    # The kept house's own family: a member deported, with a ban.
    member = make_person(cast.household, "Aziz", birth_year=1985)
    make_event(member, "departed", dt.date(2021, 3, 1), country="RU")
    make_event(member, "deported", dt.date(2023, 5, 1), until=dt.date(2028, 5, 1))
    # A neighbour's household in the same village, in a house nobody keeps.
    neighbours = make_household(cast.village, "Nazarov", house=make_house(cast.village))
    neighbour = make_person(neighbours, "Bahrom", birth_year=1990)
    make_event(neighbour, "departed", dt.date(2022, 4, 1), country="RU")
    auth = bearer(cast.keyholder)

    houses = client.get("/api/v1/houses", **auth).json()
    assert [h["id"] for h in houses["results"]] == [str(kept.agreement.house_id)]
    assert client.get(f"/api/v1/houses/{kept.agreement.house_id}", **auth).status_code == 200
    for url in ("/api/v1/households", "/api/v1/persons"):
        body = client.get(url, **auth).json()
        assert (body["count"], body["results"]) == (0, []), url
    for url in (
        f"/api/v1/houses/{neighbours.house_id}",
        f"/api/v1/households/{cast.household.pk}",
        f"/api/v1/households/{neighbours.pk}",
        f"/api/v1/households/{cast.household.pk}/status?on=2024-01-01",
        f"/api/v1/persons/{member.pk}",
        f"/api/v1/persons/{member.pk}/events",
        f"/api/v1/persons/{member.pk}/status?on=2024-01-01",
        f"/api/v1/persons/{neighbour.pk}",
    ):
        response = client.get(url, **auth)
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), url

    # Pages: no registry page, no village page; the house page names the owner and a phone.
    pages = signed_in(cast.keyholder)
    for url in (
        f"/registry/households/{cast.household.pk}/",
        f"/registry/households/{neighbours.pk}/",
        f"/places/{cast.village.code}/",
    ):
        assert pages.get(url).status_code == 404, url
    house = pages.get(reverse("keeping:house", args=[kept.agreement.pk])).content.decode()
    assert "Karim" in house and 'href="tel:+992935551234"' in house
    today = pages.get(reverse("keeping:today")).content.decode()
    entrust = pages.get(reverse("keeping:entrust")).content.decode()
    for html in (house, today, entrust):
        assert "Nazarov" not in html and "Bahrom" not in html and "Aziz" not in html
        assert "deported" not in html.lower()

    # The village's figures are not theirs either: as for the public, a village is not found.
    figures = client.get(f"/api/v1/indicators?place={cast.village.code}&indicator=abroad", **auth)
    assert (figures.status_code, figures.json()["code"]) == (404, "not_found")

    # The enumerator of the village still reads all of it: the narrowing is the keyholder's.
    enumerator = bearer(cast.enumerator)
    assert client.get("/api/v1/households", **enumerator).json()["count"] == 2
