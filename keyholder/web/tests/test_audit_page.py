"""The audit page and GET /api/v1/audit: administrators search every row, an officer the rows
of the other accounts of their area; everyone else gets 404. Reading it is audited too."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from keyholder.accounts.models import AuditLog
from keyholder.accounts.services import audit, audit_list
from keyholder.testing import Cast, bearer, signed_in


@pytest.fixture
def rows(cast: Cast) -> dict[str, AuditLog]:
    """A row by the keyholder of Asht, one by the Ghafurov officer, one by the Asht officer
    himself, a failed sign-in without an account, and a list the keyholder read."""
    audit(cast.keyholder, AuditLog.Action.READ, "person", "kkkk-keyholder-read")
    audit(cast.outsider, AuditLog.Action.READ, "person", "gggg-ghafurov-read")
    audit(cast.officer, AuditLog.Action.READ, "person", "oooo-officer-read")
    audit(None, AuditLog.Action.SIGN_IN, "session", failed=True, username="ghost")
    audit_list(cast.keyholder, "person", {"status": "abroad"}, ["id-one", "id-two", "id-three"])
    return {r.object_id or r.object_type: r for r in AuditLog.objects.all()}


def _shown(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_an_officer_sees_the_rows_of_the_other_accounts_of_their_area(
    cast: Cast, rows: dict[str, AuditLog]
) -> None:
    page = _shown(signed_in(cast.officer).get("/audit/"))
    assert "kkkk-keyholder-read" in page
    assert "gggg-ghafurov-read" not in page  # another district's officer
    assert "oooo-officer-read" not in page  # nobody audits themselves
    assert "ghost" not in page  # a row without an account: administrators only
    # In Tajik by default, in Russian when chosen.
    assert "Маҷаллаи аудит" in page and "Ҳамаи амалҳо" in page
    russian = signed_in(cast.officer)
    russian.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    assert "Журнал аудита" in _shown(russian.get("/audit/"))
    # The region's officer sees the district officer's row; the administrator sees every row.
    assert "oooo-officer-read" in _shown(signed_in(cast.region_officer).get("/audit/"))
    admin = _shown(signed_in(cast.admin).get("/audit/"))
    for text in ("kkkk-keyholder-read", "gggg-ghafurov-read", "oooo-officer-read", "ghost"):
        assert text in admin


def test_everyone_else_gets_404_and_reading_the_page_is_audited(
    cast: Cast, rows: dict[str, AuditLog]
) -> None:
    for user in (cast.enumerator, cast.keyholder, cast.owner):
        assert signed_in(user).get("/audit/").status_code == 404
        assert Client().get("/api/v1/audit", **bearer(user)).status_code == 404
    assert Client().get("/audit/").status_code == 302  # to the sign-in page

    # The keyholder's two refusals are in the log, for the officer to see.
    tried = AuditLog.objects.filter(user=cast.keyholder, action=AuditLog.Action.REFUSED)
    assert sorted(tried.values_list("object_type", flat=True)) == ["api", "page"]
    keyholder_rows = {
        str(pk) for pk in AuditLog.objects.filter(user=cast.keyholder).values_list("pk", flat=True)
    }
    assert str(rows["kkkk-keyholder-read"].pk) in keyholder_rows

    signed_in(cast.officer).get("/audit/", {"user": "keyholder"})
    read = AuditLog.objects.filter(user=cast.officer, object_type="audit_log").get()
    assert read.action == AuditLog.Action.READ_LIST
    assert read.detail["filter"] == {"user": "keyholder"}
    assert set(read.shown_ids) == keyholder_rows


def test_it_searches_by_user_action_record_and_dates(cast: Cast, rows: dict[str, AuditLog]) -> None:
    admin = signed_in(cast.admin)

    def found(**query: str) -> set[str]:
        # The keys are not hex digits (kkkk, not cccc): a UUID elsewhere on the page could
        # hold "cccc" by chance (it did once in CI).
        page = _shown(admin.get("/audit/", query))
        return {key for key in ("kkkk", "gggg", "oooo", "ghost", "id-two") if key in page}

    assert found(user="OUTSIDER") == {"gggg"}
    assert found(action="sign_in") == {"ghost"}
    # A record id finds the rows about it and the lists that showed it, never a part of an id.
    assert found(object_id="id-two") == {"id-two"}
    assert found(object_id="id-tw") == set()
    assert found(object_id="kkkk-keyholder-read") == {"kkkk"}

    AuditLog.objects.filter(pk=rows["gggg-ghafurov-read"].pk).update(
        at=timezone.now() - dt.timedelta(days=40)
    )
    today = timezone.localdate()
    assert "gggg" not in found(since=(today - dt.timedelta(days=1)).isoformat())
    assert found(until=(today - dt.timedelta(days=30)).isoformat()) == {"gggg"}

    refused = admin.get("/audit/", {"since": "yesterday"})
    assert refused.status_code == 400
    assert "kkkk" not in refused.content.decode()


def test_it_pages_back_by_the_last_id_shown(cast: Cast) -> None:
    for n in range(55):
        audit(cast.keyholder, AuditLog.Action.READ, "person", f"row-{n:03d}")
    admin = signed_in(cast.admin)
    first = _shown(admin.get("/audit/", {"user": "keyholder"}))
    assert "row-054" in first and "row-005" in first and "row-004" not in first
    # The "Older" link keeps the search and starts below the last row shown.
    last_shown = AuditLog.objects.get(object_id="row-005").pk
    link = re.search(r'href="\?([^"]*before=\d+[^"]*)"', first)
    assert link is not None
    query = html.unescape(link.group(1))
    assert f"before={last_shown}" in query and "user=keyholder" in query
    second = _shown(admin.get(f"/audit/?{query}"))
    assert "row-004" in second and "row-000" in second and "row-005" not in second


def test_the_api_answers_the_same_rows_as_the_page(cast: Cast, rows: dict[str, AuditLog]) -> None:
    client = Client()
    answer = client.get("/api/v1/audit", {"action": "read_list"}, **bearer(cast.officer))
    assert answer.status_code == 200
    [row] = answer.json()["results"]
    assert (row["user"], row["object_ids"]) == ("keyholder", ["id-one", "id-two", "id-three"])
    assert row["detail"]["filter"] == {"status": "abroad"}
    everything = client.get("/api/v1/audit", {"limit": 500}, **bearer(cast.officer)).json()
    ids = {r["object_id"] for r in everything["results"]}
    assert "kkkk-keyholder-read" in ids and "gggg-ghafurov-read" not in ids
    bad = client.get("/api/v1/audit", {"action": "peek"}, **bearer(cast.admin))
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid.field")
