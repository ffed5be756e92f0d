"""Reading what the keeping records say about a house leaves one audit row per request.

The owner's report (page, PDF, API JSON and PDF), the ledger (page, house page, API) and a
photo (page and API) are each logged as a read by whoever read them; a report with several
photos is still one row. A refused read (the outsider's 404) logs nothing.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from keyholder.accounts.models import AuditLog, User
from keyholder.keeping import services
from keyholder.keeping.tests.conftest import Kept
from keyholder.testing import Cast, bearer, jpeg, signed_in


def _reads(user: User) -> list[tuple[str, str]]:
    rows = AuditLog.objects.filter(user=user, action=AuditLog.Action.READ).order_by("pk")
    return list(rows.values_list("object_type", "object_id"))


def test_an_owner_reading_their_report_ledger_and_photos_is_audited(
    cast: Cast, kept: Kept, client
) -> None:
    visit, _ = services.do_record_visit(
        actor=cast.keyholder,
        agreement=kept.agreement,
        checked_in_at=timezone.now() - dt.timedelta(minutes=30),
        photos=[services.PhotoUpload(data=jpeg(size=(80, 60))) for _ in range(3)],
    )
    photo = visit.photos.first()
    assert photo is not None
    agreement, month = str(kept.agreement.pk), kept.today.strftime("%Y-%m")
    page, headers = signed_in(cast.owner), bearer(cast.owner)
    reads = [
        (
            "owner_report",
            lambda: page.get(reverse("keeping:owner_report", args=[agreement, month])),
        ),
        (
            "owner_report",
            lambda: page.get(reverse("keeping:owner_report_pdf", args=[agreement, month])),
        ),
        (
            "owner_report",
            lambda: client.get(
                f"/api/v1/keeping/agreements/{agreement}/reports/{month}", **headers
            ),
        ),
        (
            "owner_report",
            lambda: client.get(
                f"/api/v1/keeping/agreements/{agreement}/reports/{month}/pdf", **headers
            ),
        ),
        ("keeping_ledger", lambda: page.get(reverse("keeping:ledger", args=[agreement]))),
        ("keeping_ledger", lambda: page.get(reverse("keeping:house", args=[agreement]))),
        (
            "keeping_ledger",
            lambda: client.get(f"/api/v1/keeping/agreements/{agreement}/ledger", **headers),
        ),
        ("photo", lambda: page.get(reverse("keeping:photo", args=[photo.pk]))),
        ("photo", lambda: client.get(f"/api/v1/keeping/photos/{photo.pk}", **headers)),
        ("photo", lambda: client.get(f"/api/v1/keeping/photos/{photo.pk}/image", **headers)),
    ]

    for object_type, fetch in reads:
        before = _reads(cast.owner)
        response = fetch()
        assert response.status_code == 200, object_type
        expected = agreement if object_type != "photo" else str(photo.pk)
        assert _reads(cast.owner)[len(before) :] == [(object_type, expected)], object_type

    report_rows = AuditLog.objects.filter(user=cast.owner, object_type="owner_report")
    assert {tuple(sorted(r.detail.items())) for r in report_rows} == {
        (("form", form), ("month", month)) for form in ("page", "pdf", "json")
    }


def test_a_refused_read_is_not_logged_as_one(cast: Cast, kept: Kept, client) -> None:
    agreement, month = str(kept.agreement.pk), kept.today.strftime("%Y-%m")
    outsider = signed_in(cast.outsider)
    for url in (
        reverse("keeping:owner_report", args=[agreement, month]),
        reverse("keeping:ledger", args=[agreement]),
    ):
        assert outsider.get(url).status_code == 404
    assert _reads(cast.outsider) == []
