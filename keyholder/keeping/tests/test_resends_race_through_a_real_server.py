"""Twenty copies of one record sent at once through a real server: one row, only 200 and 201.

A phone on a bad link retries while its first request still runs, so the same body with the
same client id may arrive many times at the same moment. Issue 13 found 500s (the primary key
met inside the insert) and "overlapping stay abroad" refusals (the history validated with the
twin's event) on PostgreSQL. Here twenty threads, released together by a barrier, post one
payment and one migration event to a live server, each request on its own connection.

PostgreSQL only: the in-memory SQLite test database is one connection shared by the server's
threads, so their writes never meet the way they do on a database server.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest
from django.db import connection

from keyholder.keeping.models import Payment
from keyholder.registry.models import MigrationEvent
from keyholder.testing import Cast, make_person, token_for

THREADS = 20

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'",
        reason="needs PostgreSQL: SQLite's in-memory test database is one shared connection",
    ),
]


def _post_together(url: str, token: str, body: dict[str, Any]) -> list[int]:
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    lock = threading.Lock()
    data = json.dumps(body).encode()

    def send() -> None:
        request = urllib.request.Request(
            url,
            data=data,
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=send) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_twenty_identical_payments_at_once_make_one(
    live_server: Any, cast: Cast, kept: Any
) -> None:
    assert connection.vendor == "postgresql"
    payment_id = str(uuid.uuid4())
    body = {
        "id": payment_id,
        "agreement": str(kept.agreement.pk),
        "amount": "100.00",
        "currency": "TJS",
        "paid_on": kept.today.isoformat(),
        "method": "cash",
    }
    statuses = _post_together(
        f"{live_server.url}/api/v1/keeping/payments", token_for(cast.keyholder), body
    )
    assert sorted(statuses) == [200] * (THREADS - 1) + [201]
    assert Payment.objects.filter(pk=payment_id).count() == 1


def test_twenty_identical_events_at_once_make_one(live_server: Any, cast: Cast) -> None:
    person = make_person(cast.household, "Zarina", birth_year=1995)
    event_id = str(uuid.uuid4())
    body = {"id": event_id, "kind": "departed", "date": "2024-03-01", "country": "RU"}
    statuses = _post_together(
        f"{live_server.url}/api/v1/persons/{person.pk}/events",
        token_for(cast.enumerator),
        body,
    )
    assert sorted(statuses) == [200] * (THREADS - 1) + [201]
    assert MigrationEvent.objects.filter(person=person).count() == 1
