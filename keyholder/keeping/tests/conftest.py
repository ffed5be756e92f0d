"""Fixtures of the keeping tests: a kept house of the cast, and a second pair who must not see it.

- ``kept``: the Karimov house of V01 (street in Tajik) entrusted to the cast's keyholder, with
  the cast's owner as owner, a fee of 100 TJS a month since 40 days ago, a security round every
  3 days and watering on the village's water turns;
- ``second_keyholder``: keyholder of village V02, with a house of their own there;
- ``other_owner``: owner of that other house in V02.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from conftest import shares_module_fixture
from keyholder.accounts.models import Role, User
from keyholder.keeping import services
from keyholder.keeping.models import Duty, KeepingAgreement, WateringSeason

# The local SMTP server and Telegram stand-in of the notify tests, for the messages keeping sends.
from keyholder.notify.tests.conftest import bot_api, smtp_server  # noqa: F401
from keyholder.testing import Cast, clock_at_noon_today, make_household, make_user

# Each test at local noon of today, whatever the hour of the run (see at_noon_today).
from keyholder.testing import at_noon_today  # noqa: F401  isort: skip

STREET = "кӯчаи Рӯдакӣ"


@pytest.fixture(autouse=True)
def media_in_tmp(settings: object, tmp_path: object) -> None:
    # Photos go to a temporary MEDIA_ROOT, never to var/media.
    # Django resets default_storage when MEDIA_ROOT changes.
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]


@dataclass
class Kept:
    agreement: KeepingAgreement
    rounds: Duty
    watering: Duty
    today: dt.date


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


@pytest.fixture(scope="module", autouse=True)
def _module_kept(request: pytest.FixtureRequest, _module_cast: Cast | None) -> Kept | None:
    """``kept`` made once for a module whose every database test asks for it (see
    ``shares_module_fixture`` in the root conftest.py), at noon as the tests run: about 0.05 s
    of CPU each time, some 30 times in the suite."""
    if _module_cast is None or not shares_module_fixture(request, "kept"):
        return None
    blocker = request.getfixturevalue("module_db")
    with blocker.unblock(), clock_at_noon_today():
        return make_kept(_module_cast)


@pytest.fixture
def kept(cast: Cast, _module_kept: Kept | None, copies: dict[int, Any]) -> Kept:
    if _module_kept is None:
        return make_kept(cast)
    return copy.deepcopy(_module_kept, copies)


def make_kept(cast: Cast) -> Kept:
    house = cast.household.house
    assert house is not None
    house.street = STREET
    house.number = "12"
    house.save()
    cast.owner.language = "tg"
    cast.owner.email = "owner@example.org"
    cast.owner.save()
    today = timezone.localdate()
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
    WateringSeason.objects.create(
        village=cast.village,
        year=today.year,
        start=dt.date(today.year, 1, 1),
        end=dt.date(today.year, 12, 31),
    )
    services.do_add_water_turns(actor=None, village=cast.village, dates=[days_ago(1), today])
    rounds, _ = services.do_create_duty(
        actor=None,
        agreement=agreement,
        kind="security_round",
        every_days=3,
        starts_on=days_ago(9),
    )
    watering, _ = services.do_create_duty(
        actor=None,
        agreement=agreement,
        kind="watering",
        follows_water_turns=True,
        starts_on=days_ago(30),
    )
    return Kept(agreement, rounds, watering, today)


@pytest.fixture
def second_keyholder(cast: Cast) -> User:
    return make_user("keyholder2", Role.KEYHOLDER, [cast.village2])


@pytest.fixture
def other_owner(cast: Cast, second_keyholder: User) -> User:
    household = make_household(cast.village2, "Қодиров")
    owner = make_user("owner2", Role.OWNER, household=household)
    assert household.house is not None
    services.do_create_agreement(
        actor=None,
        house=household.house,
        keyholder=second_keyholder,
        owners=[owner],
        start=days_ago(10),
        fee_amount=Decimal("20"),
        fee_currency="USD",
        fee_period="season",
    )
    return owner
