"""On SQLite, a write that meets another write in progress waits for it (WAL, a 20 s busy
timeout, transactions that take the write lock when they begin) instead of failing with
"database is locked" (issue 13, item 8). PostgreSQL has row locks and needs none of this."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own locking")


def _open(path: Path, alias: str) -> DatabaseWrapper:
    settings = {**connection.settings_dict, "NAME": str(path)}
    wrapper = DatabaseWrapper(settings, alias=alias)
    wrapper.ensure_connection()
    return wrapper


def test_a_second_writer_waits_for_the_first_and_succeeds(
    tmp_path: Path, django_db_blocker
) -> None:
    # Two connections of our own to a file of our own, not the test database.
    with django_db_blocker.unblock():
        _two_writers(tmp_path / "keyholder.sqlite3")


def _two_writers(path: Path) -> None:
    first = _open(path, "first")
    with first.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] >= 20_000
        cursor.execute("CREATE TABLE t (n integer)")
    holding = threading.Event()

    def hold_a_write() -> None:
        # An import's long transaction: the write lock held a while (0.4 s here).
        first.inc_thread_sharing()
        with first.cursor() as cursor:
            cursor.execute("BEGIN IMMEDIATE")
            cursor.execute("INSERT INTO t VALUES (1)")
            holding.set()
            time.sleep(0.4)
            cursor.execute("COMMIT")

    thread = threading.Thread(target=hold_a_write)
    thread.start()
    assert holding.wait(5)
    second = _open(path, "second")
    started = time.monotonic()
    # Django's transactions on this connection begin with BEGIN IMMEDIATE (transaction_mode).
    second.set_autocommit(False)
    with second.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (2)")
    second.commit()
    waited = time.monotonic() - started
    thread.join()

    assert waited >= 0.3
    with second.cursor() as cursor:
        assert sorted(r[0] for r in cursor.execute("SELECT n FROM t").fetchall()) == [1, 2]
    first.close()
    second.close()
