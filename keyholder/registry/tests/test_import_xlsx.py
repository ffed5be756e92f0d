"""An XLSX file as a spreadsheet program saves it imports like the CSV."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from keyholder.registry.models import House, MigrationEvent, Person
from keyholder.registry.tests.importfiles import (
    FATHER,
    HOUSE,
    event_id,
    good_rows,
    registry_counts,
    run_command,
    write_xlsx,
)
from keyholder.testing import Cast

pytestmark = pytest.mark.django_db


def test_it_imports_an_xlsx_file_with_typed_cells(cast: Cast, tmp_path: Path) -> None:
    before = registry_counts()
    path = write_xlsx(tmp_path / "registry.xlsx", good_rows(), typed=True)

    outcome = run_command("import", str(path), language="en")

    assert outcome.ok, outcome.out + outcome.err
    after = registry_counts()
    assert after["persons"] - before["persons"] == 4
    assert after["events"] - before["events"] == 9
    # Numbers stored as numbers come back as the same values as typed text.
    assert Person.objects.get(pk=FATHER).birth_year == 1980
    house = House.objects.get(pk=HOUSE)
    assert house.latitude == pytest.approx(40.6681)
    assert house.garden_area_m2 == 400
    assert MigrationEvent.objects.get(pk=event_id(9)).until == dt.date(2028, 2, 14)


def test_it_reports_bad_rows_of_an_xlsx_file_by_sheet_row(cast: Cast, tmp_path: Path) -> None:
    rows = good_rows()
    rows[0] = {**rows[0], "date": "someday"}
    path = write_xlsx(tmp_path / "registry.xlsx", rows, typed=False)
    before = registry_counts()

    outcome = run_command("import", str(path), "--dry-run", language="en")

    assert not outcome.ok
    assert "Row 2, column “date”: “someday” is not a date in the form YYYY-MM-DD." in outcome.out
    assert registry_counts() == before
