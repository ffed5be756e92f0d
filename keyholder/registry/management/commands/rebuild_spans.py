"""``keyholder rebuild_spans [--place CODE] [--after CODE] [--jobs N]``: make the status spans
again.

Spans are derived from the events (``registry/spans.py``). Run this after changing the rules
of ``registry/status.py``, or after loading events around the services. Each village is
rebuilt in its own transaction, so an interrupted run loses nothing: run it again with
``--after`` and the code it prints (every village up to that one is done; a few after it may
be done too, and are made again, which changes nothing).

On PostgreSQL the villages are shared among ``--jobs`` processes (every core by default),
each with its own connection; a village's transaction locks its persons first, as every
service that writes a person's events does, so that an event recorded meanwhile is never
lost from the spans. SQLite lets one transaction write at a time: there it runs in one
process whatever ``--jobs`` says (and so does a call inside an open transaction, whose
writes other processes could not see).
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from keyholder.core.db import analyze, fork_pool, shareable_jobs
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


def rebuild_one(village: tuple[int, str]) -> tuple[str, int]:
    """One village in its own transaction: its code and how many persons it has."""
    village_id, code = village
    return code, rebuild_village(village_id)


def done_until(villages: list[tuple[int, str]], done: set[str]) -> str:
    """The code of the last village such that it and every one before it are done ("" if the
    first is not): where a run may resume."""
    last = ""
    for _village_id, code in villages:
        if code not in done:
            break
        last = code
    return last


class Command(BaseCommand):
    help = "Rebuild the status spans from the events, village by village (resumable)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--place", help="only the villages inside this place")
        parser.add_argument("--after", help="resume after the village with this code")
        parser.add_argument(
            "--jobs",
            type=int,
            default=os.cpu_count() or 1,
            help="processes on PostgreSQL (default: every core); SQLite uses one",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        villages = villages_with_households(options)
        # SQLite writes one transaction at a time; and other processes could not see what
        # the caller's open transaction has written.
        jobs = shareable_jobs(max(1, min(options["jobs"], len(villages))), writes=True)
        done: set[str] = set()
        persons = 0
        bar = tqdm(total=len(villages), unit="village", disable=options["quiet"])
        try:
            with fork_pool(jobs) as pool:
                results = (
                    map(rebuild_one, villages)
                    if pool is None
                    else pool.imap_unordered(rebuild_one, villages)
                )
                for code, count in results:
                    persons += count
                    done.add(code)
                    bar.update(1)
        except (KeyboardInterrupt, Exception) as error:
            bar.close()
            resume = done_until(villages, done)
            hint = f"--after {resume}" if resume else "the same options"
            reason = "Interrupted" if isinstance(error, KeyboardInterrupt) else f"Failed: {error}"
            raise CommandError(f"{reason}; resume with: keyholder rebuild_spans {hint}") from (
                None if isinstance(error, KeyboardInterrupt) else error
            )
        bar.close()
        analyze(StatusSpan)
        self.stdout.write(
            f"Rebuilt the spans of {persons} persons in {len(villages)} villages"
            f" ({jobs} process{'es' if jobs > 1 else ''})."
        )
