"""The real ``keyholder worker`` process: killed in the middle of sending and started again,
it sends every message once; asked to stop, it finishes the message in hand first.

The worker runs as a subprocess. On PostgreSQL it uses the test database itself (the test is
transactional, so what it queued is committed). On SQLite the suite's database lives in memory
and cannot be shared, so the worker gets a file copy of it, taken with SQLite's backup API after
the messages are queued: the schema ``migrate`` makes, without a second Django start-up.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from keyholder.accounts.models import Role
from keyholder.notify.models import Message
from keyholder.notify.tests.conftest import SmtpRecorder, SmtpServer, start_smtp
from keyholder.notify.tests.helpers import queue_incident
from keyholder.testing import make_user, postgres_url

PROJECT_DIR = Path(__file__).resolve().parents[3]
LEASE_SECONDS = 1


@dataclass
class WorkerDatabase:
    """The database the worker process uses, and a way to read message states from it."""

    url: str
    sqlite_file: Path | None

    def statuses(self) -> dict[str, str]:
        """Message id (32 hex digits) -> status."""
        if self.sqlite_file is None:
            return {pk.hex: status for pk, status in Message.objects.values_list("pk", "status")}
        with sqlite3.connect(self.sqlite_file) as db:
            rows = db.execute("SELECT id, status FROM notify_message").fetchall()
        # Django stores a UUID in SQLite as 32 hex digits.
        return {row[0]: row[1] for row in rows}


def queue_and_share(tmp_path: Path, count: int) -> tuple[WorkerDatabase, list[str]]:
    """Queue ``count`` messages (committed: the test is transactional) and hand the database
    to another process: PostgreSQL's test database as it is, SQLite's in-memory one copied."""
    owner = make_user(
        "owner-abroad", Role.OWNER, channel="email", language="ru", email="owner@example.org"
    )
    ids = []
    for number in range(count):
        message = queue_incident(owner, key=f"incident:{number}", house=f"Rudaki {number}")
        assert message is not None
        ids.append(str(message.pk))
    connection.ensure_connection()
    if connection.vendor != "sqlite":
        url = postgres_url(connection.settings_dict)
        return WorkerDatabase(url=url, sqlite_file=None), ids
    path = tmp_path / "worker.sqlite3"
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    return WorkerDatabase(url=f"sqlite:///{path}", sqlite_file=path), ids


def worker_env(tmp_path: Path, database: WorkerDatabase, smtp: SmtpServer) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        {
            "KEYHOLDER_SECRET_KEY": "worker-process-test",
            "KEYHOLDER_DATABASE_URL": database.url,
            "KEYHOLDER_VAR_DIR": str(tmp_path),
            "KEYHOLDER_EMAIL_HOST": "127.0.0.1",
            "KEYHOLDER_EMAIL_PORT": str(smtp.port),
            "KEYHOLDER_WORKER_LEASE_SECONDS": str(LEASE_SECONDS),
            "KEYHOLDER_LOG_LEVEL": "WARNING",
        }
    )
    return env


def worker(*args: str) -> list[str]:
    return [sys.executable, "-m", "keyholder.cli", "worker", *args]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_killing_the_worker_mid_send_and_starting_it_again_sends_every_message_once(
    tmp_path: Path,
) -> None:
    database, ids = queue_and_share(tmp_path, 20)
    # The server takes the 3rd message and does not answer until the worker is dead.
    smtp = start_smtp(SmtpRecorder(hold_at=3))
    env = worker_env(tmp_path, database, smtp)
    try:
        process = subprocess.Popen(worker("--sleep", "0.05"), env=env, cwd=PROJECT_DIR)
        try:
            assert smtp.recorder.held.wait(timeout=60), "the worker sent nothing"
        finally:
            process.kill()
            process.wait(timeout=10)
        smtp.recorder.release.set()

        # Killed mid-send: two sent, one claimed and never marked, the rest untouched.
        after_kill = database.statuses()
        assert list(after_kill.values()).count("sent") == 2
        assert list(after_kill.values()).count("sending") == 1
        [in_flight] = [pk for pk, status in after_kill.items() if status == "sending"]

        # Past the lease, a new worker takes the abandoned claim back.
        time.sleep(LEASE_SECONDS + 0.1)
        subprocess.run(worker("--once"), env=env, cwd=PROJECT_DIR, check=True, timeout=60)
    finally:
        smtp.recorder.release.set()
        smtp.controller.stop()

    assert set(database.statuses().values()) == {"sent"}
    received = [m["Message-ID"] for m in smtp.messages]
    expected = {f"<{pk}@127.0.0.1>" for pk in ids}
    # Every message arrived, and by Message-ID each one exactly once.
    assert set(received) == expected
    # The only repeat is the message the server had already taken when the worker died: the
    # case no SMTP client can rule out, which its stable Message-ID lets the receiver drop.
    repeats = [mid for mid in expected if received.count(mid) > 1]
    assert [mid.strip("<>").split("@")[0].replace("-", "") for mid in repeats] == [in_flight]
    assert len(received) == len(ids) + 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_asked_to_stop_the_worker_finishes_the_message_in_hand_then_exits(
    tmp_path: Path,
) -> None:
    database, _ids = queue_and_share(tmp_path, 3)
    smtp = start_smtp(SmtpRecorder(hold_at=1))
    env = worker_env(tmp_path, database, smtp)
    try:
        process = subprocess.Popen(worker("--sleep", "0.05"), env=env, cwd=PROJECT_DIR)
        try:
            assert smtp.recorder.held.wait(timeout=60), "the worker sent nothing"
            process.send_signal(signal.SIGTERM)
            smtp.recorder.release.set()
            assert process.wait(timeout=30) == 0
        finally:
            if process.poll() is None:
                process.kill()
    finally:
        smtp.recorder.release.set()
        smtp.controller.stop()

    assert len(smtp.messages) == 1
    assert sorted(database.statuses().values()) == ["pending", "pending", "sent"]
    assert Message.objects.count() == 3
