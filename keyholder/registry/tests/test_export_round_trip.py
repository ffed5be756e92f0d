"""Export writes the import format: imported into an empty registry it rebuilds the same one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from keyholder.accounts.models import AuditLog
from keyholder.registry.models import GardenTree, House, Household, MigrationEvent, Person
from keyholder.registry.tests.importfiles import good_rows, run_command, write_csv
from keyholder.testing import Cast, make_event, make_person

pytestmark = pytest.mark.django_db

# Where each model reaches its village, to compare only the exported district.
VILLAGE = {
    House: "village__path",
    GardenTree: "house__village__path",
    Household: "village__path",
    Person: "household__village__path",
    MigrationEvent: "person__household__village__path",
}
VOLATILE = {"id", "created_at", "updated_at", "created_by"}


def snapshot(district: str) -> dict[str, list[dict[str, Any]]]:
    """Every stored field of every registry record in the district, but when and by whom."""
    tables = {}
    for model, village in VILLAGE.items():
        fields = [f.attname for f in model._meta.concrete_fields if f.name not in VOLATILE]
        if model is not GardenTree:
            fields.insert(0, "id")
        rows = model._default_manager.filter(**{f"{village}__contains": f"/{district}/"})
        tables[model.__name__] = list(rows.order_by(*fields).values(*fields))
    return tables


def empty_registry() -> None:
    MigrationEvent.objects.all().delete()
    Person.objects.all().delete()
    Household.objects.all().delete()
    House.objects.all().delete()


def content(path: Path) -> Any:
    if path.suffix == ".csv":
        return path.read_bytes()
    book = load_workbook(path, read_only=True)
    try:
        return list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_it_rebuilds_the_same_registry_from_its_export(
    cast: Cast, tmp_path: Path, suffix: str
) -> None:
    assert run_command("import", str(write_csv(tmp_path / "in.csv", good_rows()))).ok
    # Records made outside the import go round too, a move to another village included.
    karim = make_person(cast.household, "Карим", phone="+992927000001")
    make_event(karim, "moved", dt.date(2020, 9, 1), moved_to=cast.village2)
    outsider_person = make_person(cast.other_household, "Раҳим")
    registry = snapshot("TJ-SU-ASHT")
    first = tmp_path / f"first{suffix}"

    exported = run_command("export", "--place", "TJ-SU-ASHT", "-o", str(first))

    assert exported.ok, exported.err
    assert str(karim.pk) in str(content(first))
    # Another district's registry stays out of an export of Asht.
    assert str(outsider_person.pk) not in str(content(first))
    empty_registry()

    reimported = run_command("import", str(first), language="en")

    assert reimported.ok, reimported.out + reimported.err
    assert snapshot("TJ-SU-ASHT") == registry
    second = tmp_path / f"second{suffix}"
    assert run_command("export", "--place", "TJ-SU-ASHT", "-o", str(second)).ok
    assert content(second) == content(first)
    exports = AuditLog.objects.filter(action=AuditLog.Action.EXPORT)
    assert [e.detail["person"] for e in exports] == [5, 5]
    # Each export's row names the households and persons written out, as a list read does.
    first_export = exports.order_by("pk").first()
    assert first_export is not None
    assert first_export.detail["filter"] == {"place": "TJ-SU-ASHT", "format": suffix[1:]}
    assert str(karim.pk) in first_export.shown_ids
    assert str(cast.household.pk) in first_export.shown_ids
    assert str(outsider_person.pk) not in first_export.object_ids
    listed = first_export.detail["household"] + first_export.detail["person"]
    assert first_export.detail["count"] == len(first_export.shown_ids) == listed
