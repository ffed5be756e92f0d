"""A batch from a phone: each record answered on its own; sent twice or cut off half-way and
sent again, it leaves exactly one copy of each record."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from keyholder.field.tests.conftest import FieldDay
from keyholder.keeping.models import Incident, Task, TaskStatus, Visit
from keyholder.testing import Cast, bearer


def _batch(field_day: FieldDay) -> list[dict]:
    now = timezone.now()
    today_task = Task.objects.get(duty=field_day.rounds, due_date=timezone.localdate())
    agreement = str(field_day.agreement.pk)
    return [
        {
            "type": "visit",
            "id": str(uuid.uuid4()),
            "made_at": (now - dt.timedelta(hours=3)).isoformat(),
            "data": {
                "agreement": agreement,
                "checked_in_at": (now - dt.timedelta(hours=3)).isoformat(),
                "checked_out_at": (now - dt.timedelta(hours=2, minutes=40)).isoformat(),
                "tasks": [str(today_task.pk)],
                "checklist": {"doors_windows_locked": True},
                "notes": "Ҳама чиз дар тартиб.",
            },
        },
        {
            "type": "visit",
            "id": str(uuid.uuid4()),
            "made_at": (now - dt.timedelta(hours=1)).isoformat(),
            "data": {
                "agreement": agreement,
                "checked_in_at": (now - dt.timedelta(hours=1)).isoformat(),
            },
        },
        {
            "type": "incident",
            "id": str(uuid.uuid4()),
            "made_at": now.isoformat(),
            "data": {
                "agreement": agreement,
                "occurred_on": timezone.localdate().isoformat(),
                "kind": "leak",
                "severity": "minor",
                "notes": "Қубур чакида истодааст.",
            },
        },
    ]


def _push(client: Client, auth: dict[str, Any], records: list[dict]) -> list[dict]:
    response = client.post(
        "/api/v1/sync/push", {"records": records}, content_type="application/json", **auth
    )
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["id"] for r in results] == [r["id"] for r in records]
    return results


def test_a_batch_sent_twice_creates_each_record_once(
    client: Client, cast: Cast, field_day: FieldDay
) -> None:
    auth = bearer(cast.keyholder)
    batch = _batch(field_day)

    first = _push(client, auth, batch)
    assert [r["result"] for r in first] == ["created", "created", "created"]
    assert Visit.objects.count() == 2 and Incident.objects.count() == 1
    done = Task.objects.get(duty=field_day.rounds, due_date=timezone.localdate())
    assert done.status == TaskStatus.DONE and str(done.fulfilled_by_id) == batch[0]["id"]

    again = _push(client, auth, batch)
    assert [r["result"] for r in again] == ["exists", "exists", "exists"]
    assert Visit.objects.count() == 2 and Incident.objects.count() == 1

    # Other content under a used id is a conflict, answered with the catalogue's code.
    changed = [{**batch[2], "data": {**batch[2]["data"], "severity": "moderate"}}]
    [conflict] = _push(client, auth, changed)
    assert conflict["result"] == "conflict" and conflict["code"] == "conflict.uuid"


def test_a_batch_cut_off_half_way_and_sent_again_leaves_one_copy_of_each(
    client: Client, cast: Cast, field_day: FieldDay
) -> None:
    auth = bearer(cast.keyholder)
    batch = _batch(field_day)
    # The connection dropped after the first record was applied.
    assert [r["result"] for r in _push(client, auth, batch[:1])] == ["created"]

    results = _push(client, auth, batch)

    assert [r["result"] for r in results] == ["exists", "created", "created"]
    assert Visit.objects.count() == 2 and Incident.objects.count() == 1


def test_one_refused_record_loses_nothing_of_the_others(
    client: Client, cast: Cast, field_day: FieldDay
) -> None:
    batch = _batch(field_day)
    future = (timezone.now() + dt.timedelta(days=2)).isoformat()
    batch[1]["data"]["checked_in_at"] = future
    unknown = {"type": "spaceship", "id": str(uuid.uuid4()), "made_at": future, "data": {}}
    broken = {"type": "incident", "id": str(uuid.uuid4()), "made_at": future, "data": {}}

    results = _push(client, bearer(cast.keyholder), [*batch, unknown, broken])

    assert [r["result"] for r in results] == ["created", "refused", "created", "refused", "refused"]
    assert [results[i].get("code") for i in (1, 3, 4)] == [
        "keeping.time_in_future",
        "invalid.field",
        "invalid",
    ]
    assert results[1]["field"] == "checked_in_at"
    assert Visit.objects.count() == 1 and Incident.objects.count() == 1


def test_nobody_else_writes_to_the_house(client: Client, cast: Cast, field_day: FieldDay) -> None:
    batch = _batch(field_day)
    for visitor in (cast.outsider, cast.enumerator, cast.owner):
        results = _push(client, bearer(visitor), batch)
        assert {r["result"] for r in results} == {"refused"}
        assert {r["code"] for r in results} <= {"not_found", "auth.forbidden"}
    assert Visit.objects.count() == 0 and Incident.objects.count() == 0

    too_many = [{**batch[1], "id": str(uuid.uuid4())} for _ in range(201)]
    response = client.post(
        "/api/v1/sync/push",
        {"records": too_many},
        content_type="application/json",
        **bearer(cast.keyholder),
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_a_racing_resend_that_hits_the_primary_key_answers_exists(
    client: Client, cast: Cast, field_day: FieldDay, monkeypatch: pytest.MonkeyPatch
) -> None:
    from keyholder.core import idempotency

    auth = bearer(cast.keyholder)
    batch = _batch(field_day)[2:]
    assert _push(client, auth, batch)[0]["result"] == "created"
    real = idempotency.find_resend
    calls: list[Any] = []

    def blind_once(model: Any, record_id: Any, fields: Any, scope: Any = None) -> Any:
        # The other phone's insert is not visible yet when this one looks: it inserts too.
        calls.append(record_id)
        if len(calls) == 1:
            return None, record_id
        return real(model, record_id, fields, scope)

    monkeypatch.setattr(idempotency, "find_resend", blind_once)
    assert [r["result"] for r in _push(client, auth, batch)] == ["exists"]
    # The service looked once and saw nothing; its insert (core.idempotency.insert_once) met
    # the primary key and read the row again: the phone hears "exists", one incident stands.
    incident_id = calls[0]
    assert calls == [incident_id, incident_id] and Incident.objects.count() == 1
