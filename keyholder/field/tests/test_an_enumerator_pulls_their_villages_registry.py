"""An enumerator's phone gets the houses, households, persons and events of their villages."""

from __future__ import annotations

import json

from django.test import Client

from keyholder.field.tests.conftest import FieldDay, pull_all
from keyholder.registry.models import House, Household, MigrationEvent, Person
from keyholder.testing import Cast


def test_it_gives_the_registry_of_their_villages_and_nothing_else(
    client: Client, cast: Cast, field_day: FieldDay
) -> None:
    changes = pull_all(client, cast.enumerator)["changes"]

    def ids(type_: str) -> set[str]:
        return {c["id"] for c in changes if c["type"] == type_}

    village = cast.village
    assert ids("house") == {
        str(pk) for pk in House.objects.filter(village=village).values_list("pk", flat=True)
    }
    assert ids("household") == {
        str(pk) for pk in Household.objects.filter(village=village).values_list("pk", flat=True)
    }
    assert ids("person") == {str(field_day.head.pk), str(field_day.wife.pk)}
    assert ids("event") == {
        str(pk)
        for pk in MigrationEvent.objects.filter(person__household__village=village).values_list(
            "pk", flat=True
        )
    }
    assert {c["type"] for c in changes} == {"house", "household", "person", "event"}
    head = next(c for c in changes if c["id"] == str(field_day.head.pk))
    assert head["data"]["given_name"] == "Азизҷон"
    assert head["data"]["phone"] == "+992917000001"
    text = json.dumps(changes, ensure_ascii=False)
    # Nothing of another district, nor of the keeping service.
    assert str(cast.other_household.pk) not in text
    assert str(field_day.agreement.pk) not in text and "Фарида" not in text
    # Houses come before their households, households before persons, persons before events.
    order = [c["type"] for c in changes]
    assert order.index("house") < order.index("household") < order.index("person")
    assert max(i for i, t in enumerate(order) if t == "person") < order.index("event")
    assert Person.objects.count() == 2
