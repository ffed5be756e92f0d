"""Once a month the worker queues last month's report, with its PDF, to every owner of every
agreement that ran in that month; running again queues nothing more."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from keyholder.accounts.models import Role
from keyholder.core import periodic
from keyholder.core.dates import previous_month
from keyholder.keeping.models import KeepingAgreement
from keyholder.keeping.owner_reports import owner_reports_turn
from keyholder.notify.models import Message, ScheduledRun
from keyholder.notify.tests.conftest import SmtpServer
from keyholder.notify.tests.helpers import run_worker, set_channel
from keyholder.testing import Cast, make_house, make_user


def agreement_for(cast: Cast, start: dt.date, end: dt.date | None = None) -> KeepingAgreement:
    house = cast.household.house if end is None else make_house(cast.village)
    assert house is not None
    return KeepingAgreement.objects.create(
        house=house,
        keyholder=cast.keyholder,
        start=start,
        end=end,
        fee_amount=Decimal("150.00"),
        fee_currency="TJS",
        fee_period="month",
    )


def owners_of_houses(cast: Cast, month: dt.date, count: int) -> list[Any]:
    """``count`` houses under care all last month, each with an owner reached by email."""
    owners = []
    for number in range(count):
        agreement = agreement_for(cast, start=month - dt.timedelta(days=40))
        agreement.house = make_house(cast.village)
        agreement.save()
        owner = make_user(f"owner-{number}", Role.OWNER, channel="email", email=f"{number}@x.tj")
        agreement.owners.add(owner)
        owners.append(owner)
    return owners


def test_it_sends_last_months_report_with_its_pdf_once(cast: Cast, smtp_server: SmtpServer) -> None:
    month = previous_month(timezone.localdate())
    owner = set_channel(cast.owner, "email", "ru", email="owner@example.org")
    silent = make_user("silent-owner", Role.OWNER, channel="none", email="s@example.org")
    agreement = agreement_for(cast, start=month - dt.timedelta(days=40))
    agreement.owners.add(owner, silent)
    ended = agreement_for(
        cast, start=month - dt.timedelta(days=90), end=month - dt.timedelta(days=1)
    )
    ended.owners.add(owner)

    run_worker()
    run_worker()

    [received] = smtp_server.messages
    assert received["To"] == "owner@example.org"
    assert str(agreement.house) in received["Subject"]
    [pdf] = list(received.iter_attachments())
    assert pdf.get_filename() == f"report-{month:%Y-%m}.pdf"
    assert pdf.get_content().startswith(b"%PDF")
    [message] = Message.objects.all()
    assert message.dedupe_key == f"owner-report:{agreement.pk}:{month:%Y-%m}:{owner.pk}"
    assert f"/keeping/houses/{agreement.pk}/reports/{month:%Y-%m}/" in message.body
    assert ScheduledRun.objects.filter(job="owner-reports", period=f"{month:%Y-%m}").exists()


def test_a_long_month_of_reports_goes_a_turn_at_a_time_and_each_owner_gets_one(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Printing 1,111 reports took the Asht demo's worker 90 s, while a clerk's upload check
    # waited behind it: the job now stops at the end of its turn and goes on at the next.
    month = previous_month(timezone.localdate())
    owners = owners_of_houses(cast, month, 3)
    # No time at all in a turn: one agreement, then the rest waits.
    monkeypatch.setattr(periodic, "TURN_SECONDS", 0.0)
    today = timezone.localdate()

    turns = []
    while True:
        answer = owner_reports_turn(today)
        turns.append(Message.objects.count())
        if answer != periodic.MORE:
            break
        assert not ScheduledRun.objects.filter(job="owner-reports").exists()

    assert turns == [1, 2, 3]
    assert sorted(Message.objects.values_list("recipient_id", flat=True)) == sorted(
        o.pk for o in owners
    )
    assert ScheduledRun.objects.filter(job="owner-reports", period=f"{month:%Y-%m}").exists()
    # The month is done: another turn queues nothing.
    assert owner_reports_turn(today) is None and Message.objects.count() == 3


def test_an_owner_without_an_address_holds_up_no_one(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The demo's worker printed the report of an owner who chose email but gave no address on
    # every turn, first (no message ever said it was done): with no time in a turn, the others
    # never got theirs.
    month = previous_month(timezone.localdate())
    unreachable = make_user("no-address", Role.OWNER, channel="email", email="")
    first = KeepingAgreement.objects.create(
        id=uuid.UUID(int=1),  # the first the job goes through
        house=make_house(cast.village),
        keyholder=cast.keyholder,
        start=month - dt.timedelta(days=40),
        fee_amount=Decimal("150.00"),
        fee_currency="TJS",
        fee_period="month",
    )
    first.owners.add(unreachable)
    owners = owners_of_houses(cast, month, 2)
    monkeypatch.setattr(periodic, "TURN_SECONDS", 0.0)
    today = timezone.localdate()

    turns = []
    for _ in range(5):
        answer = owner_reports_turn(today)
        turns.append(Message.objects.count())
        if answer != periodic.MORE:
            break

    assert turns == [1, 2]
    assert sorted(Message.objects.values_list("recipient_id", flat=True)) == sorted(
        o.pk for o in owners
    )
    assert ScheduledRun.objects.filter(job="owner-reports", period=f"{month:%Y-%m}").exists()
