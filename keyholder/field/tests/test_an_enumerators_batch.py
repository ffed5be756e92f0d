"""An enumerator's day: a new household, its member and their events, in one batch; an
impossible event is refused in the phone's language and the rest is kept."""

from __future__ import annotations

import datetime as dt
import uuid

from django.test import Client
from django.utils import timezone, translation

from keyholder.core.errors import Code, ServiceError
from keyholder.field.tests.conftest import FieldDay
from keyholder.registry.models import Household, MigrationEvent, Person
from keyholder.testing import Cast, bearer


def _record(type_: str, data: dict) -> dict:
    return {
        "type": type_,
        "id": str(uuid.uuid4()),
        "made_at": timezone.now().isoformat(),
        "data": data,
    }


def test_it_creates_the_household_and_refuses_only_the_impossible_event_in_tajik(
    client: Client, cast: Cast, field_day: FieldDay
) -> None:
    today = timezone.localdate()
    household = _record(
        "household",
        {"village": cast.village.code, "name": "Шарипов", "house": str(field_day.free_house.pk)},
    )
    person = _record(
        "person",
        {
            "household": household["id"],
            "given_name": "Раҳим",
            "sex": "m",
            "birth_year": 1995,
            "relation": "head",
        },
    )
    left = today - dt.timedelta(days=300)
    back = today - dt.timedelta(days=30)
    events = [
        _record(
            "event",
            {"person": person["id"], "kind": "departed", "date": left.isoformat(), "country": "RU"},
        ),
        _record("event", {"person": person["id"], "kind": "returned", "date": back.isoformat()}),
        # Returned again without leaving: impossible.
        _record("event", {"person": person["id"], "kind": "returned", "date": today.isoformat()}),
    ]
    batch = [household, person, *events]

    response = client.post(
        "/api/v1/sync/push",
        {"records": batch},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="tg",
        **bearer(cast.enumerator),
    )

    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["result"] for r in results] == ["created", "created", "created", "created", "refused"]
    refused = results[4]
    assert refused["code"] == "history.return_without_departure"
    with translation.override("tg"):
        tajik = ServiceError(Code.HISTORY_RETURN_WITHOUT_DEPARTURE, date=today.isoformat()).message
    with translation.override("en"):
        english = ServiceError(
            Code.HISTORY_RETURN_WITHOUT_DEPARTURE, date=today.isoformat()
        ).message
    assert refused["message"] == tajik != english
    assert Household.objects.filter(pk=household["id"]).exists()
    assert Person.objects.get(pk=person["id"]).household_id == uuid.UUID(household["id"])
    assert MigrationEvent.objects.filter(person_id=person["id"]).count() == 2

    # The keyholder may not write to the registry, nor anyone outside the village.
    for visitor in (cast.keyholder, cast.outsider):
        answers = client.post(
            "/api/v1/sync/push",
            {"records": [_record("household", {"village": cast.village.code, "name": "X"})]},
            content_type="application/json",
            **bearer(visitor),
        ).json()["results"]
        assert answers[0]["result"] == "refused"
        assert answers[0]["code"] in {"auth.forbidden", "out_of_scope"}
