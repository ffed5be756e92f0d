"""``keyholder demo_accounts`` makes one account per role once, and keeps their passwords."""

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from pytest_django.fixtures import Settings

from keyholder.accounts.models import Role, User
from keyholder.registry.models import Person
from keyholder.registry.queries import household_statuses_on
from keyholder.registry.status import HouseholdState

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("demo_accounts", *args, stdout=out)
    return out.getvalue()


def test_it_makes_one_account_per_role_once(settings: Settings, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    call_command("load_places", stdout=StringIO())
    call_command("generate", district="Asht", scale=0.005, no_progress=True, stdout=StringIO())

    first = run("--print")
    saved = (tmp_path / "demo-accounts.txt").read_text()
    second = run("--print")

    assert second == first
    assert (tmp_path / "demo-accounts.txt").read_text() == saved
    assert User.objects.filter(username__startswith="demo-").count() == 6
    passwords = {
        line.split("\t")[0]: line.split("\t")[2]
        for line in saved.splitlines()
        if not line.startswith("#")
    }
    for username, password in passwords.items():
        assert password in first
        assert authenticate(username=username, password=password) is not None, username

    def scope(username: str) -> tuple[str, list[str]]:
        user = User.objects.get(username=username)
        return user.role, [p.code for p in user.places.all()]

    assert scope("demo-admin") == (Role.ADMIN, [])
    assert scope("demo-officer") == (Role.OFFICER, ["TJ-SU-ASHT"])
    assert scope("demo-enumerator") == (Role.ENUMERATOR, ["TJ-SU-ASHT-PONGHOZ-V01"])
    assert scope("demo-keyholder") == (Role.KEYHOLDER, ["TJ-SU-ASHT-PONGHOZ-V01"])
    assert scope("demo-outsider") == (Role.OFFICER, ["TJ-SU-GHAFUROV"])
    owner = User.objects.get(username="demo-owner")
    assert owner.role == Role.OWNER and owner.household is not None
    assert owner.household.village.code == "TJ-SU-ASHT-PONGHOZ-V01"
    members = Person.objects.filter(household=owner.household)
    status = household_statuses_on(members, timezone.localdate())[owner.household.pk]
    assert status.state == HouseholdState.FULLY_ABROAD


def test_it_refuses_without_a_sample_village(settings: Settings, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    with pytest.raises(CommandError):
        run()
    assert not User.objects.filter(username__startswith="demo-").exists()
