"""The same seed gives the same registry, ids included; another seed gives another one."""

import hashlib
import random

import pytest

from keyholder.places.models import Place
from keyholder.registry.models import GardenTree, House, Household, MigrationEvent, Person
from keyholder.registry.sample import D1, D2, plan_village
from keyholder.registry.tests.sampleworld import generate, load_and_generate
from keyholder.registry.tests.test_search_words_follow_changes import (
    words_in_tables,
    words_of_keys,
)

pytestmark = pytest.mark.django_db


def digest() -> str:
    rows: list[object] = []
    rows += (
        Place.objects.filter(is_sample=True)
        .order_by("code")
        .values_list("code", "name_tg", "name_en", "latitude", "longitude", "population")
    )
    rows += House.objects.order_by("id").values_list(
        "id", "village__code", "street", "number", "latitude", "longitude", "garden_area_m2"
    )
    rows += GardenTree.objects.order_by("house_id", "kind").values_list("house_id", "kind", "count")
    rows += Household.objects.order_by("id").values_list("id", "village__code", "house_id", "name")
    rows += Person.objects.order_by("id").values_list(
        "id", "household_id", "given_name", "family_name", "sex", "birth_year", "relation"
    )
    rows += MigrationEvent.objects.order_by("id").values_list(
        "id",
        "person_id",
        "kind",
        "date",
        "country",
        "destination",
        "purpose",
        "until",
        "moved_to__code",
    )
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def wipe() -> None:
    MigrationEvent.objects.all().delete()
    Person.objects.all().delete()
    Household.objects.all().delete()
    GardenTree.objects.all().delete()
    House.objects.all().delete()
    Place.objects.filter(is_sample=True).delete()


@pytest.mark.slow
def test_the_same_seed_builds_the_same_registry() -> None:
    load_and_generate(scale=0.005)
    first = digest()
    # The bulk writer writes the words search reads, as saving would.
    assert words_in_tables() == words_of_keys()
    wipe()

    generate(scale=0.005)

    assert digest() == first


def test_a_village_plan_depends_only_on_its_seed() -> None:
    def plan(seed: int) -> list[object]:
        village = plan_village(
            random.Random(seed),
            code="X-V01",
            names=("Чашма", "Чашма", "Chashma"),
            population=300,
            targets={D1: 36, D2: 50},
            point=(40.7, 70.3),
        )
        assert village.abroad == {D1: 36, D2: 50}
        return [
            (p.id, p.given_name, p.birth_year, [(e.kind, e.date, e.country) for e in p.events])
            for p in village.persons()
        ]

    assert plan(7) == plan(7)
    assert plan(7) != plan(8)
