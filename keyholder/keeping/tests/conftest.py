"""Fixtures of the keeping tests: a kept house of the cast, and a second pair who must not see it.

- ``kept``: the Karimov house of V01 (street in Tajik) entrusted to the cast's keyholder, with
  the cast's owner as owner, a fee of 100 TJS a month since 40 days ago, a security round every
  3 days and watering on the village's water turns;
- ``second_keyholder``: keyholder of village V02, with a house of their own there;
- ``other_owner``: owner of that other house in V02.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from keyholder.accounts.models import Role, User
from keyholder.keeping import services
from keyholder.keeping.models import Duty, KeepingAgreement, WateringSeason
from keyholder.testing import Cast, auth_header, make_household, make_user

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


@pytest.fixture
def kept(cast: Cast) -> Kept:
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


def bearer(user: User) -> dict[str, Any]:
    """The API's Authorization header for ``user``, to spread into a test client's call."""
    return auth_header(user)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def jpeg(
    size: tuple[int, int] = (2400, 1800),
    gps: tuple[float, float] | None = (39.95, 70.12),
    taken: str | None = "2026:11:28 09:15:00",
) -> bytes:
    """A real JPEG with EXIF: capture time and, unless told otherwise, a GPS position."""
    image = Image.new("RGB", size, (120, 160, 90))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken
    if gps:
        lat, lon = gps
        exif.get_ifd(0x8825).update(
            {
                1: "N",
                2: (int(lat), int(lat * 60) % 60, 0.0),
                3: "E",
                4: (int(lon), int(lon * 60) % 60, 0.0),
            }
        )
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()
