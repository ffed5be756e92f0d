"""``keyholder load_places``: the real places and official figures from the shipped data."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from keyholder.places.loading import load_places


class Command(BaseCommand):
    help = (
        "Load Tajikistan, its regions and districts (geoBoundaries), Asht's jamoats with their "
        "2015 populations, and the official figures. Loading twice changes nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = load_places()
        kinds = sorted(set(summary.created) | set(summary.updated) | set(summary.unchanged))
        for kind in kinds:
            self.stdout.write(
                f"{kind}: {summary.created.get(kind, 0)} created, "
                f"{summary.updated.get(kind, 0)} updated, "
                f"{summary.unchanged.get(kind, 0)} unchanged"
            )
