"""Audit rows older than KEYHOLDER_AUDIT_RETENTION_DAYS are deleted by the worker's periodic
job, in batches; younger rows stay."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from keyholder.accounts.models import AuditLog
from keyholder.accounts.retention import AUDIT_RETENTION, delete_old_audit_rows
from keyholder.accounts.services import audit
from keyholder.core import periodic
from keyholder.testing import Cast


def _aged(cast: Cast, label: str, days: int) -> None:
    audit(cast.officer, AuditLog.Action.READ, "person", label)
    AuditLog.objects.filter(object_id=label).update(at=timezone.now() - dt.timedelta(days=days))


def test_it_deletes_only_the_rows_older_than_the_retention(cast: Cast, settings: Any) -> None:
    settings.AUDIT_RETENTION_DAYS = 30
    for n in range(5):
        _aged(cast, f"old-{n}", 31 + n)
    _aged(cast, "young", 29)
    audit(cast.officer, AuditLog.Action.READ, "person", "today")

    # Batches of two: the five old rows go in three rounds, and nothing else.
    assert delete_old_audit_rows(batch=2) == 5
    left = set(AuditLog.objects.values_list("object_id", flat=True))
    assert "young" in left and "today" in left
    assert not any(label.startswith("old-") for label in left)
    assert delete_old_audit_rows() == 0


def test_the_worker_runs_it_on_every_turn(cast: Cast, settings: Any) -> None:
    settings.AUDIT_RETENTION_DAYS = 730
    _aged(cast, "ancient", 731)
    assert AUDIT_RETENTION in periodic.registered()
    periodic.run_due()
    assert not AuditLog.objects.filter(object_id="ancient").exists()
