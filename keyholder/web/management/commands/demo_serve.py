"""``keyholder demo_serve [addr:port]``: the demo's web server and worker, started and stopped
together.

``make demo`` runs it so that what the demo promises happens: messages leave the outbox (into
the demo's mailbox) and indicators refresh after a write. Ctrl-C (SIGINT) or SIGTERM stops both;
if either process ends on its own, the other is stopped too.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

GRACE_SECONDS = 10.0


class Command(BaseCommand):
    help = "Run the web server and the worker of the demo together; Ctrl-C stops both."
    # This command only starts and stops two processes. Django's system checks ran a moment
    # before in `make demo` (its `migrate`): neither this command nor the web server it starts
    # runs them again (a second of CPU each on a small machine).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        manage = [sys.executable, "-m", "keyholder.cli"]
        worker = subprocess.Popen([*manage, "worker", "--sleep", "1"])
        server = subprocess.Popen(
            [*manage, "runserver", "--noreload", "--skip-checks", options["addrport"]]
        )
        children = [worker, server]
        self.stdout.write(f"worker pid {worker.pid}, web server pid {server.pid}", ending="\n")
        self.stdout.flush()
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            while not stopping and all(c.poll() is None for c in children):
                time.sleep(0.2)
        finally:
            for child in children:
                if child.poll() is None:
                    # SIGTERM lets the worker finish the message in hand.
                    child.terminate()
            deadline = time.monotonic() + GRACE_SECONDS
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self.stdout.write("worker and web server stopped")
