"""``keyholder demo_serve`` (what ``make demo`` runs) starts the web server and the worker
together, and Ctrl-C stops both: no worker is left behind sending the demo's messages."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from keyholder.testing import postgres_url

TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer: the server is up
    except OSError:
        return False


def migrated_database(tmp_path: Path) -> str:
    """A database URL with every table, for the processes the command starts.

    The test database already has them: on SQLite its in-memory tables are copied to a file
    with the online backup API (a ``migrate`` in a subprocess cost half a minute); on
    PostgreSQL the processes use the test database itself.
    """
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        target = tmp_path / "demo.sqlite3"
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
        return f"sqlite:///{target}"
    return postgres_url(connection.settings_dict)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_it_runs_the_server_and_the_worker_and_stops_both(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "keyholder.settings",
        "KEYHOLDER_DEBUG": "1",
        "KEYHOLDER_VAR_DIR": str(tmp_path),
        "KEYHOLDER_DATABASE_URL": migrated_database(tmp_path),
        "KEYHOLDER_EMAIL_BACKEND": "mailbox",
    }
    manage = [sys.executable, "-m", "keyholder.cli"]
    port = _free_port()
    serve = subprocess.Popen(
        [*manage, "demo_serve", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert serve.stdout is not None
        first = serve.stdout.readline()
        found = re.search(r"worker pid (\d+), web server pid (\d+)", first)
        assert found, first
        worker, server = int(found.group(1)), int(found.group(2))
        deadline = time.monotonic() + TIMEOUT
        while not _answers(f"http://127.0.0.1:{port}/") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _answers(f"http://127.0.0.1:{port}/")
        assert _alive(worker) and _alive(server)

        # Ctrl-C reaches the command (make's process group gets it the same way).
        serve.send_signal(signal.SIGINT)
        out, _ = serve.communicate(timeout=30)
        assert serve.returncode == 0
        assert "stopped" in out
        assert not _alive(worker) and not _alive(server)
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
