"""A dry run checks every row and changes nothing, whether the file is good or bad."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyholder.accounts.models import AuditLog
from keyholder.registry.tests.importfiles import (
    FATHER,
    event_id,
    good_rows,
    registry_counts,
    run_command,
    write_csv,
)
from keyholder.testing import Cast

pytestmark = pytest.mark.django_db


def test_it_changes_nothing_on_a_dry_run_of_a_good_file(cast: Cast, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "registry.csv", good_rows())
    before = registry_counts()
    audit_before = AuditLog.objects.count()

    outcome = run_command("import", str(path), "--dry-run", language="en")

    assert outcome.ok, outcome.out + outcome.err
    assert "Persons: 4 to create, 0 already present." in outcome.out
    assert "Dry run: every row is good; nothing was changed." in outcome.out
    assert registry_counts() == before
    assert AuditLog.objects.count() == audit_before


def test_it_lists_bad_rows_on_a_dry_run_and_changes_nothing(cast: Cast, tmp_path: Path) -> None:
    rows = good_rows()
    # A death, then a departure of the dead man: an impossible history.
    rows.append(
        {
            "record": "event",
            "id": event_id(60),
            "person_id": FATHER,
            "kind": "died",
            "date": "2023-01-05",
        }
    )
    rows.append(
        {
            "record": "event",
            "id": event_id(61),
            "person_id": FATHER,
            "kind": "departed",
            "date": "2023-06-01",
            "country": "KZ",
        }
    )
    path = write_csv(tmp_path / "registry.csv", rows)
    before = registry_counts()

    outcome = run_command("import", str(path), "--dry-run", language="en")

    assert not outcome.ok
    assert (
        f"Row {len(rows) + 1}, column “date”: The event on 2023-06-01 is after the person died."
        in outcome.out
    )
    assert "1 bad row; a real import would change nothing." in outcome.err
    assert registry_counts() == before
