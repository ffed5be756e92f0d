"""``keyholder demo_accounts [--print]``: one demo account per role, made once.

The passwords are random, made on the first run and kept in ``$KEYHOLDER_VAR_DIR/
demo-accounts.txt`` (var/ is git-ignored), so ``make demo`` can print them every time.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from keyholder.accounts.models import Role, User
from keyholder.accounts.services import do_create_user
from keyholder.places.models import Place, PlaceKind, place_by_code, subtree_q
from keyholder.registry.models import Household, Person
from keyholder.registry.queries import household_statuses_on
from keyholder.registry.status import HouseholdState

DISTRICT = "TJ-SU-ASHT"
VILLAGE = "TJ-SU-ASHT-PONGHOZ-V01"
OTHER_DISTRICT = "TJ-SU-GHAFUROV"
FILE_NAME = "demo-accounts.txt"


@dataclass
class DemoAccount:
    username: str
    role: str
    place: str = ""
    household: Household | None = None


def demo_village() -> Place:
    village = place_by_code(VILLAGE)
    if village is None:
        village = (
            Place.objects.filter(subtree_q(Place(path=DISTRICT)), kind=PlaceKind.VILLAGE)
            .filter(households__isnull=False)
            .order_by("path")
            .first()
        )
    if village is None:
        raise CommandError(
            "No sample village with households in Asht: run 'keyholder load_places' and "
            "'keyholder generate --district Asht --seed 1' first."
        )
    return village


def fully_abroad_household(village: Place, on: dt.date) -> Household:
    """A household of the village of which no living member is at home on ``on``."""
    persons = Person.objects.filter(household__village=village)
    statuses = household_statuses_on(persons, on)
    households = Household.objects.filter(village=village).order_by("name", "id")
    for household in households:
        status = statuses.get(household.pk)
        if status is not None and status.state == HouseholdState.FULLY_ABROAD:
            return household
    raise CommandError(f"No fully-abroad household in {village.code} on {on.isoformat()}.")


def accounts(village: Place, household: Household) -> list[DemoAccount]:
    return [
        DemoAccount("demo-admin", Role.ADMIN),
        DemoAccount("demo-officer", Role.OFFICER, DISTRICT),
        DemoAccount("demo-enumerator", Role.ENUMERATOR, village.code),
        DemoAccount("demo-keyholder", Role.KEYHOLDER, village.code),
        DemoAccount("demo-owner", Role.OWNER, village.code, household),
        DemoAccount("demo-outsider", Role.OFFICER, OTHER_DISTRICT),
    ]


def read_passwords(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    passwords = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) >= 3 and not line.startswith("#"):
            passwords[fields[0]] = fields[2]
    return passwords


class Command(BaseCommand):
    help = "Create one demo account per role (idempotent); --print shows them with passwords."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--print", action="store_true", help="print usernames and passwords")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(settings.VAR_DIR) / FILE_NAME
        village = demo_village()
        wanted = accounts(village, fully_abroad_household(village, timezone.localdate()))
        passwords = read_passwords(path)
        with transaction.atomic():
            for account in wanted:
                self._ensure(account, passwords)
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = ["# username\trole\tpassword\tplace"]
        lines += [f"{a.username}\t{a.role}\t{passwords[a.username]}\t{a.place}" for a in wanted]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        path.chmod(0o600)
        if options["print"]:
            self._print(wanted, passwords)

    def _ensure(self, account: DemoAccount, passwords: dict[str, str]) -> None:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            password = passwords.get(account.username) or secrets.token_urlsafe(9)
            do_create_user(
                username=account.username,
                password=password,
                role=account.role,
                place_codes=[account.place] if account.place and account.role != Role.OWNER else [],
                household_id=account.household.pk if account.household else None,
                is_sample=True,
            )
            passwords[account.username] = password
        elif account.username not in passwords:
            # The file was lost: give the account a new password so the printed one works.
            password = secrets.token_urlsafe(9)
            user.set_password(password)
            user.save(update_fields=["password"])
            passwords[account.username] = password

    def _print(self, wanted: list[DemoAccount], passwords: dict[str, str]) -> None:
        rows = [("username", "role", "password", "place")]
        for a in wanted:
            where = a.place
            if a.household is not None:
                where = f"{a.place} (household {a.household.name})"
            rows.append((a.username, a.role, passwords[a.username], where))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for row in rows:
            self.stdout.write(
                "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
            )
