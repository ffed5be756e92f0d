"""Agreements through the API: client UUIDs, one keyholder per house, pause/resume/end history."""

from __future__ import annotations

import uuid

from keyholder.keeping.models import AgreementStatus, KeepingAgreement, Task, TaskStatus
from keyholder.keeping.tests.conftest import Kept, days_ago
from keyholder.testing import Cast, bearer, make_house


def test_it_creates_an_agreement_once_and_refuses_other_content_under_its_id(
    cast: Cast, client
) -> None:
    # The cast's owner's household lives in this house: they may be named as its owner.
    house = cast.household.house
    assert house is not None
    headers = bearer(cast.keyholder)
    body = {
        "id": str(uuid.uuid4()),
        "house": str(house.pk),
        "owners": ["owner"],
        "start": days_ago(5).isoformat(),
        "fee_amount": "300",
        "fee_currency": "RUB",
        "fee_period": "year",
    }
    url = "/api/v1/keeping/agreements"

    created = client.post(url, body, content_type="application/json", **headers)
    resent = client.post(url, body, content_type="application/json", **headers)
    changed = client.post(
        url, {**body, "fee_amount": "400"}, content_type="application/json", **headers
    )
    second = client.post(
        url, {**body, "id": str(uuid.uuid4())}, content_type="application/json", **headers
    )

    assert created.status_code == 201, created.json()
    assert created.json()["keyholder"] == "keyholder" and created.json()["owners"] == ["owner"]
    assert resent.status_code == 200 and resent.json()["id"] == body["id"]
    assert changed.status_code == 409 and changed.json()["code"] == "conflict.uuid"
    assert second.status_code == 409 and second.json()["code"] == "keeping.house_already_kept"
    assert KeepingAgreement.objects.count() == 1
    # A yearly fee: one charge for this year, in roubles.
    charge = KeepingAgreement.objects.get().charges.get()
    assert (charge.currency, charge.period_start.month, charge.period_end.month) == ("RUB", 1, 12)


def test_it_refuses_a_house_outside_the_keyholders_village(cast: Cast, client) -> None:
    house = make_house(cast.village2)
    response = client.post(
        "/api/v1/keeping/agreements",
        {
            "house": str(house.pk),
            "start": days_ago(1).isoformat(),
            "fee_amount": "10",
            "fee_currency": "TJS",
            "fee_period": "month",
        },
        content_type="application/json",
        **bearer(cast.keyholder),
    )
    assert response.status_code == 400
    assert response.json()["field"] == "house"
    by_owner = client.post(
        "/api/v1/keeping/agreements",
        {
            "house": str(cast.household.house_id),
            "keyholder": "keyholder",
            "start": days_ago(1).isoformat(),
            "fee_amount": "10",
            "fee_currency": "TJS",
            "fee_period": "month",
        },
        content_type="application/json",
        **bearer(cast.owner),
    )
    assert by_owner.status_code == 403


def test_pausing_drops_open_tasks_and_the_history_stays(cast: Cast, kept: Kept, client) -> None:
    headers = bearer(cast.keyholder)
    url = f"/api/v1/keeping/agreements/{kept.agreement.pk}/changes"
    future_open = Task.objects.filter(due_date__gt=kept.today, status=TaskStatus.DUE)
    assert future_open.exists()

    paused = client.post(
        url,
        {"kind": "pause", "date": kept.today.isoformat()},
        content_type="application/json",
        **headers,
    )
    assert paused.status_code == 201
    assert not Task.objects.filter(due_date__gte=kept.today, status=TaskStatus.DUE).exists()
    again = client.post(
        url,
        {"kind": "pause", "date": kept.today.isoformat()},
        content_type="application/json",
        **headers,
    )
    assert again.status_code == 409 and again.json()["code"] == "keeping.bad_transition"

    client.post(
        url,
        {"kind": "resume", "date": kept.today.isoformat()},
        content_type="application/json",
        **headers,
    )
    assert Task.objects.filter(due_date__gt=kept.today, status=TaskStatus.DUE).exists()
    ended = client.post(
        url,
        {"kind": "end", "date": kept.today.isoformat(), "note": "Оила баргашт."},
        content_type="application/json",
        **headers,
    )
    assert ended.status_code == 201
    agreement = client.get(f"/api/v1/keeping/agreements/{kept.agreement.pk}", **headers).json()
    assert agreement["status"] == AgreementStatus.ENDED
    assert agreement["end"] == kept.today.isoformat()
    assert [c["kind"] for c in agreement["changes"]] == ["pause", "resume", "end"]
    assert not Task.objects.filter(due_date__gt=kept.today, status=TaskStatus.DUE).exists()


def test_keys_are_logged_handed_over_and_returned(cast: Cast, kept: Kept, client) -> None:
    headers = bearer(cast.keyholder)
    key = client.post(
        f"/api/v1/keeping/agreements/{kept.agreement.pk}/keys",
        {
            "label": "Дарвозаи ҳавлӣ",
            "handed_over_on": days_ago(40).isoformat(),
            "handed_over_by": "Karim Karimov",
        },
        content_type="application/json",
        **headers,
    )
    assert key.status_code == 201
    back = client.post(
        f"/api/v1/keeping/keys/{key.json()['id']}/return",
        {"returned_on": kept.today.isoformat(), "returned_to": "Karim Karimov"},
        content_type="application/json",
        **headers,
    )
    assert back.status_code == 200 and back.json()["returned_on"] == kept.today.isoformat()
    assert (
        client.post(
            f"/api/v1/keeping/keys/{key.json()['id']}/return",
            {"returned_on": kept.today.isoformat(), "returned_to": "x"},
            content_type="application/json",
            **bearer(cast.outsider),
        ).status_code
        == 404
    )
