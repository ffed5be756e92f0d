"""Export writes the registry under one place, to standard output by default."""

from __future__ import annotations

import csv
import io

import pytest

from keyholder.registry.importing import COLUMNS
from keyholder.registry.tests.importfiles import run_command
from keyholder.testing import Cast, make_household, make_person

pytestmark = pytest.mark.django_db


def test_it_exports_only_the_registry_under_the_place(cast: Cast) -> None:
    in_v02 = make_household(cast.village2, "Саидов")
    person = make_person(in_v02, "Шодмон")

    outcome = run_command("export", "--place", cast.village2.code)

    assert outcome.ok, outcome.err
    rows = list(csv.DictReader(io.StringIO(outcome.out)))
    assert list(rows[0]) == list(COLUMNS)
    assert [(r["record"], r["id"]) for r in rows] == [
        ("house", str(in_v02.house_id)),
        ("household", str(in_v02.pk)),
        ("person", str(person.pk)),
    ]
    assert rows[1]["village"] == cast.village2.code
    assert rows[2]["household_id"] == str(in_v02.pk)


def test_it_refuses_an_unknown_place(cast: Cast) -> None:
    outcome = run_command("export", "--place", "TJ-XX")

    assert not outcome.ok
    assert "TJ-XX" in outcome.err
