"""``--as USERNAME`` imports with that account's role and area, checked on every row."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyholder.registry.models import House, Person
from keyholder.registry.tests.importfiles import (
    FATHER,
    HOUSE2,
    good_rows,
    registry_counts,
    run_command,
    write_csv,
)
from keyholder.testing import Cast

pytestmark = pytest.mark.django_db


def test_it_imports_as_the_enumerator_of_the_village(cast: Cast, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "registry.csv", good_rows())

    outcome = run_command("import", str(path), "--as", "enumerator", language="en")

    assert outcome.ok, outcome.out + outcome.err
    assert Person.objects.get(pk=FATHER).created_by == cast.enumerator


def test_it_refuses_rows_outside_the_enumerators_area(cast: Cast, tmp_path: Path) -> None:
    rows = good_rows()
    for row in rows:
        if row["id"] == HOUSE2:
            row["village"] = cast.village2.code
    path = write_csv(tmp_path / "registry.csv", rows)
    before = registry_counts()

    outcome = run_command("import", str(path), "--as", "enumerator", language="en")

    assert not outcome.ok
    house_row = next(i for i, r in enumerate(rows) if r["id"] == HOUSE2) + 2
    assert f"Row {house_row}, column “village”: This place is outside your area." in outcome.out
    assert registry_counts() == before
    assert not House.objects.filter(pk=HOUSE2).exists()


@pytest.mark.parametrize("username", ["keyholder", "owner"])
def test_it_refuses_accounts_that_do_not_keep_the_registry(
    cast: Cast, tmp_path: Path, username: str
) -> None:
    path = write_csv(tmp_path / "registry.csv", good_rows())
    before = registry_counts()

    outcome = run_command("import", str(path), "--as", username, language="en")

    assert not outcome.ok
    assert outcome.err == "Your role does not allow this action."
    assert registry_counts() == before


def test_an_officer_imports_only_within_their_area(cast: Cast, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "registry.csv", good_rows())
    before = registry_counts()

    # The outsider is an officer of another district: every row is outside their area.
    outcome = run_command("import", str(path), "--as", "outsider", language="en")
    assert not outcome.ok
    assert outcome.err == "17 bad rows; nothing was imported."
    assert "This place is outside your area." in outcome.out
    assert registry_counts() == before

    outcome = run_command("import", str(path), "--as", "officer", language="en")
    assert outcome.ok, outcome.err
    assert registry_counts() != before
    assert House.objects.filter(pk=HOUSE2, created_by=cast.officer).exists()
