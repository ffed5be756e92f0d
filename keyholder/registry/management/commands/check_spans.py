"""``keyholder check_spans [--place CODE]``: compare the status spans with a replay.

Reports every person whose stored spans differ from what ``registry/status.py`` makes of their
events (after a change of the rules, or a write around the services), and exits with an error
if there is any; ``keyholder rebuild_spans`` puts them right.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from keyholder.registry.management.commands.rebuild_spans import villages_with_households
from keyholder.registry.spans import differences


class Command(BaseCommand):
    help = "Report the persons whose status spans differ from a replay of their events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--place", help="only the villages inside this place")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        options["after"] = None
        villages = villages_with_households(options)
        different = 0
        for village_id, code in tqdm(villages, unit="village", disable=options["quiet"]):
            for person_id in differences(village_id):
                different += 1
                self.stdout.write(f"{code} {person_id}")
        if different:
            raise CommandError(
                f"{different} persons have spans that differ from their events: "
                "run keyholder rebuild_spans."
            )
        self.stdout.write(f"The spans of {len(villages)} villages agree with their events.")
