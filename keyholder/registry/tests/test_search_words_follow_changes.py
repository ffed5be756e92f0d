"""The word tables that search reads (issue 11) follow every write of a name or an address:
a renamed record is found by its new name and not by its old one, a deleted one is not found,
and the bulk writers and the data migration write the rows that saving writes."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from keyholder.registry.models import (
    House,
    Household,
    HouseholdWord,
    HouseWord,
    Person,
    PersonWord,
)
from keyholder.testing import Cast, bearer, make_house, make_household, make_person

migration = importlib.import_module(
    "keyholder.registry.migrations.0011_fill_word_rows_with_village"
)


def found(client: Client, user: Any, kind: str, q: str) -> list[str]:
    response = client.get(f"/api/v1/{kind}", {"q": q}, **bearer(user))
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# Every column of a word row but its id: the word, its record, the village and the names.
COLUMNS: dict[type[Any], tuple[str, ...]] = {
    PersonWord: ("person_id", "word", "village_id", "family_name", "given_name", "search_name"),
    HouseholdWord: ("household_id", "word", "village_id", "name"),
    HouseWord: ("house_id", "word", "village_id"),
}


def words_in_tables() -> set[tuple[Any, ...]]:
    """Every row of the three word tables, as (table, record id, word, village, names...)."""
    return {
        (model.__name__, str(owner), *rest)
        for model, columns in COLUMNS.items()
        for owner, *rest in model._default_manager.values_list(*columns)
    }


def words_of_keys() -> set[tuple[Any, ...]]:
    """The rows the stored records call for (``word_rows``: their keys' words, a person's
    phone, the village, the names)."""
    records: list[Any] = [
        *Person.objects.select_related("household"),
        *Household.objects.all(),
        *House.objects.all(),
    ]
    return {
        (type(row).__name__, str(getattr(row, columns[0])), *(getattr(row, c) for c in columns[1:]))
        for record in records
        for row in record.word_rows()
        for columns in [COLUMNS[type(row)]]
    }


def test_a_rename_is_found_by_the_new_name_and_not_the_old(client: Client, cast: Cast) -> None:
    # A number with a letter: the factory's own houses ("Rudaki", 1, 2, ...) never have one.
    house = make_house(cast.village, street="кӯчаи Сомонӣ", number="12а")
    household = make_household(cast.village, "Раҳимов", house=house)
    person = make_person(household, "Ҷамшед", family_name="Раҳимов")
    assert found(client, cast.enumerator, "persons", "rahimov") == [str(person.pk)]

    person = Person.objects.get(pk=person.pk)
    person.family_name = "Қодиров"
    person.save()
    household = Household.objects.get(pk=household.pk)
    household.name = "Қодиров"
    household.save()
    house = House.objects.get(pk=house.pk)
    house.street = "кӯчаи Рӯдакӣ"
    house.save()

    assert found(client, cast.enumerator, "persons", "rahimov") == []
    assert found(client, cast.enumerator, "households", "rahimov") == []
    assert found(client, cast.enumerator, "persons", "кодиров") == [str(person.pk)]
    assert found(client, cast.enumerator, "persons", "jamshed kodirov") == [str(person.pk)]
    assert found(client, cast.enumerator, "households", "Qodirov") == [str(household.pk)]
    assert found(client, cast.enumerator, "households", "somoni") == []
    assert found(client, cast.enumerator, "households", "rudaki 12a") == [str(household.pk)]
    # One row per word of each key, no more: the old words are gone.
    assert words_in_tables() == words_of_keys()
    assert set(PersonWord.objects.filter(person=person).values_list("word", flat=True)) == {
        "jamshed",
        "kodirov",
    }


def test_saving_another_field_keeps_the_words_and_a_delete_takes_them(
    client: Client, cast: Cast
) -> None:
    household = make_household(cast.village, "Раҳимов")
    person = make_person(household, "Ҷамшед", family_name="Раҳимов")
    rows = set(PersonWord.objects.filter(person=person).values_list("pk", flat=True))
    person = Person.objects.get(pk=person.pk)
    person.birth_year = 1971
    person.save()
    person.save(update_fields=["birth_year"])
    # Not rewritten: the same rows, by id.
    assert set(PersonWord.objects.filter(person=person).values_list("pk", flat=True)) == rows

    person.given_name = "Фарҳод"
    person.save(update_fields=["given_name"])
    assert Person.objects.get(pk=person.pk).search_name == "farhod rahimov"
    assert found(client, cast.enumerator, "persons", "farhod") == [str(person.pk)]
    assert found(client, cast.enumerator, "persons", "jamshed") == []

    person_id, household_id = person.pk, household.pk
    person.delete()
    household.delete()
    assert found(client, cast.enumerator, "persons", "rahimov") == []
    assert found(client, cast.enumerator, "households", "rahimov") == []
    assert not PersonWord.objects.filter(person_id=person_id).exists()
    assert not HouseholdWord.objects.filter(household_id=household_id).exists()
    assert words_in_tables() == words_of_keys()


def test_the_migration_fills_the_words_of_existing_rows(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A number with a letter: the factory's own houses ("Rudaki", 1, 2, ...) never have one.
    house = make_house(cast.village, street="кӯчаи Сомонӣ", number="12а")
    household = make_household(cast.village, "Раҳимов Боқӣ", house=house)
    make_person(household, "Ҷамшед", family_name="Раҳимов")
    make_person(household, "Ma'ruf", family_name="", phone="+992931234567")
    saved = words_in_tables()
    # Rows as they were before the migration: keys, no words.
    for model in (PersonWord, HouseholdWord, HouseWord):
        model.objects.all().delete()
    monkeypatch.setattr(migration, "BATCH", 2)  # several batches even for a few rows
    migration.fill_words(apps, None)
    assert words_in_tables() == saved == words_of_keys()
    assert ("HouseholdWord", str(household.pk), "boki", cast.village.pk, "Раҳимов Боқӣ") in saved
    # A phone's word is its digits backwards (a search by its end is a prefix range).
    assert {row[2] for row in saved if row[0] == "PersonWord"} >= {"#765432139299", "maruf"}
