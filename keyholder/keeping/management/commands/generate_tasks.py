"""``keyholder generate_tasks``: plan the tasks and fee charges of every agreement in force.

Run daily (cron or the worker's host). Idempotent: a rerun, or two runs at once, add nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from keyholder.keeping.generation import HORIZON_DAYS, generate_charges, generate_tasks


class Command(BaseCommand):
    help = "Generate the due tasks (today + horizon) and the fee charges of every agreement."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--horizon", type=int, default=HORIZON_DAYS, help="days ahead")
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        tasks = generate_tasks(today=options["today"], horizon_days=options["horizon"])
        charges = generate_charges(today=options["today"])
        self.stdout.write(f"{tasks} tasks and {charges} charges created")
