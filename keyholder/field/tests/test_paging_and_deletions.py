"""Paging returns every change once; a record that leaves the scope is deleted on the phone."""

from __future__ import annotations

from django.test import Client

from keyholder.field.tests.conftest import FieldDay, days_ago, pull_all
from keyholder.keeping import services
from keyholder.testing import Cast, make_person


def test_pages_give_every_change_once_and_the_next_pull_only_what_changed(
    client: Client, cast: Cast, field_day: FieldDay
) -> None:
    whole = pull_all(client, cast.enumerator, limit=1000)["changes"]
    paged = pull_all(client, cast.enumerator, limit=2)
    assert len(paged["pages"]) > 3
    assert [p["more"] for p in paged["pages"]][-1] is False
    keys = [(c["type"], c["id"]) for c in paged["changes"]]
    assert len(keys) == len(set(keys))
    assert sorted(keys) == sorted((c["type"], c["id"]) for c in whole)

    # Nothing changed: the next pull is empty and says so.
    again = pull_all(client, cast.enumerator, cursor=paged["cursor"])
    assert again["changes"] == [] and again["pages"][0]["reset"] is False

    # A new member arrives: the next pull has exactly that one.
    son = make_person(cast.household, "Сино", birth_year=2015, relation="child")
    after = pull_all(client, cast.enumerator, cursor=again["cursor"])
    assert [(c["type"], c["id"], c["op"]) for c in after["changes"]] == [
        ("person", str(son.pk), "upsert")
    ]


def test_after_an_agreement_ends_the_next_pull_deletes_its_house(
    client: Client, cast: Cast, field_day: FieldDay
) -> None:
    first = pull_all(client, cast.keyholder)
    assert str(field_day.house.pk) in {c["id"] for c in first["changes"]}

    services.do_change_agreement(
        actor=cast.keyholder, agreement=field_day.agreement, kind="end", date=days_ago(0)
    )
    after = pull_all(client, cast.keyholder, cursor=first["cursor"])

    deleted = {(c["type"], c["id"]) for c in after["changes"] if c["op"] == "delete"}
    assert ("house", str(field_day.house.pk)) in deleted
    assert ("agreement", str(field_day.agreement.pk)) in deleted
    assert ("duty", str(field_day.rounds.pk)) in deleted
    assert all(c["op"] == "delete" for c in after["changes"])
    # A phone starting from nothing gets no deletions, and nothing of the house.
    fresh = pull_all(client, cast.keyholder)
    assert str(field_day.house.pk) not in {c["id"] for c in fresh["changes"]}
    assert all(c["op"] == "upsert" for c in fresh["changes"])
