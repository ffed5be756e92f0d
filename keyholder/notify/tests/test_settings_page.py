"""Each signed-in person chooses on one page how and in which language they get messages."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from keyholder.accounts.models import AuditLog
from keyholder.notify.models import Message
from keyholder.notify.tests.conftest import BotApi
from keyholder.testing import Cast, signed_in

URL = reverse("notify:settings")


def test_it_asks_a_visitor_to_sign_in(cast: Cast) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert reverse("web:login") in response["Location"]


def test_it_saves_telegram_in_russian_for_the_owner(cast: Cast, bot_api: BotApi) -> None:
    # A chat id typed by hand is saved once Telegram says the bot may write there.
    bot_api.know_chat("5551234")
    client = signed_in(cast.owner)
    page = client.get(URL)
    assert page.status_code == 200
    assert 'name="telegram_chat_id"' in page.content.decode()

    response = client.post(
        URL, {"channel": "telegram", "language": "ru", "email": "", "telegram_chat_id": "5551234"}
    )

    assert response.status_code == 302
    cast.owner.refresh_from_db()
    assert (cast.owner.channel, cast.owner.language, cast.owner.telegram_chat_id) == (
        "telegram",
        "ru",
        "5551234",
    )
    assert AuditLog.objects.filter(
        user=cast.owner, action="update", object_type="user", object_id=str(cast.owner.pk)
    ).exists()
    # Nobody else changed.
    cast.outsider.refresh_from_db()
    assert cast.outsider.channel == "email" and cast.outsider.telegram_chat_id == ""


def test_it_refuses_email_without_an_address_and_a_bad_chat_id(cast: Cast) -> None:
    client = signed_in(cast.keyholder)

    no_address = client.post(
        URL, {"channel": "email", "language": "tg", "email": "", "telegram_chat_id": ""}
    )
    bad_chat = client.post(
        URL, {"channel": "telegram", "language": "tg", "email": "", "telegram_chat_id": "me"}
    )
    bad_email = client.post(
        URL,
        {"channel": "email", "language": "tg", "email": "not-an-address", "telegram_chat_id": ""},
    )

    assert no_address.status_code == bad_chat.status_code == bad_email.status_code == 400
    assert no_address.context["form"].errors["email"]
    assert bad_chat.context["form"].errors["telegram_chat_id"]
    assert bad_email.context["form"].errors["email"]
    cast.keyholder.refresh_from_db()
    assert cast.keyholder.channel == "email" and cast.keyholder.email == ""


def test_it_queues_one_test_message_for_a_double_press(cast: Cast) -> None:
    client = signed_in(cast.officer)
    client.post(
        URL,
        {"channel": "email", "language": "en", "email": "o@example.org", "telegram_chat_id": ""},
    )

    client.post(reverse("notify:send_test"))
    client.post(reverse("notify:send_test"))

    [message] = Message.objects.all()
    assert message.recipient == cast.officer
    assert message.template == "test_message"
    assert message.address == "o@example.org"
    assert "test message" in message.subject


def test_it_tells_a_person_with_no_channel_that_nothing_is_sent(cast: Cast) -> None:
    client = signed_in(cast.enumerator)
    client.post(URL, {"channel": "none", "language": "ru", "email": "", "telegram_chat_id": ""})

    response = client.post(reverse("notify:send_test"), follow=True)

    assert response.status_code == 200
    assert Message.objects.count() == 0
