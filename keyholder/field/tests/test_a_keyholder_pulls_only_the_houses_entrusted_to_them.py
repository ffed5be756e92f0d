"""A keyholder's phone gets their entrusted houses and what is due there, and nothing of the
registry; nobody outside gets anything of Asht."""

from __future__ import annotations

import datetime as dt
import json

from django.test import Client
from django.utils import timezone

from keyholder.accounts.models import AuditLog, User
from keyholder.field.tests.conftest import SECRETS, FieldDay, pull_all
from keyholder.keeping.models import TaskStatus
from keyholder.testing import Cast, bearer


def _ids(changes: list[dict], type_: str) -> set[str]:
    return {c["id"] for c in changes if c["type"] == type_ and c["op"] == "upsert"}


def test_it_gives_exactly_the_entrusted_houses_agreements_duties_and_tasks(
    client: Client, cast: Cast, field_day: FieldDay, neighbour: User
) -> None:
    answer = pull_all(client, cast.keyholder)

    changes = answer["changes"]
    page = answer["pages"][0]
    assert page["reset"] is True
    assert page["wipe_after_days"] == 30
    assert {c["type"] for c in changes} == {"house", "agreement", "duty", "task", "water_turn"}
    assert _ids(changes, "house") == {str(field_day.house.pk)}
    assert _ids(changes, "agreement") == {str(field_day.agreement.pk)}
    assert _ids(changes, "duty") == {str(field_day.rounds.pk)}
    today = timezone.localdate()
    expected_tasks = {
        str(t.pk)
        for t in field_day.agreement.tasks.all()
        if today <= t.due_date <= today + dt.timedelta(days=14)
        or (t.status == TaskStatus.DUE and t.due_date < today)
    }
    assert expected_tasks and _ids(changes, "task") == expected_tasks
    agreement = next(c for c in changes if c["type"] == "agreement")
    assert agreement["data"]["owners"] == ["Фарида"]
    house = next(c for c in changes if c["type"] == "house")
    assert house["data"]["village"] == cast.village.code
    assert "notes" not in house["data"]
    text = json.dumps(answer, ensure_ascii=False)
    # Nothing of the registry beyond the house: no person, phone, status, event or household.
    for secret in [*SECRETS, "departed", "abroad", "Москва", "Раҳимов", "Karimov"]:
        assert secret not in text
    assert str(field_day.free_house.pk) not in text
    assert str(cast.household.pk) not in text
    # Nor the neighbour's house in V02.
    assert "Қодиров" not in text and "USD" not in text
    # One audit row for the page, naming every record handed to the phone (issue 13).
    pulled = AuditLog.objects.get(user=cast.keyholder, object_type="field_pull")
    assert pulled.action == AuditLog.Action.READ_LIST
    assert set(pulled.shown_ids) == {c["id"] for c in changes if c["op"] == "upsert"}
    assert pulled.detail["count"] == len(pulled.shown_ids) > 0


def test_outsiders_get_nothing_of_asht(
    client: Client, cast: Cast, field_day: FieldDay, neighbour: User
) -> None:
    for visitor in (cast.outsider, cast.officer, cast.owner, neighbour):
        answer = pull_all(client, visitor)
        text = json.dumps(answer, ensure_ascii=False)
        assert str(field_day.house.pk) not in text, visitor
        assert str(field_day.agreement.pk) not in text, visitor
        for secret in SECRETS:
            assert secret not in text, visitor
    # The keyholder of the next village gets their own house only.
    assert {c["type"] for c in pull_all(client, neighbour)["changes"]} == {"house", "agreement"}
    assert pull_all(client, cast.outsider)["changes"] == []

    anonymous = client.get("/api/v1/sync/pull")
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "auth.required"


def test_another_accounts_cursor_starts_afresh(
    client: Client, cast: Cast, field_day: FieldDay, neighbour: User
) -> None:
    mine = pull_all(client, cast.keyholder)["cursor"]
    theirs = pull_all(client, neighbour, cursor=mine)
    assert theirs["pages"][0]["reset"] is True
    assert str(field_day.house.pk) not in json.dumps(theirs)

    bad = client.get("/api/v1/sync/pull", {"cursor": "not-ours"}, **bearer(cast.keyholder))
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid.cursor"
