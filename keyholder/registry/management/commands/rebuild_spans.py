"""``keyholder rebuild_spans [--place CODE] [--after CODE]``: make the status spans again.

Spans are derived from the events (``registry/spans.py``). Run this after changing the rules
of ``registry/status.py``, or after loading events around the services. Each village is
rebuilt in its own transaction, so an interrupted run loses nothing: run it again with
``--after`` and the code of the last village it finished, which it prints.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from keyholder.core.db import analyze
from keyholder.places.models import Place, place_by_code, subtree_q
from keyholder.registry.models import StatusSpan
from keyholder.registry.spans import rebuild_village


def villages_with_households(options: dict[str, Any]) -> list[tuple[int, str]]:
    """(id, code) of the villages to go through, in code order, after ``--after`` if given."""
    villages = Place.objects.filter(households__isnull=False)
    if options.get("place"):
        place = place_by_code(options["place"])
        if place is None:
            raise CommandError(f"No place {options['place']!r}.")
        villages = villages.filter(subtree_q(place))
    if options.get("after"):
        villages = villages.filter(code__gt=options["after"].strip().upper())
    return list(villages.distinct().order_by("code").values_list("pk", "code"))


class Command(BaseCommand):
    help = "Rebuild the status spans from the events, village by village (resumable)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--place", help="only the villages inside this place")
        parser.add_argument("--after", help="resume after the village with this code")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        villages = villages_with_households(options)
        persons = 0
        last = ""
        bar = tqdm(total=len(villages), unit="village", disable=options["quiet"])
        try:
            for village_id, code in villages:
                with transaction.atomic():
                    persons += rebuild_village(village_id)
                last = code
                bar.update(1)
        except KeyboardInterrupt:
            bar.close()
            raise CommandError(
                f"Interrupted; resume with: keyholder rebuild_spans --after {last}"
            ) from None
        bar.close()
        analyze(StatusSpan)
        self.stdout.write(f"Rebuilt the spans of {persons} persons in {len(villages)} villages.")
