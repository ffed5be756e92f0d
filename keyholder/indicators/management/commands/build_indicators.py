"""Rebuild the whole analytics store from events, or refresh some villages."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from keyholder.indicators.store import build_all, refresh_villages, villages_with_events_since
from keyholder.places.models import Place
from keyholder.registry.models import Household


class Command(BaseCommand):
    help = "Compute every indicator for every place and month from the registry's events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since",
            help="Only refresh villages with events on or after this date (YYYY-MM-DD).",
        )
        parser.add_argument(
            "--village", action="append", default=[], help="Only refresh this village (code)."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")
        parser.add_argument(
            "--jobs",
            type=int,
            default=os.cpu_count() or 1,
            help="Processes computing a full build's villages (default: every core); one"
            " for an SQLite database in memory or inside an open transaction.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        codes: list[str] = options["village"]
        since = dt.date.fromisoformat(options["since"]) if options["since"] else None
        if codes or since:
            ids = list(Place.objects.filter(code__in=codes).values_list("pk", flat=True))
            if len(ids) != len(set(codes)):
                raise CommandError("unknown village code")
            if since:
                ids += villages_with_events_since(since)
            report = refresh_villages(ids, since)
            if report is None:
                raise CommandError("the store has never been built: run build_indicators first")
        else:
            total = Household.objects.count()
            with tqdm(
                total=total, unit="household", disable=options["no_progress"], smoothing=0.1
            ) as bar:
                report = build_all(progress=bar.update, jobs=max(1, options["jobs"]))
        self.stdout.write(
            f"{'full build' if report.full else 'refresh'}: {report.villages} villages, "
            f"{report.households} households, {report.months} months, {report.rows} series, "
            f"{report.skipped_persons} persons without status spans left out, {report.seconds:.1f} s"
            + (f" ({report.jobs} process{'es' if report.jobs > 1 else ''})" if report.full else "")
        )
