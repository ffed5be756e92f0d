"""Retention of the audit log: rows older than ``AUDIT_RETENTION_DAYS`` are deleted.

A periodic job (registered in ``AccountsConfig.ready``, run by ``keyholder worker``). It deletes
in batches of ``BATCH`` rows, each its own short statement, so that a first run on a large
table neither holds a long lock (SQLite has one writer) nor builds one huge transaction. When
nothing is old enough it costs one indexed read on ``at``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from keyholder.accounts.models import AuditLog

AUDIT_RETENTION = "audit-retention"
BATCH = 5000


def delete_old_audit_rows(today: dt.date | None = None, *, batch: int = BATCH) -> int:
    """Delete the rows older than the retention period; return how many were deleted."""
    cutoff = timezone.now() - dt.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    deleted = 0
    while True:
        pks = list(
            AuditLog.objects.filter(at__lt=cutoff).order_by().values_list("pk", flat=True)[:batch]
        )
        if not pks:
            return deleted
        count, _ = AuditLog.objects.filter(pk__in=pks).delete()
        deleted += count
