"""Sign-ins, failed sign-ins, token use and refused reads and writes each leave an audit row:
who, from which address, and what was refused. A password never reaches the log."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.test import Client
from django.utils import timezone

from keyholder.accounts.models import ApiToken, AuditLog
from keyholder.testing import PASSWORD, Cast, bearer, signed_in, token_for

ADDR = "203.0.113.7"


def _rows(**filters: object) -> list[AuditLog]:
    return list(AuditLog.objects.filter(**filters).order_by("pk"))


def test_it_audits_sign_ins_and_failed_sign_ins_without_the_password(cast: Cast) -> None:
    client = Client(REMOTE_ADDR=ADDR)
    client.post("/signin/", {"username": "officer", "password": "wrong-guess-123"})
    client.post("/signin/", {"username": "officer", "password": PASSWORD})
    api = Client(REMOTE_ADDR=ADDR)
    api.post(
        "/api/v1/auth/token",
        {"username": "nobody", "password": "wrong-guess-456"},
        content_type="application/json",
    )
    assert (
        api.post(
            "/api/v1/auth/token",
            {"username": "officer", "password": PASSWORD},
            content_type="application/json",
        ).status_code
        == 200
    )

    rows = _rows(action=AuditLog.Action.SIGN_IN)
    summary = [(r.user, r.object_type, r.detail.get("failed", False)) for r in rows]
    assert summary == [
        (None, "session", True),
        (cast.officer, "session", False),
        (None, "api_token", True),
        (cast.officer, "api_token", False),
    ]
    assert [r.detail.get("username") for r in rows if r.user is None] == ["officer", "nobody"]
    assert all(r.detail["address"] == ADDR for r in rows)
    everything = json.dumps([r.detail for r in AuditLog.objects.all()])
    assert "wrong-guess" not in everything and PASSWORD not in everything


def test_it_audits_a_tokens_first_use_in_each_hour(client: Client, cast: Cast) -> None:
    raw = token_for(cast.officer)
    header: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    for _ in range(3):
        assert client.get("/api/v1/households", **header).status_code == 200
    [use] = _rows(action=AuditLog.Action.TOKEN_USE)
    token = ApiToken.objects.get(user=cast.officer)
    assert (use.user, use.object_id) == (cast.officer, str(token.pk))

    # An hour later the next request is audited again, once.
    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now() - dt.timedelta(minutes=61)
    )
    client.get("/api/v1/households", **header)
    client.get("/api/v1/households", **header)
    assert len(_rows(action=AuditLog.Action.TOKEN_USE)) == 2


def test_it_audits_reads_refused_outside_the_area_on_pages_and_the_api(
    client: Client, cast: Cast
) -> None:
    household = cast.household.pk
    page = signed_in(cast.outsider).get(f"/registry/households/{household}/")
    assert page.status_code == 404
    api = client.get(f"/api/v1/households/{household}", **bearer(cast.outsider))
    assert api.status_code == 404

    rows = _rows(action=AuditLog.Action.REFUSED)
    assert [(r.user, r.object_type, r.object_id, r.detail["status"]) for r in rows] == [
        (cast.outsider, "page", str(household), 404),
        (cast.outsider, "api", str(household), 404),
    ]
    assert rows[1].detail["code"] == "not_found"
    assert rows[1].detail["path"] == f"/api/v1/households/{household}"
    # Nothing of the refused record was read.
    assert not _rows(action=AuditLog.Action.READ, object_id=str(household))

    # An anonymous visitor's refusals are not written (scanners would fill the table).
    Client().get(f"/api/v1/households/{household}")
    Client().get(f"/registry/households/{household}/")
    assert len(_rows(action=AuditLog.Action.REFUSED)) == 2


def test_it_audits_a_write_refused_to_the_role(cast: Cast) -> None:
    # The officer sees the household but may not add to it: 403, audited.
    response = signed_in(cast.officer).post(
        f"/registry/households/{cast.household.pk}/members/",
        {"member-given_name": "Intruder", "member-sex": "m", "member-relation": "other"},
    )
    assert response.status_code == 403
    [row] = _rows(action=AuditLog.Action.REFUSED)
    assert (row.user, row.object_id, row.detail["status"], row.detail["method"]) == (
        cast.officer,
        str(cast.household.pk),
        403,
        "POST",
    )
