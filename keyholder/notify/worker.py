"""The ``keyholder worker`` loop: the outbox, the django-tasks database queue, periodic jobs.

One process, no broker. Each turn of the loop checks the periodic jobs, handles what people
sent to the Telegram bot (when no webhook does), sends every due outbox message and runs every
ready django-tasks job; then it sleeps until the next turn.
SIGTERM or SIGINT asks it to stop: the message or job in hand is finished, then it exits.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from types import FrameType
from typing import Any

from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker as TasksWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from keyholder.core import periodic
from keyholder.notify import outbox, telegram_updates

logger = logging.getLogger(__name__)

# Periodic jobs are checked at most this often, however short the sleep.
PERIODIC_INTERVAL_SECONDS = 60.0
# In one turn the periodic jobs, the outbox and the job queue each work this long at most
# (past it, the one in hand is finished and the rest waits for the next turn): the month's
# owner reports no longer keep a clerk's upload check waiting, and a long job delays an
# owner's alert by one job at most.
TURN_SECONDS = periodic.TURN_SECONDS


def refresh_connections() -> None:
    """Drop database connections that broke or outlived CONN_MAX_AGE, as Django does around
    each request, so a long-running worker survives a database restart. Not inside an atomic
    block (a test, or a caller's transaction): Django would close the connection under it."""
    if not any(c.in_atomic_block for c in connections.all(initialized_only=True)):
        close_old_connections()


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


class Worker:
    def __init__(
        self, *, worker_id: str | None = None, sleep: float = 1.0, turn: float = TURN_SECONDS
    ) -> None:
        self.worker_id = worker_id or default_worker_id()
        self.sleep = sleep
        self.turn = turn
        self.stopping = threading.Event()
        self._last_periodic_run = float("-inf")
        self._periodic_more = False
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        # Only a database backend has a queue to run; the immediate backend (tests) runs
        # jobs at once and leaves nothing for the worker.
        self.tasks_backend = (
            DEFAULT_TASK_BACKEND_ALIAS if isinstance(backend, DatabaseBackend) else None
        )
        # django-tasks-db's own worker runs a claimed job and records its result; the claim
        # and the loop are ours, so both queues share one process and one shutdown.
        self._tasks_runner = TasksWorker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        )

    # Signals -------------------------------------------------------------------------------

    def install_signal_handlers(self) -> dict[int, Any]:
        """Stop cleanly on SIGTERM/SIGINT; returns the handlers replaced, for
        ``restore_signal_handlers`` (a worker run inside another program must give them back)."""
        previous: dict[int, Any] = {}
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.getsignal(signum)
            signal.signal(signum, self._on_signal)
        return previous

    @staticmethod
    def restore_signal_handlers(previous: dict[int, Any]) -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        logger.info("received %s: stopping after the work in hand", signal.strsignal(signum))
        self.stopping.set()

    # One turn of the loop ------------------------------------------------------------------

    def run_once(self) -> int:
        """Do everything that is due now. Returns how many messages and jobs were handled."""
        refresh_connections()
        now = time.monotonic()
        if self._periodic_more or now - self._last_periodic_run >= PERIODIC_INTERVAL_SECONDS:
            self._last_periodic_run = now
            self._periodic_more = periodic.run_due()
        # What people sent to the bot first: a "Connect Telegram" answer it queues goes out
        # in the same turn. Nothing is asked when a webhook receives the updates instead.
        handled = telegram_updates.poll_updates()
        handled += outbox.send_due(self.worker_id, self.stopping.is_set, seconds=self.turn)
        handled += self.run_ready_tasks()
        refresh_connections()
        return handled

    def run_ready_tasks(self) -> int:
        if self.tasks_backend is None:
            return 0
        ran = 0
        started = time.monotonic()
        # The most urgent first (a person waits on an upload's check), then in queue order.
        while not self.stopping.is_set() and (not ran or time.monotonic() - started < self.turn):
            ready = DBTaskResult.objects.ready().filter(backend_name=self.tasks_backend)
            try:
                with exclusive_transaction(ready.db):
                    job = ready.get_locked()
                    if job is not None:
                        job.claim(self.worker_id)
            except OperationalError as exc:
                # SQLite answers "database is locked" while another worker claims: try later.
                if is_locked_database_exception(exc):
                    break
                raise
            if job is None:
                break
            self._tasks_runner.run_task(job)
            ran += 1
        return ran

    def run_forever(self) -> None:
        logger.info("worker %s started", self.worker_id)
        while not self.stopping.is_set():
            try:
                handled = self.run_once()
            except (OperationalError, InterfaceError):
                # The database went away or is locked; wait and carry on rather than die.
                logger.exception("worker %s: database error", self.worker_id)
                handled = 0
            if not handled:
                self.stopping.wait(self.sleep)
        logger.info("worker %s stopped", self.worker_id)
