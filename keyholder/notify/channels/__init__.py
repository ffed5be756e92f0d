"""The channel registry: ``User.channel`` value -> the class that sends through it.

Adding a channel is one class (see ``base.BaseChannel``) and one entry here; the checklist in
``docs/notifications.md`` names the other files to touch.
"""

from __future__ import annotations

from keyholder.notify.channels.base import BaseChannel, DeliveryError
from keyholder.notify.channels.email import EmailChannel
from keyholder.notify.channels.telegram import TelegramChannel

CHANNELS: dict[str, type[BaseChannel]] = {
    EmailChannel.name: EmailChannel,
    TelegramChannel.name: TelegramChannel,
}


def get_channel(name: str) -> BaseChannel:
    try:
        return CHANNELS[name]()
    except KeyError:
        raise DeliveryError(f"no channel named {name!r}", permanent=True) from None


__all__ = ["CHANNELS", "BaseChannel", "DeliveryError", "get_channel"]
