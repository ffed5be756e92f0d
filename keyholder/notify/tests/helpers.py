"""Small helpers shared by the notification tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management import call_command

from keyholder.accounts.models import User
from keyholder.notify.models import Message
from keyholder.notify.services import do_queue_message


def incident_context(**extra: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "house": "Rudaki 7",
        "village": "Понғоз",
        "kind": "break-in",
        "severity": "serious",
        "date": dt.date(2026, 11, 3),
        "notes": "The back door was forced.",
        "link": "http://127.0.0.1:8000/keeping/houses/1/",
    }
    context.update(extra)
    return context


def queue_incident(user: User, key: str = "incident:1", **extra: Any) -> Message | None:
    return do_queue_message(
        recipient=user,
        template="incident_serious",
        context=incident_context(**extra),
        dedupe_key=key,
    )


def run_worker() -> None:
    call_command("worker", "--once")


def set_channel(user: User, channel: str, language: str, **fields: str) -> User:
    user.channel = channel
    user.language = language
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()
    return user
