"""Reading a person's record through the API writes who read it, and when, to the audit log."""

from __future__ import annotations

from keyholder.accounts.models import AuditLog
from keyholder.registry.tests.apiworld import get, make_world


def _reads(**filters) -> list[AuditLog]:
    return list(AuditLog.objects.filter(action=AuditLog.Action.READ, **filters))


def test_it_audits_each_read_of_a_person(client, cast):
    world = make_world(cast)
    person = world.person
    for url in (
        f"/api/v1/persons/{person.pk}",
        f"/api/v1/persons/{person.pk}/status?on=2022-01-01",
        f"/api/v1/persons/{person.pk}/events",
    ):
        before = len(_reads(object_type="person"))
        assert get(client, url, cast.officer).status_code == 200
        rows = _reads(object_type="person")
        assert len(rows) == before + 1
        newest = rows[0]
        assert (newest.user, newest.object_id) == (cast.officer, str(person.pk))
        assert newest.at is not None


def test_a_refused_read_and_a_list_write_no_person_row(client, cast):
    world = make_world(cast)
    assert get(client, f"/api/v1/persons/{world.person.pk}", cast.outsider).status_code == 404
    assert get(client, "/api/v1/persons", cast.officer).status_code == 200
    assert _reads(object_type="person") == []
