"""Done when: a serious incident reported on the keyholder's page produces an email that a real
SMTP server receives and a Telegram request that the stand-in Bot API receives, each for the
owner who chose that channel, in that owner's language."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from keyholder.accounts.models import Role
from keyholder.notify.models import Message, MessageStatus
from keyholder.notify.tests.conftest import BOT_TOKEN, BotApi, SmtpServer
from keyholder.notify.tests.helpers import run_worker, set_channel
from keyholder.testing import PASSWORD, Cast, make_user

# The incident page belongs to the keeping app; only if it cannot be imported is this skipped.
try:
    from keyholder.keeping.models import KeepingAgreement
except ImportError:
    pytest.skip("keyholder.keeping is not available", allow_module_level=True)


def test_a_serious_incident_reaches_both_owners_by_their_channels(
    cast: Cast, smtp_server: SmtpServer, bot_api: BotApi
) -> None:
    house = cast.household.house
    assert house is not None
    agreement = KeepingAgreement.objects.create(
        house=house,
        keyholder=cast.keyholder,
        # From this month: no monthly report is due yet to mix with the incident.
        start=timezone.localdate().replace(day=1),
        fee_amount=Decimal("100.00"),
        fee_currency="TJS",
        fee_period="month",
    )
    by_email = set_channel(cast.owner, "email", "ru", email="owner@example.org")
    by_telegram = make_user(
        "brother-abroad", Role.OWNER, channel="telegram", language="en", telegram_chat_id="777"
    )
    agreement.owners.add(by_email, by_telegram)
    keyholder = Client()
    assert keyholder.login(username=cast.keyholder.username, password=PASSWORD)

    response = keyholder.post(
        reverse("keeping:incident_new", args=[agreement.pk]),
        {
            "id": str(uuid.uuid4()),
            "occurred_on": timezone.localdate().isoformat(),
            "kind": "break_in",
            "severity": "serious",
            "notes": "Дари қафо шикаста.",
        },
    )
    assert response.status_code == 302

    run_worker()

    [mail] = smtp_server.messages
    assert mail["To"] == "owner@example.org"
    assert str(house) in mail["Subject"]
    assert "Дари қафо шикаста." in mail.get_content()
    [request] = bot_api.requests
    assert request.path == f"/bot{BOT_TOKEN}/sendMessage"
    assert request.form["chat_id"] == "777"
    assert "Дари қафо шикаста." in request.form["text"]
    languages = dict(Message.objects.values_list("channel", "language"))
    assert languages == {"email": "ru", "telegram": "en"}
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
