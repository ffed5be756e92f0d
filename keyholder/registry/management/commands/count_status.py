"""``keyholder count_status --place CODE --on DATE``: residents by state, to check calibration."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keyholder.places.models import place_by_code
from keyholder.registry.queries import count_states
from keyholder.registry.status import State


class Command(BaseCommand):
    help = "Count the registry's persons under a place by their state on a date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--place", required=True, help="place code, e.g. TJ-SU-ASHT")
        parser.add_argument("--on", required=True, type=dt.date.fromisoformat, help="YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        place = place_by_code(options["place"])
        if place is None:
            raise CommandError(f"No place {options['place']!r}.")
        on = options["on"]
        if isinstance(on, str):  # call_command passes the text through unparsed
            on = dt.date.fromisoformat(on)
        # One grouped count over the status spans holding on that day.
        counts = count_states(place, on)
        self.stdout.write(f"{place.code} on {on.isoformat()}")
        for state in State.ALL:
            self.stdout.write(f"{state:>10}: {counts.get(state, 0)}")
        self.stdout.write(f"{'total':>10}: {sum(counts.values())}")
