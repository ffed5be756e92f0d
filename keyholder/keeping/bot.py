"""What an owner's text to the keyholder bot means (registered with ``notify.hooks.on_text``).

A connected owner of a kept house may write to the bot: ``/visit [note]`` asks for an extra
visit today (the same request as the house page's "Ask for a visit"), and any other text goes
to the keyholder of each of their houses through the outbox, in the keyholder's language. A
person who owns no kept house is left to notify's help answer.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from keyholder.accounts.models import AuditLog, Role, User
from keyholder.accounts.services import audit
from keyholder.core.errors import ServiceError
from keyholder.keeping.models import AgreementStatus, KeepingAgreement
from keyholder.keeping.requests import do_ask_for_visit
from keyholder.notify.services import do_queue_message

# Telegram allows 4,096 characters a message; a note to the keyholder needs far fewer.
MAX_TEXT = 2000


def _kept_houses(user: User) -> list[KeepingAgreement]:
    return list(
        KeepingAgreement.objects.filter(owners=user, status=AgreementStatus.ACTIVE)
        .select_related("house__village", "keyholder")
        .order_by("house__street", "house__number", "pk")
    )


def owned_houses(user: User) -> list[str]:
    """The houses of the agreements ``user`` owns that are not ended, by name (for the bot's
    "Connected" answer, through ``notify.hooks.describe_subjects``)."""
    agreements = (
        KeepingAgreement.objects.filter(owners=user)
        .exclude(status=AgreementStatus.ENDED)
        .select_related("house")
    )
    return [str(agreement.house) for agreement in agreements]


def answer_owner_text(user: User, text: str) -> str | None:
    """The bot's answer to ``text`` from ``user``, or None when this is not an owner's text."""
    if user.role != Role.OWNER:
        return None
    agreements = _kept_houses(user)
    if not agreements:
        return None
    command, _sep, rest = text.partition(" ")
    command = command.split("@", 1)[0].lower()
    if command == "/visit":
        return _ask_for_visits(user, agreements, rest.strip())
    if command.startswith("/"):
        return None
    return _forward(user, agreements, text[:MAX_TEXT])


def _ask_for_visits(user: User, agreements: list[KeepingAgreement], note: str) -> str:
    answers = []
    for agreement in agreements:
        try:
            do_ask_for_visit(
                actor=user, agreement=agreement, due_date=timezone.localdate(), note=note
            )
        except ServiceError as exc:
            answers.append(f"{agreement.house}: {exc.message}")
        else:
            answers.append(
                _("%(house)s: your keyholder is asked to visit today.") % {"house": agreement.house}
            )
    return "\n".join(answers)


def _forward(user: User, agreements: list[KeepingAgreement], text: str) -> str:
    owner = user.get_full_name() or user.username
    names = []
    for agreement in agreements:
        keyholder = agreement.keyholder
        with translation.override(keyholder.language):
            village = agreement.house.village.name
        link = settings.SITE_URL.rstrip("/") + reverse("keeping:house", args=[agreement.pk])
        do_queue_message(
            recipient=keyholder,
            template="owner_message",
            context={
                "owner": owner,
                "house": str(agreement.house),
                "village": village,
                "text": text,
                "link": link,
            },
            # Each text is its own message: the update it came in is handled only once.
            dedupe_key=f"owner_message:{uuid.uuid4()}",
        )
        audit(user, AuditLog.Action.CREATE, "owner_message", agreement.pk, via="telegram")
        names.append(keyholder.get_full_name() or keyholder.username)
    return _("Sent to your keyholder: %(names)s.") % {"names": ", ".join(dict.fromkeys(names))}
