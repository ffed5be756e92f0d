"""The ledger: charges from the fee schedule, payments in any currency, one balance in the fee
currency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.management import call_command
from django.urls import reverse

from keyholder.keeping import services
from keyholder.keeping.generation import generate_charges
from keyholder.keeping.models import Charge
from keyholder.keeping.tests.conftest import Kept, days_ago
from keyholder.testing import Cast, bearer, signed_in


def test_it_charges_each_month_once_and_settles_other_currencies_at_the_agreed_rate(
    cast: Cast, kept: Kept, client
) -> None:
    agreement = kept.agreement
    months = {c.period_start for c in agreement.charges.all()}
    start = agreement.start.replace(day=1)
    assert start in months and kept.today.replace(day=1) in months
    assert all(
        c.amount == Decimal("100.00") and c.currency == "TJS" for c in agreement.charges.all()
    )
    before = Charge.objects.count()
    assert generate_charges() == 0
    call_command("generate_tasks")
    assert Charge.objects.count() == before

    keyholder = signed_in(cast.keyholder)
    response = keyholder.post(
        reverse("keeping:ledger", args=[agreement.pk]),
        {
            "id": "6b0c1a52-5e1b-4c36-9a55-8f7f3b1d0a01",
            "amount": "150",
            "currency": "TJS",
            "paid_on": days_ago(2).isoformat(),
            "method": "cash",
            "note": "",
        },
    )
    assert response.status_code == 302
    services.do_record_payment(
        actor=cast.keyholder,
        agreement=agreement,
        amount="2000",
        currency="RUB",
        rate="0.12",
        paid_on=days_ago(1),
        method="remittance_service",
    )

    ledger = client.get(
        f"/api/v1/keeping/agreements/{agreement.pk}/ledger", **bearer(cast.owner)
    ).json()

    charged = Decimal(100 * len(months))
    # One total, in the fee currency: the roubles count for the 240 somoni they settle.
    [totals] = ledger["totals"]
    assert totals["currency"] == ledger["currency"] == "TJS"
    assert Decimal(totals["charged"]) == charged
    assert Decimal(totals["paid"]) == Decimal("390")
    assert Decimal(totals["balance"]) == Decimal(ledger["balance"]) == Decimal("390") - charged
    assert Decimal(totals["arrears"]) == max(Decimal(0), charged - Decimal("390"))
    [roubles] = [e for e in ledger["entries"] if e["currency"] == "RUB"]
    assert Decimal(roubles["amount"]) == 2000 and Decimal(roubles["settled"]) == 240
    assert Decimal(roubles["rate"]) == Decimal("0.12")

    owner_page = signed_in(cast.owner).get(reverse("keeping:ledger", args=[agreement.pk]))
    assert owner_page.status_code == 200
    assert 'data-currency="TJS"' in owner_page.content.decode()
    assert 'data-currency="RUB"' not in owner_page.content.decode()
    # The owner sees the balance but records nothing.
    refused = signed_in(cast.owner).post(
        reverse("keeping:ledger", args=[agreement.pk]),
        {
            "id": "6b0c1a52-5e1b-4c36-9a55-8f7f3b1d0a02",
            "amount": "1",
            "currency": "TJS",
            "paid_on": days_ago(1).isoformat(),
            "method": "cash",
        },
    )
    assert refused.status_code == 403


def test_it_refuses_a_payment_of_nothing_or_in_the_future(cast: Cast, kept: Kept, client) -> None:
    headers = bearer(cast.keyholder)
    body = {
        "agreement": str(kept.agreement.pk),
        "amount": "0",
        "currency": "TJS",
        "paid_on": days_ago(1).isoformat(),
        "method": "cash",
    }
    zero = client.post("/api/v1/keeping/payments", body, content_type="application/json", **headers)
    assert zero.status_code == 400 and zero.json()["code"] == "keeping.bad_amount"
    body.update(amount="5", paid_on=(kept.today + dt.timedelta(days=3)).isoformat())
    future = client.post(
        "/api/v1/keeping/payments", body, content_type="application/json", **headers
    )
    assert future.status_code == 400 and future.json()["code"] == "keeping.date_in_future"
    body.update(paid_on=days_ago(1).isoformat(), currency="EUR")
    euro = client.post("/api/v1/keeping/payments", body, content_type="application/json", **headers)
    assert euro.status_code == 400 and euro.json()["field"] == "currency"
