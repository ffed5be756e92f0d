"""Different content under an id that already exists is a conflict, reported on its row."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyholder.registry.models import Person
from keyholder.registry.tests.importfiles import (
    FATHER,
    HOUSE,
    good_rows,
    registry_counts,
    run_command,
    write_csv,
)
from keyholder.testing import Cast

pytestmark = pytest.mark.django_db


def test_it_reports_a_conflict_for_an_edited_row_under_the_same_id(
    cast: Cast, tmp_path: Path
) -> None:
    assert run_command("import", str(write_csv(tmp_path / "first.csv", good_rows()))).ok
    before = registry_counts()
    rows = good_rows()
    for row in rows:
        if row["id"] == FATHER:
            row["birth_year"] = "1981"
        if row["id"] == HOUSE:
            row["trees"] = "apricot=7 walnut=2"
    path = write_csv(tmp_path / "edited.csv", rows)

    outcome = run_command("import", str(path), language="en")

    assert not outcome.ok
    father_row = next(i for i, r in enumerate(rows) if r["id"] == FATHER) + 2
    house_row = next(i for i, r in enumerate(rows) if r["id"] == HOUSE) + 2
    message = "A different record already exists with the id {}; an edit must use a new id."
    assert f"Row {father_row}, column “id”: {message.format(FATHER)}" in outcome.out
    assert f"Row {house_row}, column “id”: {message.format(HOUSE)}" in outcome.out
    assert "2 bad rows; nothing was imported." in outcome.err
    assert registry_counts() == before
    assert Person.objects.get(pk=FATHER).birth_year == 1980


def test_it_reports_a_conflict_between_two_rows_of_one_file(cast: Cast, tmp_path: Path) -> None:
    rows = good_rows()
    twin = next(dict(r) for r in rows if r["id"] == FATHER)
    rows.append({**twin, "given_name": "Рустамҷон"})
    path = write_csv(tmp_path / "twice.csv", rows)

    outcome = run_command("import", str(path), language="en")

    assert not outcome.ok
    assert f"Row {len(rows) + 1}, column “id”: A different record already exists" in outcome.out
