"""An import refuses a name or a note longer than its column, naming the row and column, and
imports nothing (issue 13): PostgreSQL would have raised on the name, SQLite kept it whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyholder.core.text import NOTE_MAX_LENGTH
from keyholder.registry.tests.importfiles import good_rows, registry_counts, run_command, write_csv
from keyholder.testing import Cast

pytestmark = pytest.mark.django_db


def test_it_refuses_an_over_long_name_and_note(cast: Cast, tmp_path: Path) -> None:
    rows = [
        *good_rows(),
        {
            "record": "household",
            "id": "0c7b3f0e-1e2a-4c55-8a1d-5b3f6d2a0020",
            "village": "TJ-SU-ASHT-PONGHOZ-V01",
            "name": "Раҳимов" * 29,  # 203 characters: the column holds 200
        },
        {
            "record": "house",
            "id": "6f1c2a52-4d8e-4b0a-9f49-0d7a1c3e0020",
            "village": "TJ-SU-ASHT-PONGHOZ-V01",
            "notes": "Дарвоза қуфл аст. " * 250,  # 4,500 characters
        },
    ]
    path = write_csv(tmp_path / "registry.csv", rows)
    before = registry_counts()

    outcome = run_command("import", str(path), language="en")

    assert not outcome.ok
    first = len(good_rows()) + 2
    assert f"Row {first}, column “name”: The value is longer than 200 characters." in outcome.out
    assert (
        f"Row {first + 1}, column “notes”: The value is longer than {NOTE_MAX_LENGTH} characters."
        in outcome.out
    )
    assert registry_counts() == before
