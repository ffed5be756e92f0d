"""The today and mine pages and every keeping list endpoint make a fixed number of queries,
however many houses (each with a duty, a visit, an incident and a payment)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from keyholder.accounts.models import Role
from keyholder.keeping import services
from keyholder.keeping.tests.conftest import days_ago
from keyholder.testing import Cast, bearer, jpeg, make_household, make_user, signed_in


def _entrust(cast: Cast, count: int) -> None:
    for index in range(count):
        household = make_household(cast.village, f"H{index}")
        assert household.house is not None
        # An agreement's owners are the owner accounts of its house's households.
        owner = make_user(f"owner-{household.pk}", Role.OWNER, household=household)
        agreement, _ = services.do_create_agreement(
            actor=None,
            house=household.house,
            keyholder=cast.keyholder,
            owners=[owner],
            start=days_ago(10),
            fee_amount=Decimal("10"),
            fee_currency="TJS",
            fee_period="month",
        )
        services.do_create_duty(
            actor=None,
            agreement=agreement,
            kind="security_round",
            every_days=2,
            starts_on=days_ago(4),
        )
        services.do_record_visit(
            actor=None,
            agreement=agreement,
            checked_in_at=timezone.now() - dt.timedelta(hours=1),
            photos=[services.PhotoUpload(data=jpeg(size=(80, 60)))],
        )
        services.do_report_incident(
            actor=None,
            agreement=agreement,
            occurred_on=days_ago(1),
            kind="leak",
            severity="minor",
            photos=[services.PhotoUpload(data=jpeg(size=(80, 60)))],
        )
        services.do_record_payment(
            actor=None,
            agreement=agreement,
            amount="10",
            currency="TJS",
            paid_on=days_ago(2),
            method="cash",
        )


def _count(fetch: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = fetch()
    assert response.status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_houses(cast: Cast, client) -> None:
    page = signed_in(cast.keyholder)
    headers = bearer(cast.keyholder)

    lists = [
        "/api/v1/keeping/agreements",
        "/api/v1/keeping/duties",
        "/api/v1/keeping/tasks",
        "/api/v1/keeping/visits",
        "/api/v1/keeping/incidents",
        "/api/v1/keeping/payments",
    ]

    def measure() -> dict[str, int]:
        counts = {
            "today page": _count(lambda: page.get(reverse("keeping:today"))),
            "mine page": _count(lambda: page.get(reverse("keeping:mine"))),
        }
        for url in lists:

            def read(url: str = url) -> Any:
                return client.get(url, **headers)

            counts[url] = _count(read)
        return counts

    # The token's first use in the hour is stamped and audited (two queries): out of the count.
    client.get(lists[0], **headers)
    _entrust(cast, 2)
    few = measure()
    _entrust(cast, 4)
    many = measure()

    assert many == few
