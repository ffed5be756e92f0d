"""A good CSV file imports: every record lands, with its parents, trees and history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from keyholder.accounts.models import AuditLog
from keyholder.registry.models import House, MigrationEvent, Person
from keyholder.registry.status import replay
from keyholder.registry.tests.importfiles import (
    FAMILY,
    FATHER,
    HOUSE,
    NEIGHBOUR,
    good_rows,
    registry_counts,
    run_command,
    write_csv,
)
from keyholder.testing import Cast

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("delimiter", "bom"), [(",", False), (";", True)])
def test_it_imports_a_good_csv_file(cast: Cast, tmp_path: Path, delimiter: str, bom: bool) -> None:
    before = registry_counts()
    path = write_csv(tmp_path / "registry.csv", good_rows(), delimiter=delimiter, bom=bom)

    outcome = run_command("import", str(path), language="en")

    assert outcome.ok, outcome.out + outcome.err
    assert "17 rows read." in outcome.out
    assert "Events: 9 created, 0 already present." in outcome.out
    after = registry_counts()
    assert after["houses"] - before["houses"] == 2
    assert after["households"] - before["households"] == 2
    assert after["persons"] - before["persons"] == 4
    assert after["events"] - before["events"] == 9

    house = House.objects.get(pk=HOUSE)
    assert house.village == cast.village
    assert {t.kind: t.count for t in house.trees.all()} == {"apricot": 6, "walnut": 2}
    assert house.garden_area_m2 == 400
    father = Person.objects.select_related("household").get(pk=FATHER)
    assert str(father.household_id) == FAMILY
    assert father.household.house_id == house.pk
    assert father.phone == "+992927123456"
    assert father.given_name == "Рустам"
    neighbour = Person.objects.get(pk=NEIGHBOUR)
    assert neighbour.sex == "m" and neighbour.is_sample
    # Countries are normalised the same way the services do it for every other writer.
    assert set(
        MigrationEvent.objects.filter(person=father, kind="departed").values_list(
            "country", flat=True
        )
    ) == {"RU"}
    assert replay(father.events.all(), 1980, on=dt.date(2023, 1, 1)).state == "abroad"
    assert replay(neighbour.events.all(), 1991, on=dt.date(2024, 1, 1)).state == "banned"

    entry = AuditLog.objects.filter(action=AuditLog.Action.IMPORT).get()
    assert entry.detail["created"] == {"house": 2, "household": 2, "person": 4, "event": 9}
    assert entry.detail["rows"] == 17
