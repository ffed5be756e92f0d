"""What every channel is: a class that knows a person's address in it and sends one message."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from keyholder.accounts.models import User
    from keyholder.notify.models import Message


class DeliveryError(Exception):
    """Sending failed. ``permanent`` means retrying cannot help (the address is refused);
    ``retry_after`` is a wait in seconds that the channel asked for (Telegram's 429)."""

    def __init__(
        self, detail: str, *, permanent: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.permanent = permanent
        self.retry_after = retry_after


class BaseChannel(ABC):
    #: The value of ``User.channel`` this class serves.
    name: ClassVar[str]

    @abstractmethod
    def address_for(self, user: User) -> str:
        """Where ``user`` receives messages in this channel, or "" if they gave no address."""

    @abstractmethod
    def send(self, message: Message) -> str:
        """Deliver ``message`` (subject, body, attachments) to ``message.address``.

        Returns the provider's id of what was sent. Raises ``DeliveryError`` on failure; any
        other exception is treated as a temporary failure by the worker.
        """
