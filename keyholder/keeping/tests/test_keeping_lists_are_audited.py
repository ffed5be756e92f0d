"""The keeping lists write one audit row per request: the keyholder's "today" and "my houses"
pages, and the API's duties and tasks. Each row names the filter, how many were shown and their
ids (issue 13), like the registry's lists; the outsider's empty list says so too."""

from __future__ import annotations

from django.urls import reverse

from keyholder.accounts.models import AuditLog, User
from keyholder.keeping.models import Task
from keyholder.keeping.tests.conftest import Kept
from keyholder.testing import Cast, bearer, signed_in


def _last_list(user: User) -> AuditLog:
    row = AuditLog.objects.filter(user=user, action=AuditLog.Action.READ_LIST).order_by("pk").last()
    assert row is not None
    return row


def test_the_today_and_mine_pages_each_write_one_row(cast: Cast, kept: Kept) -> None:
    page = signed_in(cast.keyholder)
    agreement = str(kept.agreement.pk)
    for name, via, filters in (
        ("keeping:today", "today", {"day": kept.today.isoformat()}),
        ("keeping:mine", "mine", {}),
    ):
        before = AuditLog.objects.filter(action=AuditLog.Action.READ_LIST).count()
        assert page.get(reverse(name)).status_code == 200
        assert AuditLog.objects.filter(action=AuditLog.Action.READ_LIST).count() == before + 1
        row = _last_list(cast.keyholder)
        assert (row.object_type, row.detail["via"]) == ("keeping_agreement", via)
        assert row.detail["filter"] == filters
        assert row.shown_ids == [agreement]
        assert row.detail["count"] == 1

    # An officer of another district lists nothing, and the row says so.
    signed_in(cast.outsider).get(reverse("keeping:today"))
    empty = _last_list(cast.outsider)
    assert (empty.detail["count"], empty.object_ids) == (0, "")


def test_the_duties_and_tasks_lists_each_write_one_row(client, cast: Cast, kept: Kept) -> None:
    headers = bearer(cast.keyholder)
    agreement = str(kept.agreement.pk)
    duties = client.get(f"/api/v1/keeping/duties?agreement={agreement}", **headers)
    assert duties.status_code == 200
    row = _last_list(cast.keyholder)
    assert row.object_type == "duty"
    assert row.detail["filter"] == {"agreement": agreement}
    assert sorted(row.shown_ids) == sorted(d["id"] for d in duties.json()["results"])
    assert sorted(row.shown_ids) == sorted([str(kept.rounds.pk), str(kept.watering.pk)])

    tasks = client.get("/api/v1/keeping/tasks?status=due&limit=5", **headers)
    assert tasks.status_code == 200
    row = _last_list(cast.keyholder)
    shown = [t["id"] for t in tasks.json()["results"]]
    assert row.object_type == "task"
    assert row.detail == {"filter": {"status": "due", "limit": "5"}, "count": 5, "via": "api"}
    assert row.shown_ids == shown
    assert Task.objects.filter(pk__in=shown, agreement=kept.agreement).count() == 5

    client.get("/api/v1/keeping/tasks", **bearer(cast.outsider))
    assert _last_list(cast.outsider).detail["count"] == 0
