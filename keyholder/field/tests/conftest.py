"""Fixtures of the sync tests: a field day in village V01 of the cast.

- ``field_day``: the Karimov house of V01 entrusted to the cast's keyholder, with the cast's owner
  (first name Фарида, family name, phone and email that must never reach the phone) as owner, a
  security round every 3 days and watering on the village's water turns; the Karimov household
  has two members with a departure; a second house of V01 stays with nobody.
- ``neighbour``: the keyholder of village V02, with a house of their own there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from keyholder.accounts.models import Role, User
from keyholder.keeping import services
from keyholder.keeping.models import Duty, KeepingAgreement
from keyholder.registry.models import House, Person
from keyholder.testing import Cast, bearer, make_event, make_household, make_person, make_user

# Each test at local noon of today, whatever the hour of the run (see at_noon_today).
from keyholder.testing import at_noon_today  # noqa: F401  isort: skip

# What the keyholder's phone must never carry: registry names, phone numbers, owners' surnames.
SECRETS = ["Азизҷон", "Мадина", "+992917000001", "Қаримова", "owner@example.org", "+992900000009"]


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


@dataclass
class FieldDay:
    agreement: KeepingAgreement
    rounds: Duty
    house: House
    free_house: House
    head: Person
    wife: Person


@pytest.fixture
def field_day(cast: Cast) -> FieldDay:
    house = cast.household.house
    assert house is not None
    cast.owner.first_name = "Фарида"
    cast.owner.last_name = "Қаримова"
    cast.owner.email = "owner@example.org"
    cast.owner.phone = "+992900000009"
    cast.owner.save()
    head = make_person(cast.household, "Азизҷон", phone="+992917000001")
    wife = make_person(cast.household, "Мадина", sex="f", relation="spouse")
    make_event(head, "departed", days_ago(200), destination="Москва")
    agreement, _ = services.do_create_agreement(
        actor=None,
        house=house,
        keyholder=cast.keyholder,
        owners=[cast.owner],
        start=days_ago(40),
        fee_amount=Decimal("100"),
        fee_currency="TJS",
        fee_period="month",
    )
    services.do_add_water_turns(actor=None, village=cast.village, dates=[days_ago(1)])
    rounds, _ = services.do_create_duty(
        actor=None, agreement=agreement, kind="security_round", every_days=3, starts_on=days_ago(9)
    )
    free = make_household(cast.village, "Раҳимов")
    assert free.house is not None
    return FieldDay(agreement, rounds, house, free.house, head, wife)


@pytest.fixture
def neighbour(cast: Cast) -> User:
    keyholder = make_user("keyholder2", Role.KEYHOLDER, [cast.village2])
    household = make_household(cast.village2, "Қодиров")
    assert household.house is not None
    services.do_create_agreement(
        actor=None,
        house=household.house,
        keyholder=keyholder,
        start=days_ago(10),
        fee_amount=Decimal("20"),
        fee_currency="USD",
        fee_period="season",
    )
    return keyholder


def pull_all(client: Client, user: User, cursor: str | None = None, limit: int = 200) -> dict:
    """Every page of one pull: the changes of all pages, the last cursor, and each page."""
    auth = bearer(user)
    changes: list[dict] = []
    pages = []
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        response = client.get("/api/v1/sync/pull", params, **auth)
        assert response.status_code == 200, response.content
        page = response.json()
        pages.append(page)
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["more"]:
            return {"changes": changes, "cursor": cursor, "pages": pages}
