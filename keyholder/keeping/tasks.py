"""Background jobs of the keeping app, run by the django-tasks database queue."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from keyholder.keeping import owner_reports


@task()
def queue_owner_reports(today: str | None = None) -> int:
    """Queue the owner reports of the month before ``today`` (YYYY-MM-DD; default: today).

    The worker does this on its own each month; the task lets an administrator or a cron job
    ask for it, e.g. after fixing a report that failed.
    """
    day = dt.date.fromisoformat(today) if today else None
    return owner_reports.queue_owner_reports(day)
