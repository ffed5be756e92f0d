"""``keyholder backup DIR``: a consistent copy of an SQLite database and the media folder.

SQLite's online backup API (``sqlite3.Connection.backup``) copies the database page by page
while the site keeps running, and gives a consistent snapshot even in WAL mode, which copying
the file would not. The uploaded photos under MEDIA_ROOT go beside it as ``media.tar.gz``.
PostgreSQL is backed up with ``pg_dump -Fc`` instead (docs/deploying.md).
"""

from __future__ import annotations

import sqlite3
import tarfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

DATABASE_FILE = "keyholder.sqlite3"
MEDIA_FILE = "media.tar.gz"


def backup_sqlite(target: Path) -> None:
    """Copy the open SQLite database to ``target`` with the online backup API."""
    connection.ensure_connection()
    source = connection.connection
    assert isinstance(source, sqlite3.Connection)
    with sqlite3.connect(target) as copy:
        # Pages are copied in steps, so writers are held up for a step at a time only.
        source.backup(copy, pages=1024, sleep=0.05)
    copy.close()


def backup_media(target: Path) -> int:
    media = Path(settings.MEDIA_ROOT)
    count = 0
    with tarfile.open(target, "w:gz") as archive:
        if media.is_dir():
            for path in sorted(media.rglob("*")):
                if path.is_file():
                    archive.add(path, arcname=str(path.relative_to(media)))
                    count += 1
    return count


class Command(BaseCommand):
    help = "Back up an SQLite database (online backup API) and the media folder into DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="a new or empty folder for the backup")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "sqlite":
            raise CommandError(
                "The database is PostgreSQL: back it up with pg_dump -Fc and copy the media "
                "folder (docs/deploying.md, Backup and restore)."
            )
        directory = Path(options["directory"])
        directory.mkdir(parents=True, exist_ok=True)
        if (directory / DATABASE_FILE).exists():
            raise CommandError(f"{directory / DATABASE_FILE} exists: choose a new folder.")
        backup_sqlite(directory / DATABASE_FILE)
        files = backup_media(directory / MEDIA_FILE)
        self.stdout.write(
            f"Database copied to {directory / DATABASE_FILE}; "
            f"{files} media files in {directory / MEDIA_FILE}."
        )
