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

# How long a job, or the worker's outbox or job queue, works in one turn of the worker before
# the rest waits for the next turn: a month's 1,111 owner reports (90 s of printing PDFs on the
# Asht demo) kept a clerk's 7-row upload check waiting behind them.
TURN_SECONDS = 5.0
# What a job returns when it stopped at the end of its turn with work left: the worker then
# runs the periodic jobs again on its next turn instead of a minute later.
MORE = "more"

_jobs: dict[str, Job] = {}


def register(name: str, job: Job) -> None:
    """Run ``job(today)`` on every turn of the worker (registering twice keeps one)."""
    _jobs[name] = job


def registered() -> dict[str, Job]:
    return dict(_jobs)


def run_due(today: dt.date | None = None) -> bool:
    """Every registered job, each isolated so one failing does not stop the others. True when
    a job stopped at the end of its turn with work left (it returned ``MORE``)."""
    day = today or timezone.localdate()
    more = False
    for name, job in _jobs.items():
        try:
            more |= job(day) == MORE
        except Exception:
            logger.exception("periodic job %s failed", name)
    return more
