"""Status on a date through the API: a whole family leaving, a return, a deportation, a death.

The family is recorded through the API as an enumerator would, then asked about on dates.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from keyholder.registry.tests.apiworld import get, post


def _create(client, user, url: str, payload: dict[str, Any]) -> str:
    response = post(client, url, payload, user)
    assert response.status_code == 201, response.content
    return str(response.json()["id"])


@pytest.fixture(scope="module")
def family(_module_cast, module_db) -> dict[str, str]:
    """The family, recorded once for the module (its tests only read it)."""
    assert _module_cast is not None, "the module shares one cast"
    with module_db.unblock():
        return _record_family(Client(), _module_cast)


def _record_family(client, cast) -> dict[str, str]:
    user = cast.enumerator
    household = _create(
        client, user, "/api/v1/households", {"village": cast.village.code, "name": "Yusufov"}
    )
    ids = {"household": household}
    for name, sex, year, relation in [
        ("grandmother", "f", 1940, "parent"),
        ("father", "m", 1975, "head"),
        ("mother", "f", 1978, "spouse"),
        ("son", "m", 2000, "child"),
    ]:
        payload = {"household": household, "given_name": name, "sex": sex, "birth_year": year}
        ids[name] = _create(client, user, "/api/v1/persons", {**payload, "relation": relation})
    events = [
        ("grandmother", {"kind": "died", "date": "2019-01-10"}),
        (
            "father",
            {"kind": "departed", "date": "2019-03-01", "country": "RU", "destination": "Moscow"},
        ),
        (
            "mother",
            {"kind": "departed", "date": "2019-03-01", "country": "RU", "destination": "Moscow"},
        ),
        (
            "son",
            {"kind": "departed", "date": "2020-05-01", "country": "KZ", "destination": "Almaty"},
        ),
        ("son", {"kind": "returned", "date": "2022-09-01"}),
        ("father", {"kind": "deported", "date": "2023-02-01"}),
        (
            "father",
            {"kind": "entry_ban", "date": "2023-02-01", "country": "RU", "until": "2028-02-01"},
        ),
    ]
    for who, event in events:
        _create(client, user, f"/api/v1/persons/{ids[who]}/events", event)
    return ids


# (date asked, household state, vacant, state of grandmother, father, mother, son)
TABLE = [
    ("2019-01-01", "present", False, ("present", "present", "present", "present")),
    ("2019-02-01", "present", False, ("dead", "present", "present", "present")),
    ("2019-06-01", "present", False, ("dead", "abroad", "abroad", "present")),
    ("2020-06-01", "fully_abroad", True, ("dead", "abroad", "abroad", "abroad")),
    ("2022-10-01", "present", False, ("dead", "abroad", "abroad", "returned")),
    ("2023-03-01", "present", False, ("dead", "banned", "abroad", "returned")),
]


@pytest.mark.parametrize(("on", "state", "vacant", "members"), TABLE)
def test_the_household_status_follows_the_events(client, cast, family, on, state, vacant, members):
    response = get(client, f"/api/v1/households/{family['household']}/status?on={on}", cast.officer)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["vacant"], body["on"]) == (state, vacant, on)
    by_person = {m["person"]: m["status"]["state"] for m in body["members"]}
    names = ("grandmother", "father", "mother", "son")
    assert tuple(by_person[family[n]] for n in names) == members
    assert body["members_total"] == sum(1 for m in members if m != "dead")
    assert body["abroad"] == members.count("abroad")


def test_a_person_status_carries_where_since_and_until(client, cast, family):
    def status(who: str, on: str) -> dict[str, Any]:
        response = get(client, f"/api/v1/persons/{family[who]}/status?on={on}", cast.enumerator)
        assert response.status_code == 200
        return dict(response.json())

    son = status("son", "2021-01-01")
    assert (son["state"], son["since"], son["country"], son["destination"]) == (
        "abroad",
        "2020-05-01",
        "KZ",
        "Almaty",
    )
    assert status("son", "2022-09-01")["state"] == "returned"
    father = status("father", "2024-01-01")
    assert (father["state"], father["since"], father["ban_until"]) == (
        "banned",
        "2023-02-01",
        "2028-02-01",
    )
    grandmother = status("grandmother", "2020-01-01")
    assert (grandmother["state"], grandmother["since"]) == ("dead", "2019-01-10")
    bad = get(client, f"/api/v1/persons/{family['son']}/status?on=01.02.2021", cast.enumerator)
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid.date")


def test_persons_filter_by_status_on_a_date(client, cast, family):
    def listed(query: str) -> set[str]:
        response = get(
            client, f"/api/v1/persons?household={family['household']}&{query}", cast.officer
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count"] == len(body["results"])
        return {item["given_name"] for item in body["results"]}

    assert listed("status=abroad&on=2020-06-01") == {"father", "mother", "son"}
    assert listed("status=abroad&on=2022-10-01") == {"father", "mother"}
    assert listed("status=returned&on=2022-10-01") == {"son"}
    assert listed("status=dead&on=2019-02-01") == {"grandmother"}
    assert listed("status=present&on=2019-01-01") == {"grandmother", "father", "mother", "son"}
    assert listed("status=banned") == {"father"}
    response = get(client, "/api/v1/persons?status=lost", cast.officer)
    assert (response.status_code, response.json()["field"]) == (400, "status")
