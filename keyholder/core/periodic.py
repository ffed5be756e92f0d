"""Periodic jobs that apps register and the worker runs on each turn.

An app registers a job in its ``AppConfig.ready`` (``periodic.register("owner-reports",
queue_owner_reports)``); ``keyholder worker`` calls ``run_due`` on every loop. A job decides
itself whether anything is due (one cheap indexed read when nothing is) and must be idempotent,
since several workers may run at once. Each job runs isolated: one failing is logged and does
not stop the others.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.utils import timezone

logger = logging.getLogger(__name__)

Job = Callable[[dt.date], object]

_jobs: dict[str, Job] = {}


def register(name: str, job: Job) -> None:
    """Run ``job(today)`` on every turn of the worker (registering twice keeps one)."""
    _jobs[name] = job


def registered() -> dict[str, Job]:
    return dict(_jobs)


def run_due(today: dt.date | None = None) -> None:
    """Every registered job, each isolated so one failing does not stop the others."""
    day = today or timezone.localdate()
    for name, job in _jobs.items():
        try:
            job(day)
        except Exception:
            logger.exception("periodic job %s failed", name)
