"""Rows without ids find their records by natural key; two candidates are refused, not guessed."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyholder.registry.models import House
from keyholder.registry.tests.clerkfiles import V01, write_clerk_csv
from keyholder.registry.tests.importfiles import registry_counts, run_command, write_csv
from keyholder.testing import Cast, make_household, make_person

pytestmark = pytest.mark.django_db


def test_it_creates_nothing_when_the_same_file_without_ids_comes_again(
    cast: Cast, tmp_path: Path
) -> None:
    path = write_clerk_csv(tmp_path / "registry.csv", encoding="utf-8", title=True)
    first = run_command("import", str(path), language="en")
    assert first.ok, first.out + first.err
    after_first = registry_counts()

    again = run_command("import", str(path), language="en")

    assert again.ok, again.out + again.err
    assert registry_counts() == after_first
    assert "Persons: 0 created, 2 already present." in again.out
    assert "Events: 0 created, 3 already present." in again.out


def test_it_matches_records_made_elsewhere_by_name_and_birth_year(
    cast: Cast, tmp_path: Path
) -> None:
    # A household entered on the page (random UUIDs); the clerk's file names it by its id and
    # lists its head again, with his name typed differently (case, spaces, decomposed й).
    household = make_household(cast.village, "Сафаров")
    person = make_person(household, "Али", family_name="Сафаров", birth_year=1970)
    rows = [
        {
            "record": "person",
            "household_id": str(household.pk),
            "given_name": "  АЛИ ",
            "family_name": "сафаров",
            "sex": "мард",
            "birth_year": "1970",
        },
        {
            "record": "event",
            "person_id": str(person.pk),
            "kind": "Departed abroad",
            "date": "05.05.2021",
            "country": "RU",
        },
    ]
    path = write_csv(tmp_path / "registry.csv", rows)
    before = registry_counts()

    outcome = run_command("import", str(path), language="en")

    assert outcome.ok, outcome.out + outcome.err
    assert "Persons: 0 created, 1 already present." in outcome.out
    assert registry_counts()["persons"] == before["persons"]
    assert person.events.get().kind == "departed"


def test_it_refuses_a_row_that_fits_two_records(cast: Cast, tmp_path: Path) -> None:
    House.objects.create(village=cast.village, street="Ленин", number="5")
    House.objects.create(village=cast.village, street="ленин ", number="5")
    rows = [
        {"record": "house", "village": V01, "street": "Ленин", "number": "5"},
        {"record": "house", "village": V01, "street": "Ленин", "number": "6"},
        {"record": "house", "village": V01},
    ]
    path = write_csv(tmp_path / "registry.csv", rows)
    before = House.objects.count()

    outcome = run_command("import", str(path), language="en")

    assert not outcome.ok
    assert (
        "Row 2, column “id”: More than one record of the registry fits this row; give the id "
        "of the one you mean (the export shows it)."
    ) in outcome.out
    assert "Row 4, column “id”: A row without an id needs what identifies its record" in (
        outcome.out
    )
    assert "Row 3" not in outcome.out
    assert House.objects.count() == before
