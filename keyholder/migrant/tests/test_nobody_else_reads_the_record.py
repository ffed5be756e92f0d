"""The record is its owner's alone: every other role gets 404 at every page, endpoint and
export of it, and the database holds only ciphertext for its fields."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from keyholder.accounts.models import Role, User
from keyholder.migrant import services
from keyholder.migrant.crypto import EncryptedField
from keyholder.migrant.models import (
    Document,
    MigrantProfile,
    Patent,
    PatentPayment,
    Registration,
    Trip,
)
from keyholder.testing import Cast, bearer, make_user, signed_in

pytestmark = pytest.mark.django_db

SECRETS = ("Lyublino 12", "PAT-778812", "8900", "2026-03-02", "2 марта", "March 2")


def victim_with_record(cast: Cast) -> tuple[User, dict[str, Any], str]:
    """An owner of the Karimov household (beside cast.owner) who keeps a calendar."""
    victim = make_user("owner_migrant", Role.OWNER, household=cast.household)
    services.do_turn_on(actor=victim)
    trip = services.do_add_trip(
        actor=victim, entered_on=dt.date(2026, 3, 2), exited_on=None, note="Lyublino 12"
    )
    reg = services.do_add_registration(
        actor=victim, registered_on=dt.date(2026, 3, 5), valid_until=None, address="Lyublino 12"
    )
    patent = services.do_add_patent(
        actor=victim, region="RU-MOW", issued_on=dt.date(2026, 3, 20), number="PAT-778812"
    )
    payment = services.do_add_payment(
        actor=victim, patent_id=patent.pk, paid_on=dt.date(2026, 3, 19), months=1, amount="8900"
    )
    doc = services.do_add_document(
        actor=victim, kind="medical", dated=dt.date(2026, 3, 10), number="PAT-778812"
    )
    token = services.do_renew_feed(actor=victim)
    ids = {
        "trip": trip.pk,
        "registration": reg.pk,
        "patent": patent.pk,
        "payment": payment.pk,
        "document": doc.pk,
    }
    return victim, ids, token


def page_urls(ids: dict[str, Any], token: str) -> list[tuple[str, str, dict[str, str] | None]]:
    """(method, url, form) of every page of the calendar that concerns a record."""
    urls: list[tuple[str, str, dict[str, str] | None]] = [
        ("GET", reverse("migrant:record"), None),
        ("POST", reverse("migrant:record"), {"form": "trip", "entered_on": "2026-05-01"}),
        ("GET", reverse("migrant:settings"), None),
        ("POST", reverse("migrant:settings"), {"action": "renew"}),
        ("GET", reverse("migrant:export"), None),
        ("GET", reverse("migrant:delete_all"), None),
        ("POST", reverse("migrant:set_exit", args=[ids["trip"]]), {"exited_on": "2026-04-01"}),
    ]
    urls += [
        ("POST", reverse("migrant:delete_item", args=[kind, pk]), {}) for kind, pk in ids.items()
    ]
    urls += [
        ("GET", reverse("migrant:calendar_feed", args=[t]), None)
        for t in (token[:-1], token.upper(), "x" * 43)
    ]
    # Last: for a visitor with a calendar of their own, this deletes theirs (not the victim's).
    urls.append(("POST", reverse("migrant:delete_all"), {"confirm": "delete"}))
    return urls


API = [
    ("get", "/api/v1/migrant/calendar", None),
    ("get", "/api/v1/migrant/export", None),
    ("post", "/api/v1/migrant/trips", {"entered_on": "2026-05-01"}),
    ("delete", "/api/v1/migrant/calendar", None),
]


def test_every_other_role_gets_404_everywhere(cast: Cast) -> None:
    victim, ids, token = victim_with_record(cast)
    other_migrant = make_user("other_migrant", Role.MIGRANT)
    services.do_turn_on(actor=other_migrant)
    officials = [cast.admin, cast.officer, cast.region_officer, cast.enumerator, cast.keyholder]
    # Officials (the administrator too) get 404 on every page of the calendar, their own
    # included; the owner next door and another migrant may keep their own calendar, so
    # only the pages that would touch a record of another answer 404.
    for visitor in [*officials, cast.owner, other_migrant]:
        client = signed_in(visitor)
        for method, url, form in page_urls(ids, token):
            response = client.get(url) if method == "GET" else client.post(url, form or {})
            body = response.content.decode(errors="replace")
            leaked = [s for s in SECRETS if s in body]
            if visitor in officials or ("/delete/" in url and "record/" in url) or ".ics" in url:
                assert response.status_code == 404, (visitor.username, method, url)
            assert not leaked, (visitor.username, method, url, leaked)
        if visitor in officials:
            assert client.get(reverse("migrant:home")).status_code == 404
            assert client.post(reverse("migrant:start")).status_code == 404
            for method, url, payload in API:
                headers: dict[str, Any] = bearer(visitor)
                answer = getattr(Client(), method)(
                    url, payload, content_type="application/json", **headers
                )
                assert answer.status_code == 404, (visitor.username, method, url)
    # Nothing was changed or deleted by anyone else, and the feed still answers its owner.
    assert MigrantProfile.objects.filter(user=victim).exists()
    assert Trip.objects.get(pk=ids["trip"]).exited_on is None
    for model in (Trip, Registration, Patent, PatentPayment, Document):
        assert model.objects.filter(profile__user=victim).count() == 1
    assert Client().get(reverse("migrant:calendar_feed", args=[token])).status_code == 200
    own = signed_in(victim).get(reverse("migrant:record")).content.decode()
    assert "PAT-778812" in own


def test_the_database_holds_only_ciphertext(cast: Cast) -> None:
    victim_with_record(cast)
    seen = 0
    with connection.cursor() as cursor:
        for model in (Trip, Registration, Patent, PatentPayment, Document):
            fields = [f for f in model._meta.fields if isinstance(f, EncryptedField)]
            columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
            cursor.execute(f"SELECT {columns} FROM {model._meta.db_table}")
            for row in cursor.fetchall():
                for value in row:
                    if value is None:
                        continue
                    seen += 1
                    assert value.startswith("gAAAAA"), (model.__name__, value)
                    assert not any(s in value for s in (*SECRETS, "RU-MOW", "medical"))
    assert seen == 13
    # The profile's plain columns name nothing of the record; the feed token is a hash.
    profile = MigrantProfile.objects.get(user__username="owner_migrant")
    assert len(profile.feed_token_hash or "") == 64


def test_a_key_is_rotated(cast: Cast, settings: Any) -> None:
    old = settings.MIGRANT_KEYS[0]
    victim_with_record(cast)
    new = Fernet.generate_key().decode()
    settings.MIGRANT_KEYS = [new, old]
    call_command("migrant_rotate_key", stdout=io.StringIO())
    settings.MIGRANT_KEYS = [new]
    assert Patent.objects.get().number == "PAT-778812"
    assert Trip.objects.get().entered_on == dt.date(2026, 3, 2)
