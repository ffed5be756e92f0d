"""What apps above notify tell it through the bot, without notify importing them.

The keeping app registers, in its ``AppConfig.ready``, a function that names the houses a
person will hear about (``describe_subjects``); the bot's "Connected" answer lists them.
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
