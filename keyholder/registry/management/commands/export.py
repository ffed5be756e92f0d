"""``keyholder export [--place CODE] [--format csv|xlsx] [-o FILE]``: write the import format."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from keyholder.core.errors import Code, ServiceError
from keyholder.places.models import place_by_code
from keyholder.registry.exporting import audit_export, export_rows, write_csv, write_xlsx


class Command(BaseCommand):
    help = "Export the houses, households, persons and events of a place in the import format."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--place", help="Code of the place whose registry to export (default: everything)."
        )
        parser.add_argument(
            "--format",
            choices=["csv", "xlsx"],
            help="File format (default: from the output file's name, else csv).",
        )
        parser.add_argument(
            "-o", "--output", type=Path, help="File to write (default: standard output)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        place = None
        if options["place"]:
            place = place_by_code(options["place"])
            if place is None:
                raise CommandError(ServiceError(Code.INVALID_PLACE, value=options["place"]).message)
        output: Path | None = options["output"]
        fmt = options["format"] or (
            "xlsx" if output is not None and output.suffix.lower() == ".xlsx" else "csv"
        )
        counts: Counter[str] = Counter()
        ids: list[str] = []
        rows = export_rows(place, counts, ids)
        if fmt == "xlsx":
            write_xlsx(rows, output if output is not None else sys.stdout.buffer)
        elif output is not None:
            # The byte-order mark lets spreadsheet programs see Tajik and Russian text as UTF-8.
            with output.open("w", encoding="utf-8-sig", newline="") as stream:
                write_csv(rows, stream)
        else:
            write_csv(rows, self.stdout)
        audit_export(None, place, counts, fmt, ids)
        if output is not None:
            self.stderr.write(
                _(
                    "Exported to {file}: houses {houses}, households {households}, "
                    "persons {persons}, events {events}."
                ).format(
                    houses=counts["house"],
                    households=counts["household"],
                    persons=counts["person"],
                    events=counts["event"],
                    file=output,
                )
            )
