"""Search (issue 11): households and persons by name in any spelling, by phone and by house
address, through the API and on the place pages, never outside the user's area."""

from __future__ import annotations

from typing import Any

from django.test import Client

from keyholder.accounts.models import AuditLog
from keyholder.registry.models import Household, Person
from keyholder.registry.services import do_create_household, do_create_person
from keyholder.testing import Cast, bearer, make_house, make_household, make_person, signed_in

# "Раҳимов" typed with a decomposed letter: "х" and a combining vertical line below.
DECOMPOSED = "ра\u0445\u0329имов"


def world(cast: Cast) -> dict[str, Any]:
    house = make_house(cast.village, street="кӯчаи Сомонӣ", number="12")
    rahimov = make_household(cast.village, "Раҳимов", house=house)
    jamshed = make_person(
        rahimov, "Ҷамшед", family_name="Раҳимов", phone="+992931234567", birth_year=1985
    )
    karim = make_person(cast.household, "Karim", family_name="Karimov", phone="+992900000001")
    # The outsider's village has a Rahimov too: no Asht user may find it.
    stranger = make_person(cast.other_household, "Rustam", family_name="Rahimov")
    return {"rahimov": rahimov, "jamshed": jamshed, "karim": karim, "stranger": stranger}


def households(client: Client, user: Any, q: str, **extra: str) -> list[str]:
    response = client.get("/api/v1/households", {"q": q, **extra}, **bearer(user))
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def persons(client: Client, user: Any, q: str, **extra: str) -> list[str]:
    response = client.get("/api/v1/persons", {"q": q, **extra}, **bearer(user))
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_api_finds_a_name_in_any_case_script_and_spelling(client: Client, cast: Cast) -> None:
    w = world(cast)
    rahimov, jamshed = str(w["rahimov"].pk), str(w["jamshed"].pk)
    for spelling in ("рахимов", "РАҲИМОВ", "Rahimov", "rakhimov", DECOMPOSED, "рах", "  rah "):
        assert households(client, cast.enumerator, spelling) == [rahimov], spelling
        assert persons(client, cast.enumerator, spelling) == [jamshed], spelling
    # Two words each start a word of the name, in any order; the middle of a word does not.
    assert persons(client, cast.enumerator, "rahimov jamshed") == [jamshed]
    assert persons(client, cast.enumerator, "Джамшед") == [jamshed]
    assert persons(client, cast.enumerator, "himov") == []
    assert persons(client, cast.enumerator, "nobody") == []
    # Without q (or with an empty one) the list is the whole area, as before.
    assert len(persons(client, cast.enumerator, "")) == 2
    # The list read writes no person row to the audit log, as before.
    assert not AuditLog.objects.filter(object_type="person", action="read").exists()


def test_the_api_finds_by_phone_and_by_house_address(client: Client, cast: Cast) -> None:
    w = world(cast)
    rahimov, jamshed = str(w["rahimov"].pk), str(w["jamshed"].pk)
    for phone in ("+992 93 123 45 67", "93-123-45-67", "4567", "00992931234567"):
        assert persons(client, cast.officer, phone) == [jamshed], phone
        assert households(client, cast.officer, phone) == [rahimov], phone
    assert persons(client, cast.officer, "somoni 12") == [jamshed]
    assert households(client, cast.officer, "кучаи сомони") == [rahimov]
    assert households(client, cast.officer, "somoni", place="TJ-SU-ASHT-PONGHOZ-V02") == []


def test_nobody_finds_anything_outside_their_area(client: Client, cast: Cast) -> None:
    w = world(cast)
    assert persons(client, cast.enumerator, "rahimov") == [str(w["jamshed"].pk)]
    assert persons(client, cast.outsider, "rahimov") == [str(w["stranger"].pk)]
    assert households(client, cast.outsider, "somoni") == []
    assert persons(client, cast.outsider, "4567") == []
    # The owner of the Karimov household finds only their own.
    assert persons(client, cast.owner, "rahimov") == []
    assert persons(client, cast.owner, "karim") == [str(w["karim"].pk)]
    # Outsider's search on Asht's pages: the page itself is a 404.
    assert signed_in(cast.outsider).get("/places/TJ-SU-ASHT/", {"q": "rahimov"}).status_code == 404


def test_the_village_and_district_pages_search_and_say_when_nothing_is_found(
    cast: Cast,
) -> None:
    w = world(cast)
    client = signed_in(cast.enumerator)
    village = client.get("/places/TJ-SU-ASHT-PONGHOZ-V01/")
    assert 'role="search"' in village.content.decode()
    for spelling in ("рахимов", DECOMPOSED):
        body = client.get("/places/TJ-SU-ASHT-PONGHOZ-V01/", {"q": spelling}).content.decode()
        assert f'href="/registry/households/{w["rahimov"].pk}/"' in body
        assert f'#person-{w["jamshed"].pk}"' in body
        # The results alone: not the village's lists.
        assert f"/registry/households/{cast.household.pk}/" not in body
    body = signed_in(cast.officer).get("/places/TJ-SU-ASHT/", {"q": "Rahimov"}).content.decode()
    assert f'href="/registry/households/{w["rahimov"].pk}/"' in body
    assert str(w["stranger"].pk) not in body
    empty = client.get("/places/TJ-SU-ASHT-PONGHOZ-V01/", {"q": "Ғоибов"}).content.decode()
    # Tajik is the default language: "nothing found" in Tajik.
    assert "Ягон хонавода ёфт нашуд." in empty
    assert "Ягон шахс ёфт нашуд." in empty
    assert 'value="Ғоибов"' in empty


def test_names_are_stored_nfc_with_folded_spaces_whatever_the_path(cast: Cast) -> None:
    household, _ = do_create_household(
        actor=cast.enumerator, village=cast.village, name="\u00a0Ра\u04b3имов\u2009 \u00a0Боқӣ "
    )
    person, _ = do_create_person(
        actor=cast.enumerator,
        household=household,
        given_name="Ҷамшед\u00a0",
        family_name="Ра\u04b3и\u0301мов",
        sex="m",
        birth_year=1990,
    )
    # A decomposed "ӣ" (и + combining macron) is stored composed.
    named, _ = do_create_household(actor=None, village=cast.village, name="Бок\u0438\u0304")
    assert Household.objects.get(pk=household.pk).name == "Раҳимов Боқӣ"
    assert Household.objects.get(pk=named.pk).name == "Бокӣ"
    assert Person.objects.get(pk=person.pk).given_name == "Ҷамшед"
    assert Household.objects.get(pk=household.pk).search_name == "rahimov boki"
    # An identical resend with other spaces is the same record, not a conflict.
    again, created = do_create_household(
        actor=cast.enumerator,
        village=cast.village,
        name="Раҳимов  Боқӣ",
        id=household.pk,
    )
    assert (again.pk, created) == (household.pk, False)
