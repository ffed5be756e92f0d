"""``keyholder worker``: send the outbox, run the django-tasks queue and the periodic jobs."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from keyholder.notify.worker import Worker


class Command(BaseCommand):
    help = (
        "Send due notifications, run queued background jobs and the monthly owner reports. "
        "Runs until SIGTERM/SIGINT, or with --once until nothing is due."
    )
    # The worker serves no page: Django's system checks (which load every URL pattern and the
    # API, a second of CPU at each start) are run by `migrate`, `check --deploy` and the web
    # server, not again by every worker started by cron, systemd or `make demo`.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Process what is due now, then exit (for cron)."
        )
        parser.add_argument(
            "--sleep",
            type=float,
            default=1.0,
            metavar="SECONDS",
            help="Pause between turns when nothing was due (default: 1).",
        )
        parser.add_argument("--worker-id", default="", help="Default: host name and process id.")

    def handle(self, *args: Any, once: bool, sleep: float, worker_id: str, **options: Any) -> None:
        if sleep < 0:
            raise CommandError("--sleep must be zero or more")
        worker = Worker(worker_id=worker_id or None, sleep=sleep)
        previous = worker.install_signal_handlers()
        try:
            if once:
                # Repeat until a turn finds nothing, so jobs that queue messages are followed
                # by the sending of those messages in the same run.
                while worker.run_once() and not worker.stopping.is_set():
                    pass
                return
            worker.run_forever()
        finally:
            worker.restore_signal_handlers(previous)
