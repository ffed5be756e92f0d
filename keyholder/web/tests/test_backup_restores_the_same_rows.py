"""``keyholder backup`` copies the SQLite database with the online backup API and the media
folder; the copy, restored into a new file, holds the same rows."""

from __future__ import annotations

import sqlite3
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from keyholder.registry.models import Household, Person
from keyholder.testing import Cast, make_person

pytestmark = [
    pytest.mark.skipif(connection.vendor != "sqlite", reason="pg_dump covers PostgreSQL"),
    # The backup reads the database as another reader would: no test transaction held open.
    pytest.mark.django_db(transaction=True),
]


def test_the_backup_restores_into_a_new_file_with_the_same_rows(cast: Cast, tmp_path: Path) -> None:
    media = tmp_path / "media"
    (media / "photos").mkdir(parents=True)
    (media / "photos" / "a.jpg").write_bytes(b"jpeg")
    make_person(cast.household, "Aziz")
    make_person(cast.household, "Zarina", sex="f")
    people = sorted(str(pk).replace("-", "") for pk in Person.objects.values_list("pk", flat=True))
    households = Household.objects.count()
    assert people and households

    with override_settings(MEDIA_ROOT=media):
        call_command("backup", str(tmp_path / "backup"), stdout=StringIO())

    # Restore: the copied file is put where the database lives, the media unpacked.
    restored = tmp_path / "restored.sqlite3"
    restored.write_bytes((tmp_path / "backup" / "keyholder.sqlite3").read_bytes())
    with sqlite3.connect(restored) as db:
        ids = sorted(row[0] for row in db.execute("SELECT id FROM registry_person"))
        assert ids == people
        assert db.execute("SELECT count(*) FROM registry_household").fetchone()[0] == households
    db.close()
    with tarfile.open(tmp_path / "backup" / "media.tar.gz") as archive:
        archive.extractall(tmp_path / "media-restored", filter="data")
    assert (tmp_path / "media-restored" / "photos" / "a.jpg").read_bytes() == b"jpeg"
