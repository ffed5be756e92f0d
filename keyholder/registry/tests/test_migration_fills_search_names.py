"""The data migration that fills the search keys of existing rows gives the keys that saving
gives, with its own frozen copy of ``search_key`` (issue 11)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from keyholder.core.text import search_key
from keyholder.registry.models import House, Household, Person
from keyholder.testing import Cast, make_house, make_household, make_person

migration = importlib.import_module("keyholder.registry.migrations.0004_search_names")

NAMES = [
    "Раҳимов",
    "ра\u0445\u0329имов",
    "Ҷӯраев Ғафур",
    "Džuraev",
    "Ma'ruf Qodirov",
    "Ёқубова-Шарипова",
    "Rakhimov\u00a0Yusuf",
    "  ",
]


def test_the_frozen_key_is_the_key(db: None) -> None:
    for name in NAMES:
        assert migration.search_key(name) == search_key(name), name


def test_it_fills_the_keys_of_rows_written_without_them(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    house = make_house(cast.village, street="кӯчаи Сомонӣ", number="12")
    household = make_household(cast.village, "Раҳимов", house=house)
    person = make_person(household, "Ҷамшед", family_name="Раҳимов")
    # Rows as they were before the migration: no key.
    for model in (House, Household, Person):
        model.objects.update(search_name="")
    monkeypatch.setattr(migration, "BATCH", 2)  # several batches even for a few rows
    migration.fill_keys(apps, None)
    assert House.objects.get(pk=house.pk).search_name == "kuchai somoni 12"
    assert Household.objects.get(pk=household.pk).search_name == "rahimov"
    assert Person.objects.get(pk=person.pk).search_name == "jamshed rahimov"
    assert not Household.objects.filter(search_name="").exists()
