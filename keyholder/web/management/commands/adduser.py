"""``keyholder adduser USERNAME --role ROLE [--place CODE ...] [--household ID]
[--password-file FILE]``: create an account from the command line.

The password comes from a file (for scripts: never on the command line, where other users of
the machine could read it in the process list) or, on a terminal, from a hidden prompt.
"""

from __future__ import annotations

import getpass
import sys
import uuid
from pathlib import Path
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from keyholder.accounts.models import Role
from keyholder.accounts.services import do_create_user
from keyholder.core.errors import ServiceError
from keyholder.registry.models import Household


class Command(BaseCommand):
    help = "Create an account with a role and the places it covers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument(
            "--place",
            dest="places",
            action="extend",
            nargs="+",
            default=[],
            metavar="CODE",
            help="Place code of the area (officer: district, region or country; enumerator "
            "and keyholder: villages). Repeat or list several.",
        )
        parser.add_argument("--household", help="UUID of the owner's household.")
        parser.add_argument(
            "--password-file",
            type=Path,
            help="Read the password from the first line of this file ('-' for standard input).",
        )
        parser.add_argument("--language", default="tg", choices=["tg", "ru", "en"])
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        role = options["role"]
        household_id = self._household(role, options["household"])
        password = self._password(options["password_file"])
        try:
            user = do_create_user(
                username=options["username"],
                password=password,
                role=role,
                place_codes=options["places"],
                household_id=household_id,
                language=options["language"],
                email=options["email"],
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        places = ", ".join(p.code for p in user.places.all()) or "-"
        self.stdout.write(
            _("Created %(username)s (%(role)s, area: %(places)s).")
            % {"username": user.username, "role": user.role, "places": places}
        )

    def _household(self, role: str, value: str | None) -> uuid.UUID | None:
        if role != Role.OWNER:
            if value:
                raise CommandError(_("Only an owner account has a household."))
            return None
        if not value:
            raise CommandError(_("An owner needs --household with the id of their household."))
        try:
            household_id = uuid.UUID(value)
        except ValueError as exc:
            raise CommandError(_("“%(value)s” is not a household id.") % {"value": value}) from exc
        # The command runs as the system: it may see every household.
        if not Household.objects.filter(pk=household_id).exists():
            raise CommandError(_("No household has the id %(value)s.") % {"value": value})
        return household_id

    def _password(self, path: Path | None) -> str:
        if path is not None:
            try:
                text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
            except OSError as exc:
                raise CommandError(
                    _("Cannot read the password file %(path)s: %(error)s")
                    % {"path": path, "error": exc.strerror}
                ) from exc
            lines = text.splitlines()
            password = lines[0] if lines else ""
        elif sys.stdin.isatty():
            password = getpass.getpass(_("Password: "))
            if getpass.getpass(_("Password (again): ")) != password:
                raise CommandError(_("The two passwords differ."))
        else:
            raise CommandError(
                _("No password: give --password-file FILE, or run the command on a terminal.")
            )
        if not password:
            raise CommandError(_("The password is empty."))
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        return password
