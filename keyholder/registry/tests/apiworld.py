"""A small registry on top of the standing cast, and HTTP helpers, for the API tests.

Three households: Karimov in Asht village V01 (the cast's), Nazarov in Asht village V02 and
Rahimov in the outsider's Ghafurov village; each with a member who went abroad.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.test import Client

from keyholder.accounts.models import Role, User
from keyholder.registry.models import Household, Person
from keyholder.testing import Cast, bearer, make_event, make_household, make_person, make_user

# Which of the three households each role sees (keys v01, v02, other): V01 (Karimov), V02 (Nazarov) and the
# outsider's Ghafurov village (Rahimov). Ghafurov lies in Sughd, so the region officer sees it.
VISIBLE = {
    "admin": {"v01", "v02", "other"},
    "officer": {"v01", "v02"},
    "region_officer": {"v01", "v02", "other"},
    "enumerator": {"v01"},
    "keyholder": set(),
    "owner": {"v01"},
    "outsider": {"other"},
    "other_keyholder": set(),
}


@dataclass
class World:
    cast: Cast
    # The keyholder of Asht's other village V02: sees V02 only, nothing of V01.
    other_keyholder: User
    household: Household
    person: Person
    v02_household: Household
    v02_person: Person
    other_person: Person

    def user(self, role: str) -> User | None:
        if role == "anonymous":
            return None
        if role == "other_keyholder":
            return self.other_keyholder
        user = getattr(self.cast, role)
        assert isinstance(user, User)
        return user


def make_world(cast: Cast) -> World:
    v02_household = make_household(cast.village2, "Nazarov")
    person = make_person(cast.household, "Aziz", birth_year=1985)
    make_event(person, "departed", dt.date(2021, 3, 1), destination="Moscow")
    v02_person = make_person(v02_household, "Bahrom", birth_year=1990)
    make_event(v02_person, "departed", dt.date(2022, 4, 1))
    other_person = make_person(cast.other_household, "Davron", birth_year=1992)
    make_event(other_person, "departed", dt.date(2019, 5, 1))
    return World(
        cast=cast,
        other_keyholder=make_user("other_keyholder", Role.KEYHOLDER, [cast.village2]),
        household=cast.household,
        person=person,
        v02_household=v02_household,
        v02_person=v02_person,
        other_person=other_person,
    )


def headers(user: User | None, language: str | None = None) -> dict[str, str]:
    result = bearer(user) if user is not None else {}
    if language:
        result["HTTP_ACCEPT_LANGUAGE"] = language
    return result


def get(client: Client, url: str, user: User | None, **extra: Any) -> Any:
    meta: dict[str, Any] = {**headers(user), **extra}
    return client.get(url, **meta)


def post(client: Client, url: str, data: dict[str, Any], user: User | None, **extra: Any) -> Any:
    meta: dict[str, Any] = {**headers(user), **extra}
    return client.post(url, data, content_type="application/json", **meta)
