"""One balance in the fee currency everywhere, the keyholder's arrears, and tasks done in time.

A rouble payment on a somoni agreement settles at the rate the keyholder and the owner agreed:
the owner's house page, the keyholder's arrears list (page and API) and the monthly PDF all show
the same balance in somoni. A task cannot be done before it is due, and work on a task that had
already counted as missed is done late: the report never counts it on time.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from keyholder.accounts.models import Role
from keyholder.keeping import services
from keyholder.keeping.models import Task, TaskStatus
from keyholder.keeping.reports import build_owner_report, money
from keyholder.keeping.tests.conftest import Kept, days_ago
from keyholder.testing import Cast, bearer, make_household, make_user, signed_in


def _pdf_text(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


def _post(client: Any, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return client.post(path, body, content_type="application/json", **headers)


def test_a_rouble_payment_settles_at_its_rate_and_every_screen_shows_one_balance(
    cast: Cast, kept: Kept, client
) -> None:
    agreement = kept.agreement
    headers = bearer(cast.keyholder)
    body = {
        "agreement": str(agreement.pk),
        "amount": "1000",
        "currency": "RUB",
        "paid_on": kept.today.isoformat(),
        "method": "remittance_service",
    }
    # Without the agreed rate the roubles cannot count against a fee in somoni.
    missing = _post(client, "/api/v1/keeping/payments", body, headers)
    assert missing.status_code == 400
    assert (missing.json()["code"], missing.json()["field"]) == ("keeping.rate_required", "rate")
    zero = _post(client, "/api/v1/keeping/payments", {**body, "rate": "0"}, headers)
    assert zero.json()["code"] == "keeping.bad_rate"
    wrong = _post(
        client,
        "/api/v1/keeping/payments",
        {**body, "rate": "0.12", "settled_amount": "150"},
        headers,
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "keeping.settled_mismatch"
    # The keyholder's form refuses it too, and says which field.
    page = signed_in(cast.keyholder).post(
        reverse("keeping:ledger", args=[agreement.pk]),
        {"id": "0c5f8a1e-0000-4000-8000-000000000001", **body},
    )
    assert page.status_code == 400
    assert not agreement.payments.exists()

    created = _post(client, "/api/v1/keeping/payments", {**body, "rate": "0.12"}, headers)
    assert created.status_code == 201, created.content
    payment = created.json()
    assert Decimal(payment["settled_amount"]) == Decimal("120.00")
    assert Decimal(payment["rate"]) == Decimal("0.12")

    charged = sum(c.amount for c in agreement.charges.all())
    assert charged >= Decimal("200")
    balance = Decimal("120.00") - charged
    owed = charged - Decimal("120.00")

    # The owner's house page: one balance, in somoni, and no second one in roubles.
    owner = signed_in(cast.owner)
    house = owner.get(reverse("keeping:house", args=[agreement.pk])).content.decode()
    assert f'data-currency="TJS" data-balance="{balance}"' in house
    assert 'data-currency="RUB"' not in house
    # The keyholder's ledger shows both amounts of the payment.
    ledger = signed_in(cast.keyholder).get(reverse("keeping:ledger", args=[agreement.pk]))
    assert 'data-settled="120.00"' in ledger.content.decode() and "RUB" in ledger.content.decode()

    # The keyholder's arrears, page and API: the same amount, with the months not covered.
    arrears = signed_in(cast.keyholder).get(reverse("keeping:arrears")).content.decode()
    assert f'data-agreement="{agreement.pk}" data-owed="{owed}"' in arrears
    listed = client.get("/api/v1/keeping/arrears", **bearer(cast.keyholder)).json()
    [row] = listed["results"]
    assert (row["agreement"], Decimal(row["owed"]), row["currency"]) == (
        str(agreement.pk),
        owed,
        "TJS",
    )
    # 120 somoni cover the first month of 100; every later month is still owed.
    months = sorted(f"{c.period_start:%Y-%m}" for c in agreement.charges.all())
    assert row["months"] == months[1:]
    # The page of today links to the list.
    today = signed_in(cast.keyholder).get(reverse("keeping:today")).content.decode()
    assert reverse("keeping:arrears") in today

    # The monthly PDF and the report page: the payment with both amounts, the same balance.
    month = f"{kept.today:%Y-%m}"
    pdf = owner.get(reverse("keeping:owner_report_pdf", args=[agreement.pk, month]))
    cast.owner.language = "en"
    cast.owner.save()
    english = _pdf_text(
        client.get(
            f"/api/v1/keeping/agreements/{agreement.pk}/reports/{month}/pdf", **bearer(cast.owner)
        ).content
    )
    assert pdf.status_code == 200
    assert money(balance, "TJS") in _pdf_text(pdf.content)
    assert f"{money(Decimal(1000), 'RUB')} = {money(Decimal(120), 'TJS')} at 0.12" in english
    assert f"Balance at the end of the month: {money(balance, 'TJS')}. Owed:" in english
    assert "RUB:" not in english and "Balance in RUB" not in english
    report = owner.get(reverse("keeping:owner_report", args=[agreement.pk, month]))
    assert f'data-balance="TJS" data-amount="{balance}"' in report.content.decode()

    # The other keyholder, the owner and the outsider have no arrears list.
    for user in (cast.owner, cast.outsider):
        assert signed_in(user).get(reverse("keeping:arrears")).status_code == 404
        assert client.get("/api/v1/keeping/arrears", **bearer(user)).status_code == 404


def test_an_old_rouble_payment_without_a_rate_stays_out_of_the_balance(
    cast: Cast, kept: Kept
) -> None:
    # A payment recorded before rates existed (the migration leaves it without a settled
    # amount): shown apart, awaiting its rate, and in no balance.
    payment, _ = services.do_record_payment(
        actor=cast.keyholder,
        agreement=kept.agreement,
        amount="500",
        currency="RUB",
        rate="0.12",
        paid_on=days_ago(1),
        method="cash",
    )
    type(payment).objects.filter(pk=payment.pk).update(rate=None, settled_amount=None)
    charged = sum(c.amount for c in kept.agreement.charges.all())
    page = signed_in(cast.owner).get(reverse("keeping:house", args=[kept.agreement.pk]))
    html = page.content.decode()
    assert f'data-currency="TJS" data-balance="{-charged}"' in html
    assert 'data-unsettled="RUB"' in html


def test_a_task_is_not_done_before_its_day(cast: Cast, kept: Kept, client) -> None:
    ahead = kept.agreement.tasks.filter(due_date__gt=kept.today).order_by("due_date").first()
    assert ahead is not None
    answer = _post(
        client,
        "/api/v1/keeping/visits",
        {
            "agreement": str(kept.agreement.pk),
            "checked_in_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
            "tasks": [str(ahead.pk)],
        },
        bearer(cast.keyholder),
    )
    assert answer.status_code == 400
    assert (answer.json()["code"], answer.json()["field"]) == ("keeping.task_not_yet_due", "tasks")
    ahead.refresh_from_db()
    assert ahead.status == TaskStatus.DUE and not kept.agreement.visits.exists()


def test_a_missed_round_ticked_later_counts_late_never_on_time(
    cast: Cast, kept: Kept, client
) -> None:
    rounds = {t.due_date: t for t in kept.rounds.tasks.all()}
    # Rounds every 3 days from 9 days ago: the ones of 9, 6 and 3 days ago are missed.
    first, second = rounds[days_ago(9)], rounds[days_ago(6)]
    assert first.status == second.status == TaskStatus.MISSED
    month = first.due_date.replace(day=1)
    before = build_owner_report(kept.agreement, month).rounds

    headers = bearer(cast.keyholder)
    # A phone offline sends the visit of 6 days ago now: done on its day, so on time.
    on_its_day = _post(
        client,
        "/api/v1/keeping/visits",
        {
            "agreement": str(kept.agreement.pk),
            "checked_in_at": f"{days_ago(6).isoformat()}T10:00:00",
            "tasks": [str(second.pk)],
        },
        headers,
    )
    assert on_its_day.status_code == 201, on_its_day.content
    # Today's visit also does the round missed 9 days ago: done, but late.
    today_visit = _post(
        client,
        "/api/v1/keeping/visits",
        {
            "agreement": str(kept.agreement.pk),
            "checked_in_at": (timezone.now() - dt.timedelta(minutes=5)).isoformat(),
            "tasks": [str(first.pk), str(rounds[kept.today].pk)],
        },
        headers,
    )
    assert today_visit.status_code == 201, today_visit.content
    done = {t.due_date: t for t in Task.objects.filter(duty=kept.rounds)}
    assert done[days_ago(9)].done_late and done[days_ago(9)].status == TaskStatus.DONE
    assert not done[days_ago(6)].done_late and not done[kept.today].done_late

    after = build_owner_report(kept.agreement, month).rounds
    assert after.due == before.due
    assert after.late == before.late + 1
    # The late round never raises the count done on time.
    on_time = before.done + (1 if days_ago(6) >= month else 0)
    on_time += 1 if kept.today.replace(day=1) == month else 0
    assert after.done == on_time

    key = f"{month:%Y-%m}"
    page = signed_in(cast.owner).get(reverse("keeping:owner_report", args=[kept.agreement.pk, key]))
    assert f'data-done="{after.done}" data-late="{after.late}"' in page.content.decode()
    cast.owner.language = "en"
    cast.owner.save()
    english = _pdf_text(
        client.get(
            f"/api/v1/keeping/agreements/{kept.agreement.pk}/reports/{key}/pdf",
            **bearer(cast.owner),
        ).content
    )
    assert (
        f"Visits (security rounds): {after.done} of {after.due} done on time, {after.late} late"
        in english
    )
    report = client.get(
        f"/api/v1/keeping/agreements/{kept.agreement.pk}/reports/{key}", **bearer(cast.owner)
    ).json()
    assert (report["rounds"]["done"], report["rounds"]["late"]) == (after.done, after.late)


def _owing_houses(cast: Cast, count: int) -> None:
    for index in range(count):
        household = make_household(cast.village, f"Arrears{index}")
        assert household.house is not None
        owner = make_user(f"arrears-owner-{household.pk}", Role.OWNER, household=household)
        agreement, _ = services.do_create_agreement(
            actor=None,
            house=household.house,
            keyholder=cast.keyholder,
            owners=[owner],
            start=days_ago(70),
            fee_amount=Decimal("50"),
            fee_currency="TJS",
            fee_period="month",
        )
        services.do_record_payment(
            actor=None,
            agreement=agreement,
            amount="400",
            currency="RUB",
            rate="0.125",
            paid_on=days_ago(1),
            method="card_transfer",
        )


def _count(fetch: Callable[[], Any]) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as queries:
        response = fetch()
    assert response.status_code == 200
    return len(queries), response


def test_the_arrears_list_does_not_grow_in_queries_with_the_houses(cast: Cast, client) -> None:
    page = signed_in(cast.keyholder)
    headers = bearer(cast.keyholder)
    # The token's first use in the hour is stamped and audited (two queries): out of the count.
    client.get("/api/v1/keeping/arrears", **headers)
    _owing_houses(cast, 1)
    page_one, _ = _count(lambda: page.get(reverse("keeping:arrears")))
    api_one, _ = _count(lambda: client.get("/api/v1/keeping/arrears", **headers))
    _owing_houses(cast, 5)
    page_six, html = _count(lambda: page.get(reverse("keeping:arrears")))
    api_six, listed = _count(lambda: client.get("/api/v1/keeping/arrears", **headers))
    assert (page_six, api_six) == (page_one, api_one)
    assert html.content.decode().count("data-owed=") == 6
    rows = listed.json()["results"]
    assert len(rows) == 6
    owed = [Decimal(r["owed"]) for r in rows]
    assert owed == sorted(owed, reverse=True) and all(o > 0 for o in owed)
