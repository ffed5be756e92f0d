"""The place pages and the household page make as many queries for many rows as for few.

Each page is read twice, by the district officer: once with a few households, members and
villages, once after more of each are added. The counts must be equal: a page that queries once
per row would grow.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keyholder.places.models import PlaceKind
from keyholder.registry.models import Household
from keyholder.testing import Cast, make_event, make_household, make_person, make_place, signed_in

LEFT = dt.date(2023, 3, 1)


def _family(village: object, name: str, members: int) -> Household:
    household = make_household(village, name)  # type: ignore[arg-type]
    for index in range(members):
        person = make_person(household, f"P{index}", birth_year=1980 + index)
        make_event(person, "departed", LEFT, destination="Tver")
        make_event(person, "returned", LEFT + dt.timedelta(days=90))
    return household


def _grow(cast: Cast, start: int, stop: int) -> None:
    """Households ``start``..``stop`` of V01 (two members each), more members in the cast's
    household, and one more village with a family in Ponghoz per step."""
    for number in range(start, stop):
        _family(cast.village, f"Family{number:02d}", 2)
        for index in range(2):
            person = make_person(cast.household, f"M{number}-{index}")
            make_event(person, "departed", LEFT, country="KZ")
        village = make_place(
            f"TJ-SU-ASHT-PONGHOZ-V{number + 20:02d}", PlaceKind.VILLAGE, cast.jamoat
        )
        _family(village, f"Far{number:02d}", 1)


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_the_place_and_household_pages_do_not_grow_with_the_rows(cast: Cast) -> None:
    client = signed_in(cast.officer)
    pages = {
        "district": reverse("places:detail", args=[cast.district.code]),
        "jamoat": reverse("places:detail", args=[cast.jamoat.code]),
        "village": reverse("places:detail", args=[cast.village.code]),
        "household": reverse("registry:household", args=[cast.household.pk]),
    }

    _grow(cast, 0, 2)
    few = {name: _count(client, url) for name, url in pages.items()}
    _grow(cast, 2, 8)
    many = {name: _count(client, url) for name, url in pages.items()}

    assert many == few, (few, many)
