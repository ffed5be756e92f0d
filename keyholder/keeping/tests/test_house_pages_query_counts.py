"""A kept house's pages make as many queries with six of everything as with one.

The house page lists visits, incidents (each with its photos), duties, keys and the owners; the
ledger lists charges and payments; the reports page lists the months. Each is read by the
keyholder and by the owner, once with one record of each kind and once with six: the number of
queries must not move (an N+1 on the incidents' photos once made it grow by two per incident).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from keyholder.keeping import services
from keyholder.keeping.tests.conftest import Kept, days_ago
from keyholder.testing import Cast, jpeg, signed_in

SMALL_SIZE = (80, 60)


def _add_records(cast: Cast, kept: Kept, count: int) -> None:
    """``count`` more of each record the house's pages list, each with a photo where it can."""
    agreement = kept.agreement
    for _ in range(count):
        services.do_record_visit(
            actor=cast.keyholder,
            agreement=agreement,
            checked_in_at=timezone.now() - dt.timedelta(hours=2),
            photos=[services.PhotoUpload(data=jpeg(size=SMALL_SIZE))],
        )
        services.do_report_incident(
            actor=cast.keyholder,
            agreement=agreement,
            occurred_on=days_ago(2),
            kind="leak",
            severity="minor",
            notes="roof",
            photos=[services.PhotoUpload(data=jpeg(size=SMALL_SIZE))],
        )
        services.do_record_key(
            actor=cast.keyholder,
            agreement=agreement,
            label="gate",
            handed_over_on=days_ago(5),
            handed_over_by="brother",
        )
        services.do_record_payment(
            actor=cast.keyholder,
            agreement=agreement,
            amount="10",
            currency="TJS",
            paid_on=days_ago(3),
            method="cash",
        )


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_the_house_ledger_and_reports_pages_do_not_grow_with_the_records(
    cast: Cast, kept: Kept
) -> None:
    pk = kept.agreement.pk
    pages: dict[str, Callable[[], str]] = {
        "house": lambda: reverse("keeping:house", args=[pk]),
        "ledger": lambda: reverse("keeping:ledger", args=[pk]),
        "reports": lambda: reverse("keeping:reports", args=[pk]),
    }
    readers = {"keyholder": signed_in(cast.keyholder), "owner": signed_in(cast.owner)}

    def measure() -> dict[str, int]:
        return {
            f"{reader} {page}": _count(client, url())
            for reader, client in readers.items()
            for page, url in pages.items()
        }

    _add_records(cast, kept, 1)
    one = measure()
    _add_records(cast, kept, 5)
    six = measure()

    assert six == one
    # And the house page stays within a budget a reader can check against the template.
    assert one["keyholder house"] <= 20, one
