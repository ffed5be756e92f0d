"""A Telegram chat id typed by hand is asked of Telegram (getChat) before it is saved: a user
name and a number the bot cannot write to are refused with a message pointing to "Connect
Telegram", and nothing is saved."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from keyholder.core.errors import CATALOGUE, Code
from keyholder.notify.tests.conftest import BotApi
from keyholder.testing import Cast, signed_in

URL = reverse("notify:settings")


def form(chat_id: str) -> dict[str, str]:
    return {"channel": "telegram", "language": "ru", "email": "", "telegram_chat_id": chat_id}


def expected(code: Code, value: str) -> str:
    with translation.override("ru"):
        return str(CATALOGUE[code].message).format(value=value)


def test_it_refuses_a_user_name_and_an_unknown_chat_and_saves_a_known_one(
    cast: Cast, bot_api: BotApi
) -> None:
    # The pages speak the person's language.
    cast.owner.language = "ru"
    cast.owner.save()
    client = signed_in(cast.owner)
    bot_api.know_chat("5551234")

    by_name = client.post(URL, form("@my_name"))
    unknown = client.post(URL, form("987654321"))

    assert by_name.status_code == unknown.status_code == 400
    assert by_name.context["form"].errors["telegram_chat_id"] == [
        expected(Code.NOTIFY_CHAT_USERNAME, "@my_name")
    ]
    assert unknown.context["form"].errors["telegram_chat_id"] == [
        expected(Code.NOTIFY_CHAT_NOT_FOUND, "987654321")
    ]
    # The page itself offers the way that works.
    assert "t.me/" in by_name.content.decode()
    # A user name is refused without asking Telegram; the number was asked.
    asked = [c.params["chat_id"] for c in bot_api.calls if c.method == "getChat"]
    assert asked == ["987654321"]
    cast.owner.refresh_from_db()
    assert (cast.owner.channel, cast.owner.telegram_chat_id) == ("email", "")

    saved = client.post(URL, form("5551234"))
    # Saving the other settings again does not ask Telegram about the same chat again.
    again = client.post(URL, {**form("5551234"), "language": "en"})

    assert saved.status_code == again.status_code == 302
    cast.owner.refresh_from_db()
    assert (cast.owner.channel, cast.owner.telegram_chat_id, cast.owner.language) == (
        "telegram",
        "5551234",
        "en",
    )
    assert [c.params["chat_id"] for c in bot_api.calls if c.method == "getChat"] == [
        "987654321",
        "5551234",
    ]


def test_it_says_so_when_telegram_cannot_be_asked(cast: Cast, settings: object) -> None:
    # No stand-in: the Bot API of the test settings is unreachable.
    settings.TELEGRAM_BOT_TOKEN = "123:unreachable"  # type: ignore[attr-defined]
    client = signed_in(cast.owner)

    response = client.post(URL, form("5551234"))

    assert response.status_code == 400
    [error] = response.context["form"].errors["telegram_chat_id"]
    assert "5551234" in error
    cast.owner.refresh_from_db()
    assert cast.owner.telegram_chat_id == ""
