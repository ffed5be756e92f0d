"""``keyholder import FILE [--dry-run] [--as USERNAME]``: load a registry file.

The module is named ``import`` so the command reads as the issue asks; Django imports command
modules by name with ``importlib``, where a keyword is an acceptable module name.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from tqdm import tqdm

from keyholder.accounts.models import User
from keyholder.core.errors import Code, ServiceError
from keyholder.registry.importing import RECORDS, ImportReport, import_file
from keyholder.registry.reading import ImportFileError
from keyholder.registry.services import IMPORT_ROLES

RECORD_LABELS = {
    "house": gettext_lazy("Houses"),
    "household": gettext_lazy("Households"),
    "person": gettext_lazy("Persons"),
    "event": gettext_lazy("Events"),
}
# Below this many rows a progress bar is only noise.
PROGRESS_FROM = 1000


class Command(BaseCommand):
    help = "Import houses, households, persons and events from a CSV or XLSX file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", type=Path, help="A CSV or XLSX file in the format of docs/import-format.md."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row and change nothing."
        )
        parser.add_argument(
            "--as",
            dest="username",
            help="Import as this account: its role and area are checked for every row.",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="Language of the messages (default: the site's default language).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"] or settings.LANGUAGE_CODE):
            self.run(options["file"], options["dry_run"], options["username"])

    def run(self, path: Path, dry_run: bool, username: str | None) -> None:
        actor = self.actor(username)
        try:
            report = import_file(
                path, actor=actor, dry_run=dry_run, progress_factory=self.progress_bar
            )
        except ImportFileError as exc:
            raise CommandError(exc.error.message) from exc
        for error in report.errors:
            self.stdout.write(
                _("Row {row}, column “{column}”: {problem}").format(
                    row=error.row, column=error.column, problem=error.message
                )
            )
        self.summary(report)
        if not report.ok:
            if dry_run:
                message = ngettext(
                    "%(count)d bad row; a real import would change nothing.",
                    "%(count)d bad rows; a real import would change nothing.",
                    report.bad_rows,
                )
            else:
                message = ngettext(
                    "%(count)d bad row; nothing was imported.",
                    "%(count)d bad rows; nothing was imported.",
                    report.bad_rows,
                )
            raise CommandError(message % {"count": report.bad_rows})

    def actor(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(
                _("No active account has the username “{username}”.").format(username=username)
            )
        # Only those who may import write; checking once spares a refusal on every row.
        if not (user.is_admin or user.role in IMPORT_ROLES):
            raise CommandError(ServiceError(Code.AUTH_FORBIDDEN).message)
        return user

    def progress_bar(self, total: int) -> Any:
        return tqdm(
            total=total,
            unit=str(_("rows")),
            file=sys.stderr,
            disable=total < PROGRESS_FROM or not sys.stderr.isatty(),
        )

    def summary(self, report: ImportReport) -> None:
        self.stdout.write(
            ngettext("%(count)d row read.", "%(count)d rows read.", report.rows)
            % {"count": report.rows}
        )
        if not report.ok:
            return
        for record in RECORDS:
            if report.dry_run:
                line = _("{records}: {created} to create, {existing} already present.")
            else:
                line = _("{records}: {created} created, {existing} already present.")
            self.stdout.write(
                line.format(
                    records=RECORD_LABELS[record],
                    created=report.created[record],
                    existing=report.existing[record],
                )
            )
        if report.dry_run:
            self.stdout.write(_("Dry run: every row is good; nothing was changed."))
        else:
            self.stdout.write(self.style.SUCCESS(_("Import complete.")))
