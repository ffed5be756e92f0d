"""Adding a household (with its house) and a member through the pages."""

from __future__ import annotations

from django.test import Client

from keyholder.registry.models import House, Household, Person
from keyholder.testing import Cast

NEW_HOUSEHOLD = "/registry/villages/TJ-SU-ASHT-PONGHOZ-V01/households/new/"


def test_it_adds_a_household_with_its_house_and_then_a_member(client: Client, cast: Cast) -> None:
    client.force_login(cast.enumerator)
    assert client.get(NEW_HOUSEHOLD).status_code == 200
    response = client.post(NEW_HOUSEHOLD, {"name": "  ", "street": "Navruz", "number": "7"})
    assert response.status_code == 400
    assert not Household.objects.filter(house__street="Navruz").exists()
    assert not House.objects.filter(street="Navruz").exists()

    response = client.post(NEW_HOUSEHOLD, {"name": "Saidov", "street": "Navruz", "number": "7"})
    assert response.status_code == 302
    household = Household.objects.get(name="Saidov")
    assert household.village == cast.village
    assert household.house is not None and household.house.street == "Navruz"
    assert response["Location"] == f"/registry/households/{household.pk}/"

    members_url = f"/registry/households/{household.pk}/members/"
    bad = {
        "member-given_name": "Farrukh",
        "member-family_name": "Saidov",
        "member-sex": "m",
        "member-birth_year": "1995",
        "member-relation": "head",
        "member-phone": "12",
    }
    response = client.post(members_url, bad)
    assert response.status_code == 400
    assert (
        "12" in response.content.decode() and 'class="field has-error"' in response.content.decode()
    )
    assert not Person.objects.filter(household=household).exists()

    response = client.post(members_url, {**bad, "member-phone": "+992 93 123 4567"})
    assert response.status_code == 302
    person = Person.objects.get(household=household)
    assert person.phone == "+992931234567"
    assert "Farrukh Saidov" in client.get(f"/registry/households/{household.pk}/").content.decode()


def test_it_refuses_the_household_form_to_non_writers(client: Client, cast: Cast) -> None:
    client.force_login(cast.keyholder)
    assert client.get(NEW_HOUSEHOLD).status_code == 403
    assert client.post(NEW_HOUSEHOLD, {"name": "Saidov"}).status_code == 403
    client.force_login(cast.outsider)
    assert client.get(NEW_HOUSEHOLD).status_code == 404
    client.force_login(cast.admin)
    assert client.get(NEW_HOUSEHOLD).status_code == 200
    assert not Household.objects.filter(name="Saidov").exists()


def test_it_adds_households_only_to_villages(client: Client, cast: Cast) -> None:
    client.force_login(cast.admin)
    url = "/registry/villages/TJ-SU-ASHT-PONGHOZ/households/new/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "Saidov"}).status_code == 404
    assert not Household.objects.filter(name="Saidov").exists()
