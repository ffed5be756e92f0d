"""What apps above notify tell it through the bot, without notify importing them.

The keeping app registers, in its ``AppConfig.ready``, a function that names the houses a
person will hear about (``describe_subjects``); the bot's "Connected" answer lists them. It
also registers what to do with a text a connected person sends the bot (``on_text``): an owner's
message goes to the keyholder, and ``/visit`` asks for a visit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from keyholder.accounts.models import User

logger = logging.getLogger(__name__)

Describer = Callable[[User], list[str]]

_describers: list[Describer] = []


def describe_subjects(describer: Describer) -> None:
    """Add ``describer(user) -> names`` to what ``subjects_of`` asks (once, however often)."""
    if describer not in _describers:
        _describers.append(describer)


def subjects_of(user: User) -> list[str]:
    """The names (houses...) that ``user`` receives messages about, from every describer."""
    names: list[str] = []
    for describer in _describers:
        try:
            names.extend(n for n in describer(user) if n not in names)
        except Exception:
            # A greeting without the house is better than no greeting.
            logger.exception("describer %r failed", describer)
    return names


# A text from a connected person: (user, text) -> the bot's answer, or None if not handled.
TextHandler = Callable[[User, str], str | None]

_text_handlers: list[TextHandler] = []


def on_text(handler: TextHandler) -> None:
    """Offer every text a connected user sends the bot to ``handler`` (once, however often)."""
    if handler not in _text_handlers:
        _text_handlers.append(handler)


def handle_text(user: User, text: str) -> str | None:
    """The first answer a handler gives to ``text`` from ``user``; None when none handles it.

    A handler runs inside the update's transaction: what it writes happens once, with the
    update, or not at all.
    """
    for handler in _text_handlers:
        answer = handler(user, text)
        if answer is not None:
            return answer
    return None
