"""``keyholder generate --district Asht --seed 1``: the sample registry of a real district."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keyholder.registry.sample_writer import (
    district_has_households,
    find_district,
    generate_district,
)


class Command(BaseCommand):
    help = (
        "Build a synthetic, plausible registry (flagged sample) for the real jamoats of a "
        "district, sized by their populations and calibrated to the official migration figures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--district", default="Asht", help="district name or code")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--scale", type=float, default=1.0, help="fraction of the real population (0.02 to 1)"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the district already has households",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        district = find_district(options["district"])
        if district is None:
            raise CommandError(
                f"No district {options['district']!r}: run 'keyholder load_places' first."
            )
        if not 0 < options["scale"] <= 1:
            raise CommandError("--scale must be above 0 and at most 1.")
        if district_has_households(district):
            if options["if_empty"]:
                self.stdout.write(f"{district.code} already has households: nothing to do.")
                return
            raise CommandError(
                f"{district.code} already has households; use --if-empty to skip quietly."
            )
        try:
            result = generate_district(
                district,
                seed=options["seed"],
                scale=options["scale"],
                progress=not options["no_progress"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{district.code}: {result.villages} sample villages, {result.houses} houses, "
            f"{result.trees} garden tree rows, {result.households} households, "
            f"{result.persons} persons, {result.events} events in {result.seconds:.1f} s"
        )
        for date, target in sorted(result.targets.items()):
            self.stdout.write(
                f"abroad on {date.isoformat()}: {result.abroad.get(date, 0)} (target {target})"
            )
