"""A connected owner writes to the keyholder bot: a text reaches the house's keyholder once,
in the keyholder's language and channel, and ``/visit`` asks for an extra visit, kept as a task.
keeping tells notify what a text means through ``notify.hooks.on_text``."""

from __future__ import annotations

from keyholder.keeping.models import Duty, Task
from keyholder.keeping.tests.conftest import STREET, Kept
from keyholder.notify.models import Message
from keyholder.notify.tests.conftest import BotApi, SmtpServer
from keyholder.notify.tests.helpers import run_worker, set_channel
from keyholder.testing import Cast

OWNER_CHAT = 7001110001
KEYHOLDER_CHAT = 7001110002


def test_a_text_reaches_the_keyholder_and_visit_asks_for_a_visit(
    cast: Cast, kept: Kept, bot_api: BotApi, smtp_server: SmtpServer
) -> None:
    set_channel(cast.owner, "telegram", "ru", telegram_chat_id=str(OWNER_CHAT))
    set_channel(cast.keyholder, "email", "tg", email="keyholder@example.org")

    update = bot_api.queue_text(OWNER_CHAT, "Please check the gate, the wind was strong")
    run_worker()
    run_worker()

    [received] = smtp_server.messages
    assert received["To"] == "keyholder@example.org"
    body = received.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "Please check the gate, the wind was strong" in body
    assert f"{STREET} 12" in body
    # Tajik, the keyholder's language: the English sentence of the template is not there.
    assert "writes to you through the keyholder bot" not in body
    # The owner is told, in their own language (Russian), whom the text went to. (The month's
    # report, which the worker also sends on its first turn, is the owner's other message.)
    [answer] = [t for t in bot_api.sent_texts(OWNER_CHAT) if cast.keyholder.username in t]
    assert answer.startswith("Отправлено вашему ключнику")
    before = len(bot_api.sent_texts(OWNER_CHAT))

    # The same update delivered again (a webhook retry) sends nothing more.
    from keyholder.notify.telegram_updates import handle_update

    assert handle_update(update) is None
    assert Message.objects.filter(template="owner_message").count() == 1

    # /visit: one one-off duty and today's task for the keyholder, the keyholder told.
    bot_api.queue_text(OWNER_CHAT, "/visit the gate")
    run_worker()
    assert bot_api.sent_texts(OWNER_CHAT)[before:] == [
        f"{kept.agreement.house}: ключника попросили зайти сегодня."
    ]
    [duty] = Duty.objects.filter(requested_by=cast.owner)
    assert duty.title == "the gate"
    assert Task.objects.filter(duty=duty).count() == 1
    assert Message.objects.filter(template="visit_requested", recipient=cast.keyholder).count() == 1
    # Asking again while that visit is open is refused, with the reason in the answer.
    bot_api.queue_text(OWNER_CHAT, "/visit")
    run_worker()
    assert Duty.objects.filter(requested_by=cast.owner).count() == 1
    [refusal] = bot_api.sent_texts(OWNER_CHAT)[before + 1 :]
    assert refusal.startswith(f"{kept.agreement.house}: ") and "сегодня" not in refusal


def test_a_stranger_and_an_owner_without_a_kept_house_get_the_help_answer(
    cast: Cast, bot_api: BotApi
) -> None:
    set_channel(cast.owner, "telegram", "en", telegram_chat_id=str(OWNER_CHAT))
    bot_api.queue_text(OWNER_CHAT, "hello")
    bot_api.queue_text(7001119999, "hello", language_code="en")
    run_worker()

    assert Message.objects.filter(template="owner_message").count() == 0
    [to_owner] = bot_api.sent_texts(OWNER_CHAT)
    assert "/visit" in to_owner
    [to_stranger] = bot_api.sent_texts(7001119999)
    assert "Connect Telegram" in to_stranger
