"""An agreement's owners are the owner accounts of its house's households, and nobody else.

Naming another account would hand it the house's visits, photos and ledger; and the answer to a
wrong name must not tell the requester whether that account exists, or whose owner it is.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from keyholder.accounts.models import Role
from keyholder.core.errors import Code, ServiceError
from keyholder.keeping import services
from keyholder.keeping.models import KeepingAgreement
from keyholder.keeping.tests.conftest import days_ago
from keyholder.testing import Cast, bearer, make_household, make_user

URL = "/api/v1/keeping/agreements"


def _body(house_id: object, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "house": str(house_id),
        "start": days_ago(2).isoformat(),
        "fee_amount": "50",
        "fee_currency": "TJS",
        "fee_period": "month",
        **extra,
    }


def test_it_refuses_any_owner_not_of_the_house_with_one_answer(cast: Cast, client) -> None:
    # A house of the keyholder's village with a family and its owner account; the cast's owner
    # lives in another house of the same village, and owner_v02 in the next village.
    family = make_household(cast.village, "Nazarov")
    family_owner = make_user("owner_nazarov", Role.OWNER, household=family)
    make_user("owner_v02", Role.OWNER, household=make_household(cast.village2, "Qodirov"))
    make_user("owner_gone", Role.OWNER, household=family, is_active=False)
    headers = bearer(cast.keyholder)

    answers = {}
    for name in ("nobody_at_all", "officer", "owner", "owner_v02", "owner_gone"):
        response = client.post(
            URL,
            _body(family.house_id, owners=[name]),
            content_type="application/json",
            **headers,
        )
        body = response.json()
        answers[name] = (response.status_code, body["code"], body.get("field"), body["message"])

    # The same status, code, field and message (but for the name sent) whoever was named:
    # the catalogue's message in the request's language, with only the name filled in.
    expected = ServiceError(Code.KEEPING_OWNER_NOT_OF_HOUSE, value="NAME").message
    assert {
        (status, code, field, message.replace(name, "NAME"))
        for name, (status, code, field, message) in answers.items()
    } == {(400, "keeping.owner_not_of_house", "owners", expected)}
    assert not KeepingAgreement.objects.exists()
    # The hijack failed: the other house's owner reads nothing of this house.
    assert client.get(URL, **bearer(cast.owner)).json()["count"] == 0

    taken = client.post(
        URL,
        _body(family.house_id, owners=["owner_nazarov"]),
        content_type="application/json",
        **headers,
    )
    assert taken.status_code == 201, taken.json()
    assert list(KeepingAgreement.objects.get().owners.all()) == [family_owner]


def test_a_keyholder_cannot_probe_usernames_through_the_keyholder_field(cast: Cast, client) -> None:
    house = make_household(cast.village, "Nazarov").house
    assert house is not None
    make_user("keyholder_v02", Role.KEYHOLDER, [cast.village2])
    answers = [
        client.post(
            URL,
            _body(house.pk, keyholder=name),
            content_type="application/json",
            **bearer(cast.keyholder),
        )
        for name in ("keyholder_v02", "nobody_at_all")
    ]
    assert [(r.status_code, r.json()["code"]) for r in answers] == [(403, "auth.forbidden")] * 2


def test_the_service_refuses_an_owner_of_another_house(cast: Cast) -> None:
    # Every way in (pages, API, the sample generator) writes through this one function.
    house = make_household(cast.village, "Nazarov").house
    assert house is not None
    with pytest.raises(ServiceError) as refused:
        services.do_create_agreement(
            actor=cast.keyholder,
            house=house,
            keyholder=cast.keyholder,
            owners=[cast.owner],
            start=days_ago(2),
            fee_amount=Decimal("50"),
            fee_currency="TJS",
            fee_period="month",
        )
    assert refused.value.code == Code.KEEPING_OWNER_NOT_OF_HOUSE
    assert not KeepingAgreement.objects.exists()


def test_the_outsider_learns_nothing_either(cast: Cast, client) -> None:
    house = make_household(cast.village, "Nazarov").house
    assert house is not None
    answers = [
        client.post(
            URL,
            _body(house.pk, owners=[name]),
            content_type="application/json",
            **bearer(cast.outsider),
        ).json()
        for name in ("owner", "nobody_at_all")
    ]
    assert [a["code"] for a in answers] == ["invalid.field"] * 2
    assert [a["field"] for a in answers] == ["house"] * 2
    assert not KeepingAgreement.objects.exists()
