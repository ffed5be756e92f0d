"""Importing the same file again is a no-op: identical rows find the records already there."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyholder.registry.tests.importfiles import good_rows, registry_counts, run_command, write_csv
from keyholder.testing import Cast

pytestmark = pytest.mark.django_db


def test_it_changes_nothing_when_the_same_file_is_imported_again(
    cast: Cast, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "registry.csv", good_rows())
    assert run_command("import", str(path), language="en").ok
    after_first = registry_counts()

    outcome = run_command("import", str(path), language="en")

    assert outcome.ok, outcome.out + outcome.err
    assert "Houses: 0 created, 2 already present." in outcome.out
    assert "Events: 0 created, 9 already present." in outcome.out
    assert registry_counts() == after_first
