"""Recording events through the household page's forms."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape

from keyholder.accounts.models import AuditLog
from keyholder.core.errors import Code, ServiceError
from keyholder.registry.models import MigrationEvent, Person
from keyholder.registry.services import do_correct_event
from keyholder.testing import Cast, make_event, make_person


def household_url(cast: Cast) -> str:
    return f"/registry/households/{cast.household.pk}/"


def prefix(person: Person) -> str:
    return f"p{person.pk.hex[:12]}"


def event_post(person: Person, **fields: str) -> dict[str, str]:
    return {f"{prefix(person)}-{name}": value for name, value in fields.items()}


def test_it_records_a_departure_and_refuses_a_return_without_departure(
    client: Client, cast: Cast
) -> None:
    aziz = make_person(cast.household, "Aziz")
    nigina = make_person(cast.household, "Nigina", sex="f", relation="spouse")
    client.force_login(cast.enumerator)
    when = (timezone.localdate() - dt.timedelta(days=30)).isoformat()

    page = client.get(household_url(cast)).content.decode()
    assert f'href="?record={aziz.pk}#person-{aziz.pk}"' in page
    page = client.get(f"{household_url(cast)}?record={aziz.pk}").content.decode()
    assert page.count('action="/registry/persons/') == 1
    assert f'action="/registry/persons/{aziz.pk}/events/"' in page
    response = client.post(
        f"/registry/persons/{aziz.pk}/events/",
        event_post(
            aziz,
            kind="departed",
            date=when,
            country="RU",
            destination="Yekaterinburg",
            purpose="work",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == f"{household_url(cast)}#person-{aziz.pk}"
    event = MigrationEvent.objects.get(person=aziz)
    assert (event.kind, event.country, event.destination) == ("departed", "RU", "Yekaterinburg")
    page = client.get(household_url(cast)).content.decode()
    assert re.search(r'data-state="abroad">[^<]*Yekaterinburg', page)

    # A return for Nigina, who never left, is refused with the catalogue's message.
    response = client.post(
        f"/registry/persons/{nigina.pk}/events/", event_post(nigina, kind="returned", date=when)
    )
    assert response.status_code == 400
    assert not MigrationEvent.objects.filter(person=nigina).exists()
    html = response.content.decode()
    assert 'class="form-error"' in html
    with translation.override("tg"):
        expected = ServiceError(Code.HISTORY_RETURN_WITHOUT_DEPARTURE, date=when).message
    assert escape(expected) in html

    # A departure without a country names the field that is missing.
    response = client.post(
        f"/registry/persons/{nigina.pk}/events/", event_post(nigina, kind="departed", date=when)
    )
    assert response.status_code == 400
    assert 'class="field has-error"' in response.content.decode()
    assert MigrationEvent.objects.count() == 1


def test_it_saves_a_double_submit_once(client: Client, cast: Cast) -> None:
    aziz = make_person(cast.household, "Aziz")
    client.force_login(cast.enumerator)
    data = event_post(
        aziz,
        kind="departed",
        date=timezone.localdate().isoformat(),
        country="KZ",
        request_id="6f1c1a52-8d0e-4c44-9a53-0f8a3f0c2b11",
    )
    for _ in range(2):
        assert client.post(f"/registry/persons/{aziz.pk}/events/", data).status_code == 302
    assert MigrationEvent.objects.filter(person=aziz).count() == 1


def test_it_shows_read_only_pages_to_readers_and_refuses_their_posts(
    client: Client, cast: Cast
) -> None:
    aziz = make_person(cast.household, "Aziz")
    data = event_post(aziz, kind="departed", date=timezone.localdate().isoformat(), country="RU")
    for reader in (cast.officer, cast.owner, cast.region_officer):
        client.force_login(reader)
        page = client.get(f"{household_url(cast)}?record={aziz.pk}&add=member")
        assert page.status_code == 200, reader.username
        assert "Aziz Karimov" in page.content.decode()
        assert "/events/" not in page.content.decode()
        assert 'href="?record=' not in page.content.decode()
        assert "/members/" not in page.content.decode()
        response = client.post(f"/registry/persons/{aziz.pk}/events/", data)
        assert response.status_code == 403, reader.username
        response = client.post(
            f"/registry/households/{cast.household.pk}/members/", {"member-given_name": "X"}
        )
        assert response.status_code == 403, reader.username
    # A keyholder has nothing of the registry but the houses entrusted to them: 404 as to an
    # outsider.
    for stranger in (cast.keyholder, cast.outsider):
        client.force_login(stranger)
        assert client.get(household_url(cast)).status_code == 404
    client.force_login(cast.outsider)
    assert client.post(f"/registry/persons/{aziz.pk}/events/", data).status_code == 404
    assert not MigrationEvent.objects.exists()
    client.logout()
    assert client.get(household_url(cast)).status_code == 302


def test_it_writes_one_audit_row_naming_every_member_shown(client: Client, cast: Cast) -> None:
    aziz = make_person(cast.household, "Aziz")
    nigina = make_person(cast.household, "Nigina", sex="f")
    client.force_login(cast.officer)
    client.get(household_url(cast))
    rows = AuditLog.objects.filter(user=cast.officer)
    [members] = rows.filter(action="read_list", object_type="person")
    assert members.object_id == str(cast.household.pk)
    assert sorted(members.shown_ids) == sorted([str(aziz.pk), str(nigina.pk)])
    assert members.detail["count"] == 2
    assert members.detail["via"] == "household"
    # No row per member any more: the household's own read and the one list.
    assert not rows.filter(action="read", object_type="person").exists()
    assert rows.filter(
        action="read", object_type="household", object_id=str(cast.household.pk)
    ).exists()


def test_it_shows_a_household_in_a_fixed_number_of_queries(
    client: Client, cast: Cast, django_assert_max_num_queries: Any
) -> None:
    when = timezone.localdate() - dt.timedelta(days=100)
    for n in range(8):
        person = make_person(cast.household, f"Member {n}")
        make_event(person, "departed", when, country="RU", destination="Tver")
        returned = make_event(person, "returned", when + dt.timedelta(days=40))
        make_event(person, "moved", when + dt.timedelta(days=50), moved_to=cast.jamoat)
        do_correct_event(
            actor=cast.enumerator,
            event=returned,
            changes={"date": when + dt.timedelta(days=41)},
            reason="misheard",
        )
    client.force_login(cast.enumerator)
    # The members' events in one query, their statuses from the spans in another, their
    # corrections in a third.
    with django_assert_max_num_queries(13):
        response = client.get(household_url(cast))
    assert response.content.decode().count('class="card"') == 8
    assert response.content.decode().count('class="corrected"') == 8


def test_it_records_a_move_to_a_listed_place_and_refuses_an_unknown_one(
    client: Client, cast: Cast
) -> None:
    umed = make_person(cast.household, "Umed")
    client.force_login(cast.enumerator)
    page = client.get(f"{household_url(cast)}?record={umed.pk}").content.decode()
    assert f'list="{prefix(umed)}-places"' in page
    assert '<option value="TJ-SU-ASHT-PONGHOZ-V02">' in page
    assert '<option value="TJ-SU-GHAFUROV">' in page
    when = timezone.localdate().isoformat()
    url = f"/registry/persons/{umed.pk}/events/"
    response = client.post(url, event_post(umed, kind="moved", date=when, moved_to="TJ-NOWHERE"))
    assert response.status_code == 400
    assert "TJ-NOWHERE" in response.content.decode()
    assert not MigrationEvent.objects.filter(person=umed).exists()
    response = client.post(
        url, event_post(umed, kind="moved", date=when, moved_to="tj-su-asht-ponghoz-v02")
    )
    assert response.status_code == 302
    event = MigrationEvent.objects.get(person=umed)
    assert event.moved_to == cast.village2
    page = client.get(household_url(cast)).content.decode()
    assert 'data-state="moved"' in page
