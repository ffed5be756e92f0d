"""``keyholder generate_keeping --district Asht --seed 1``: the sample keeping service."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keyholder.keeping.sample import district_has_agreements, generate_keeping
from keyholder.registry.sample_writer import find_district


class Command(BaseCommand):
    help = (
        "Give the sample villages of a district their keyholders, agreements for most vacant "
        "houses, and a year of visits, watering, incidents and payments (flagged sample)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--district", default="Asht", help="district name or code")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the district already has agreements",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        district = find_district(options["district"])
        if district is None:
            raise CommandError(
                f"No district {options['district']!r}: run 'keyholder load_places' first."
            )
        if district_has_agreements(district):
            if options["if_empty"]:
                self.stdout.write(f"{district.code} already has agreements: nothing to do.")
                return
            raise CommandError(
                f"{district.code} already has agreements; use --if-empty to skip quietly."
            )
        started = time.monotonic()
        result = generate_keeping(district, seed=options["seed"])
        if not result.agreements:
            self.stdout.write(
                f"{district.code}: no vacant sample houses; run 'keyholder generate' first."
            )
            return
        self.stdout.write(
            f"{district.code}: {result.keyholders} keyholders, {result.agreements} agreements "
            f"({result.owners} given a sample owner), "
            f"{result.visits} visits, {result.tasks} past tasks, {result.incidents} incidents, "
            f"{result.payments} payments, {result.photos} photos "
            f"in {time.monotonic() - started:.1f} s"
        )
