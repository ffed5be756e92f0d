"""Who sees a kept house: its keyholder, its owners and administrators; everyone else gets 404.

A matrix over the pages and the API endpoints of one house's visits, photos, ledger and reports.
The officer sees counts only; anonymous visitors are sent to sign in (pages) or refused (API).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from keyholder.accounts.models import User
from keyholder.keeping import services
from keyholder.keeping.models import Incident, Photo, Visit
from keyholder.keeping.tests.conftest import Kept, days_ago
from keyholder.testing import Cast, bearer, jpeg, make_event, make_household, make_person, signed_in


@dataclass
class Records:
    kept: Kept
    visit: Visit
    photo: Photo
    incident: Incident
    month: str


@pytest.fixture
def records(cast: Cast, kept: Kept, other_owner: User) -> Records:
    visit, _ = services.do_record_visit(
        actor=cast.keyholder,
        agreement=kept.agreement,
        checked_in_at=timezone.now() - dt.timedelta(hours=2),
        notes="Калид дар ҷояш.",
        photos=[services.PhotoUpload(data=jpeg(size=(640, 480)))],
    )
    incident, _ = services.do_report_incident(
        actor=cast.keyholder,
        agreement=kept.agreement,
        occurred_on=kept.today,
        kind="leak",
        severity="minor",
    )
    services.do_record_payment(
        actor=cast.keyholder,
        agreement=kept.agreement,
        amount="1500",
        currency="RUB",
        rate="0.12",
        paid_on=days_ago(3),
        method="card_transfer",
    )
    return Records(kept, visit, visit.photos.get(), incident, f"{kept.today:%Y-%m}")


def _pages(r: Records) -> list[str]:
    a = r.kept.agreement.pk
    return [
        reverse("keeping:house", args=[a]),
        reverse("keeping:visit", args=[r.visit.pk]),
        reverse("keeping:photo", args=[r.photo.pk]),
        reverse("keeping:ledger", args=[a]),
        reverse("keeping:reports", args=[a]),
        reverse("keeping:owner_report", args=[a, r.month]),
        reverse("keeping:owner_report_pdf", args=[a, r.month]),
    ]


def _api(r: Records) -> list[str]:
    a = r.kept.agreement.pk
    return [
        f"/api/v1/keeping/agreements/{a}",
        f"/api/v1/keeping/visits/{r.visit.pk}",
        f"/api/v1/keeping/photos/{r.photo.pk}",
        f"/api/v1/keeping/photos/{r.photo.pk}/image",
        f"/api/v1/keeping/agreements/{a}/ledger",
        f"/api/v1/keeping/agreements/{a}/reports/{r.month}",
        f"/api/v1/keeping/agreements/{a}/reports/{r.month}/pdf",
    ]


LISTS = ["agreements", "duties", "tasks", "visits", "incidents", "payments"]


def _users(cast: Cast, second: User, other_owner: User) -> dict[str, User]:
    return {
        "keyholder": cast.keyholder,
        "owner": cast.owner,
        "admin": cast.admin,
        "second_keyholder": second,
        "other_owner": other_owner,
        "officer": cast.officer,
        "enumerator": cast.enumerator,
        "outsider": cast.outsider,
    }


SEES = {"keyholder", "owner", "admin"}


@pytest.mark.parametrize(
    "who",
    [
        "keyholder",
        "owner",
        "admin",
        "second_keyholder",
        "other_owner",
        "officer",
        "enumerator",
        "outsider",
    ],
)
def test_each_role_sees_the_house_or_gets_404(
    cast: Cast, records: Records, second_keyholder: User, other_owner: User, who: str
) -> None:
    user = _users(cast, second_keyholder, other_owner)[who]
    expected = 200 if who in SEES else 404
    page_client = signed_in(user)
    for url in _pages(records):
        assert page_client.get(url).status_code == expected, (who, url)
    headers = bearer(user)
    api_client = Client()
    for url in _api(records):
        response = api_client.get(url, **headers)
        assert response.status_code == expected, (who, url, response.content[:200])
        if expected == 404:
            assert response.json()["code"] == "not_found"
    agreement_id = str(records.kept.agreement.pk)
    for name in LISTS:
        listed = api_client.get(f"/api/v1/keeping/{name}", **headers).json()
        ids = {str(row.get("agreement", row.get("id"))) for row in listed["results"]}
        assert (agreement_id in ids) == (who in SEES), (who, name)
    # Writing to someone else's house is not even "forbidden": the house does not exist for them.
    payment = api_client.post(
        "/api/v1/keeping/payments",
        {
            "agreement": agreement_id,
            "amount": "5",
            "currency": "TJS",
            "paid_on": str(days_ago(1)),
            "method": "cash",
        },
        content_type="application/json",
        **headers,
    )
    assert payment.status_code == {"keyholder": 201, "admin": 201, "owner": 403}.get(who, 404)


def test_anonymous_visitors_are_sent_to_sign_in_and_the_api_refuses(records: Records) -> None:
    client = Client()
    for url in _pages(records):
        response = client.get(url)
        assert response.status_code == 302 and "/signin/" in response["Location"]
    for url in _api(records):
        assert client.get(url).status_code == 401


def test_officers_see_counts_but_no_visit_or_photo(cast: Cast, records: Records) -> None:
    # Karimov's only member is abroad: their kept house stands vacant. So does a second house,
    # which has no keyholder.
    make_event(make_person(cast.household), "departed", days_ago(300))
    lonely = make_household(cast.village, "Ҷалолов")
    make_event(make_person(lonely, "Ҷамшед"), "departed", days_ago(200))
    make_person(make_household(cast.village, "Present"), "Ali")

    page = signed_in(cast.officer).get(reverse("keeping:summary"))
    api = Client().get("/api/v1/keeping/summary", **bearer(cast.officer))

    assert page.status_code == 200
    # The kept houses of V01 and V02 (both in Asht) are under care. Vacant: Karimov's,
    # Ҷалолов's and Қодиров's in V02 (a household with no member recorded is empty).
    assert api.json() == {
        "houses_under_care": 2,
        "vacant_houses": 3,
        "vacant_without_keyholder": 1,
    }
    assert 'data-count="vacant-without">1<' in page.content.decode()
    assert "Калид дар ҷояш." not in page.content.decode()
    outsider = Client().get("/api/v1/keeping/summary", **bearer(cast.outsider)).json()
    assert outsider["houses_under_care"] == 0
    for user in (cast.keyholder, cast.owner):
        assert Client().get("/api/v1/keeping/summary", **bearer(user)).status_code == 404
