"""The import's bulk path stores exactly what the services store row by row.

The same file is imported twice into the same registry, each time rolled back: once in bulk
(the default) and once with every row through its service (``bulk=False``, the path every
row took before). The records, garden trees, status spans and audit rows must be the same,
column by column (times of writing aside).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from keyholder.accounts.models import AuditLog
from keyholder.registry.importing import import_rows, read_rows
from keyholder.registry.models import (
    GardenTree,
    House,
    Household,
    MigrationEvent,
    Person,
    StatusSpan,
)
from keyholder.registry.spans import differences
from keyholder.registry.tests.importfiles import FAMILY2, good_rows, write_csv
from keyholder.registry.tests.test_search_words_follow_changes import words_in_tables
from keyholder.testing import Cast

pytestmark = pytest.mark.django_db

TIMES = {"created_at", "updated_at"}


def _rows(model: Any) -> list[tuple[str, ...]]:
    """Every column but the times, as text, in a fixed order."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname not in TIMES]
    return sorted(tuple(str(v) for v in row) for row in model.objects.values_list(*names))


def snapshot(cast: Cast) -> dict[str, Any]:
    return {
        "houses": _rows(House),
        "trees": sorted((str(t.house_id), t.kind, t.count) for t in GardenTree.objects.all()),
        "households": _rows(Household),
        "persons": _rows(Person),
        "events": _rows(MigrationEvent),
        "spans": sorted(
            tuple(str(v) for v in row)
            for row in StatusSpan.objects.values_list(
                "person_id",
                "household_id",
                "village_id",
                "state",
                "valid_from",
                "valid_until",
                "since",
                "country",
                "destination",
                "ban_until",
                "ban_country",
            )
        ),
        "audit": sorted(
            (row[0], row[1], row[2], str(row[3]), str(sorted(row[4].items())))
            for row in AuditLog.objects.exclude(action=AuditLog.Action.IMPORT).values_list(
                "action", "object_type", "object_id", "user_id", "detail"
            )
        ),
        "stale_spans": differences(cast.village.pk),
        # The words search reads, with their village, names and phones: an imported record
        # is found by its name or phone in its village as a saved one is.
        "words": sorted(words_in_tables(), key=str),
    }


def imported(path: Path, cast: Cast, *, bulk: bool) -> tuple[dict[str, Any], Any]:
    with transaction.atomic():
        _header, rows = read_rows(path)
        report = import_rows(rows, actor=cast.enumerator, source=path.name, bulk=bulk)
        state = snapshot(cast)
        transaction.set_rollback(True)
    return state, report


def test_the_bulk_path_writes_what_the_services_write(cast: Cast, tmp_path: Path) -> None:
    rows = good_rows()
    # A person without events (their one span is written apart), found by natural key (no
    # id: a UUID 5), with a phone the service puts in E.164; a house without trees.
    rows.append(
        {
            "record": "person",
            "household_id": FAMILY2,
            "given_name": "  Мадина ",
            "family_name": "Саидова",
            "sex": "f",
            "birth_year": "2001",
            "relation": "child",
            "phone": "92 777 12 34",
        }
    )
    rows.append(
        {"record": "house", "village": cast.village.code, "street": "Сомонӣ", "number": "3"}
    )
    path = write_csv(tmp_path / "registry.csv", rows)

    in_bulk, bulk_report = imported(path, cast, bulk=True)
    row_by_row, report = imported(path, cast, bulk=False)

    assert bulk_report.ok and report.ok, bulk_report.errors + report.errors
    assert (
        bulk_report.created
        == report.created
        == {
            "house": 3,
            "household": 2,
            "person": 5,
            "event": 9,
        }
    )
    assert bulk_report.outcomes == report.outcomes
    assert in_bulk == row_by_row
    assert in_bulk["stale_spans"] == []
    # The referee itself holds what the services write: search keys, E.164, one audit row
    # per record made by the enumerator.
    madina = next(p for p in in_bulk["persons"] if "Мадина" in p)
    assert "+992927771234" in madina and "madina saidova" in madina
    made = [(a[0], a[1], a[3]) for a in in_bulk["audit"]]
    assert made.count(("create", "migration_event", str(cast.enumerator.pk))) == 9
    assert made.count(("create", "person", str(cast.enumerator.pk))) == 5
    assert not Person.objects.filter(given_name="Мадина").exists()  # both rolled back


REFUSE_ON_SQLITE = """
CREATE TEMP TRIGGER kh_refuse_madina BEFORE INSERT ON registry_person
WHEN NEW.given_name = 'Мадина'
BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END
"""
REFUSE_ON_POSTGRESQL = [
    """
    CREATE FUNCTION kh_refuse_madina() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.given_name = 'Мадина' THEN RAISE EXCEPTION 'refused by a trigger'; END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER kh_refuse_madina BEFORE INSERT ON registry_person
    FOR EACH ROW EXECUTE FUNCTION kh_refuse_madina()
    """,
]


def test_a_batch_the_database_refuses_is_checked_row_by_row(
    cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database itself refuses one person (a trigger, as a constraint the checks do not
    know would): the bulk write of the persons fails whole, each of its rows is then written
    alone, and the report names that one row with the database's words; nothing is kept."""
    from django.db import DatabaseError, connection

    from keyholder.registry import importing

    rows = good_rows()
    rows.append(
        {
            "record": "person",
            "id": "5e6f7a8b-0000-4000-8000-000000000077",
            "household_id": FAMILY2,
            "given_name": "Мадина",
            "family_name": "Саидова",
            "sex": "f",
            "birth_year": "2001",
            "relation": "child",
        }
    )
    path = write_csv(tmp_path / "registry.csv", rows)
    madina_row = len(rows) + 1  # the header is row 1
    # A spy on the real bulk write (it still runs): which batches the database refused.
    refused: list[str] = []
    write = importing.RecordBatch.write

    def watched(batch: Any) -> None:
        try:
            write(batch)
        except DatabaseError:
            refused.append(batch.record)
            raise

    monkeypatch.setattr(importing.RecordBatch, "write", watched)
    before = Person.objects.count()
    with connection.cursor() as cursor:
        for sql in [REFUSE_ON_SQLITE] if connection.vendor == "sqlite" else REFUSE_ON_POSTGRESQL:
            cursor.execute(sql)

    _header, read = read_rows(path)
    report = import_rows(read, actor=cast.enumerator, source=path.name)

    assert refused == ["person"]
    assert not report.ok
    assert [(e.row, e.code) for e in report.errors] == [(madina_row, "invalid")]
    assert "refused by a trigger" in str(report.errors[0].__dict__)
    # The other persons of the refused batch were written one by one and would have stood.
    assert sorted(set(report.outcomes.values())) == ["create"]
    assert report.created["person"] == 4
    # All or nothing: the file changed nothing.
    assert Person.objects.count() == before
