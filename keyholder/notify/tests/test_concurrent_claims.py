"""Workers claiming at the same moment never take the same message (PostgreSQL: FOR UPDATE
SKIP LOCKED; SQLite: compare-and-set), and together they take every message."""

from __future__ import annotations

import threading
from typing import Any, cast

import pytest
from django.db import OperationalError, connection

from keyholder.accounts.models import Role
from keyholder.notify import outbox
from keyholder.notify.tests.helpers import queue_incident
from keyholder.testing import make_user

WORKERS = 4
MESSAGES = 40


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_claim_each_message_once() -> None:
    if connection.vendor == "sqlite" and cast(Any, connection).is_in_memory_db():
        # Threads share an in-memory SQLite database through its shared cache, where a busy
        # table fails at once instead of waiting; the worker-process test covers a file SQLite.
        pytest.skip("needs a database that other connections can wait on")
    owner = make_user("owner-abroad", Role.OWNER, email="owner@example.org")
    for number in range(MESSAGES):
        queue_incident(owner, key=f"incident:{number}")
    claimed: dict[str, list[str]] = {f"worker-{n}": [] for n in range(WORKERS)}
    errors: list[BaseException] = []
    start = threading.Barrier(WORKERS)

    def work(worker_id: str) -> None:
        try:
            start.wait()
            while (message := outbox.claim_next(worker_id)) is not None:
                claimed[worker_id].append(str(message.pk))
        except (OperationalError, AssertionError) as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(name,)) for name in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    every_claim = [pk for ids in claimed.values() for pk in ids]
    assert len(every_claim) == MESSAGES
    assert len(set(every_claim)) == MESSAGES
