"""A keyholder invites a household's owner from the house page: the owner gets a one-time link
(by email through a real SMTP server, or by hand with a QR code), sets a password, chooses a
channel and language, is signed in and sees the house. The link works once, for 7 days, and
nobody who may not keep the house can invite anyone to it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from keyholder.accounts.models import AuditLog, Role, User
from keyholder.keeping.models import OwnerInvite
from keyholder.keeping.tests.conftest import Kept
from keyholder.notify.tests.conftest import SmtpServer
from keyholder.notify.tests.helpers import run_worker
from keyholder.testing import Cast, signed_in

LINK = re.compile(r"http://testserver(/keeping/invites/[A-Za-z0-9_-]+/)")
GOOD_PASSWORD = "a-long-and-unusual-passphrase-71"


def _accept(client: Client, path: str, **extra: str) -> Any:
    form = {
        "password": GOOD_PASSWORD,
        "password_again": GOOD_PASSWORD,
        "channel": "email",
        "language": "ru",
        "email": "aziz@example.org",
        **extra,
    }
    return client.post(path, form)


def test_an_emailed_invitation_brings_the_owner_to_their_house(
    cast: Cast, kept: Kept, smtp_server: SmtpServer
) -> None:
    agreement = kept.agreement
    keeper = signed_in(cast.keyholder)
    house_page = keeper.get(reverse("keeping:house", args=[agreement.pk])).content.decode()
    invite_url = reverse("keeping:invite_owner", args=[agreement.pk])
    assert invite_url in house_page

    # Neither or both addresses: refused on the form, nothing made.
    refused = keeper.post(invite_url, {"language": "ru"})
    assert refused.status_code == 400 and not OwnerInvite.objects.exists()

    sent = keeper.post(invite_url, {"email": "aziz@example.org", "language": "ru"})
    assert sent.status_code == 200 and "aziz@example.org" in sent.content.decode()
    invitee = User.objects.get(email="aziz@example.org")
    assert invitee.role == Role.OWNER and invitee.household == cast.household
    assert not invitee.has_usable_password() and invitee.language == "ru"
    invite = OwnerInvite.objects.get()
    # Only the token's hash is kept.
    assert len(invite.token_hash) == 64 and invite.token_hash not in sent.content.decode()
    assert invite.expires_at - timezone.now() > dt.timedelta(days=6, hours=23)

    run_worker()
    # The worker's turn may also send the month's reports to the house's other owner.
    [mail] = [m for m in smtp_server.messages if m["To"] == "aziz@example.org"]
    assert mail["To"] == "aziz@example.org" and mail["Content-Language"] == "ru"
    part = mail.get_body()
    assert part is not None
    body = part.get_content()
    assert invitee.username in body
    match = LINK.search(body)
    assert match is not None, body
    path = match.group(1)

    owner = Client()
    form = owner.get(path)
    assert form.status_code == 200 and invitee.username in form.content.decode()
    # Django's password validators apply; a weak password leaves the link usable.
    weak = _accept(owner, path, password="123", password_again="123")
    assert weak.status_code == 400
    assert OwnerInvite.objects.get().used_at is None

    done = _accept(owner, path)
    assert done.status_code == 302
    assert done["Location"] == reverse("keeping:house", args=[agreement.pk])
    page = owner.get(done["Location"])
    assert page.status_code == 200 and "кӯчаи Рӯдакӣ" in page.content.decode()
    invitee.refresh_from_db()
    assert invitee.check_password(GOOD_PASSWORD) and invitee.channel == "email"
    assert agreement.owners.filter(pk=invitee.pk).exists()
    assert AuditLog.objects.filter(object_type="owner_invite", user=cast.keyholder).exists()

    # Used once: the second time the link answers 404, and the password stays.
    again = _accept(Client(), path, password="another-long-passphrase-93")
    assert again.status_code == 404
    assert Client().get(path).status_code == 404
    invitee.refresh_from_db()
    assert invitee.check_password(GOOD_PASSWORD)


def test_a_phone_invitation_shows_the_link_and_expires_after_seven_days(
    cast: Cast, kept: Kept
) -> None:
    keeper = signed_in(cast.keyholder)
    url = reverse("keeping:invite_owner", args=[kept.agreement.pk])
    shown = keeper.post(url, {"phone": "+992 92 777 1234", "language": "tg"})
    page = shown.content.decode()
    assert shown.status_code == 200 and "<svg" in page
    match = LINK.search(page)
    assert match is not None
    invitee = User.objects.get(phone="+992927771234")
    assert invitee.channel == "none" and not invitee.has_usable_password()

    OwnerInvite.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert Client().get(match.group(1)).status_code == 404
    assert _accept(Client(), match.group(1)).status_code == 404
    assert not kept.agreement.owners.filter(pk=invitee.pk).exists()
    # A made-up token answers the same.
    assert Client().get(reverse("keeping:invite_accept", args=["x" * 43])).status_code == 404


def test_only_the_keeper_of_the_house_invites(
    cast: Cast, kept: Kept, second_keyholder: User
) -> None:
    url = reverse("keeping:invite_owner", args=[kept.agreement.pk])
    form = {"email": "intruder@example.org", "language": "tg"}
    # A keyholder of another village does not see the house: 404, as for a made-up id.
    assert signed_in(second_keyholder).post(url, form).status_code == 404
    assert signed_in(second_keyholder).get(url).status_code == 404
    # The owner sees the house but does not keep it.
    assert signed_in(cast.owner).post(url, form).status_code == 403
    assert signed_in(cast.outsider).post(url, form).status_code == 404
    assert not OwnerInvite.objects.exists()
    assert not User.objects.filter(email="intruder@example.org").exists()
    # The administrator may invite for any house.
    assert signed_in(cast.admin).post(url, form).status_code == 200
    assert OwnerInvite.objects.filter(invited_by=cast.admin).exists()
