"""``keyholder adduser`` creates an account with its role and area, the password from a file or
a hidden prompt, and refuses clearly otherwise."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django.utils.translation import gettext

from keyholder.accounts.models import AuditLog, Role, User

PASSWORD = "apricot-orchard-1987"


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "password"
    path.write_text(PASSWORD + "\n", encoding="utf-8")
    return path


def _adduser(*args: str) -> str:
    out = io.StringIO()
    call_command("adduser", *args, stdout=out)
    return out.getvalue()


def test_it_creates_an_enumerator_of_two_villages(cast, password_file):
    output = _adduser(
        "zarina",
        "--role=enumerator",
        "--place",
        "TJ-SU-ASHT-PONGHOZ-V01",
        "TJ-SU-ASHT-PONGHOZ-V02",
        f"--password-file={password_file}",
    )
    user = User.objects.get(username="zarina")
    assert user.role == Role.ENUMERATOR
    assert user.check_password(PASSWORD)
    assert sorted(p.code for p in user.places.all()) == [
        "TJ-SU-ASHT-PONGHOZ-V01",
        "TJ-SU-ASHT-PONGHOZ-V02",
    ]
    assert "zarina" in output
    assert AuditLog.objects.filter(action="create", object_type="user", object_id=str(user.pk))


def test_repeated_place_options_add_up(cast, password_file):
    _adduser(
        "nodir",
        "--role=officer",
        "--place=TJ-SU-ASHT",
        "--place=TJ-SU-GHAFUROV",
        f"--password-file={password_file}",
    )
    assert User.objects.get(username="nodir").places.count() == 2


def test_it_creates_an_owner_of_a_household(cast, password_file):
    _adduser(
        "karim",
        "--role=owner",
        f"--household={cast.household.pk}",
        f"--password-file={password_file}",
    )
    assert User.objects.get(username="karim").household == cast.household


def test_it_reads_the_password_from_a_terminal_prompt(cast, monkeypatch):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    _adduser("admin2", "--role=admin")
    assert User.objects.get(username="admin2").check_password(PASSWORD)

    answers = iter([PASSWORD, "something-else-entirely"])
    with pytest.raises(CommandError) as refused:
        _adduser("admin3", "--role=admin")
    with translation.override("tg"):
        assert str(refused.value) == gettext("The two passwords differ.")
    assert not User.objects.filter(username="admin3").exists()


def test_it_reads_the_password_from_standard_input(cast, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    _adduser("admin4", "--role=admin", "--password-file=-")
    assert User.objects.get(username="admin4").check_password(PASSWORD)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # No password and no terminal to ask on (pytest's stdin is not a terminal).
        (["--role=admin"], "--password-file"),
        (["--role=enumerator", "--place=TJ-NOWHERE", "PWFILE"], "TJ-NOWHERE"),
        (["--role=enumerator", "PWFILE"], "place"),
        (["--role=enumerator", "--place=TJ-SU-ASHT", "PWFILE"], "TJ-SU-ASHT"),
        (["--role=owner", "PWFILE"], "--household"),
        (["--role=owner", "--household=42", "PWFILE"], "42"),
        (
            ["--role=owner", "--household=8f0c3a52-2f9e-4a6b-9d1e-0c1b2a3d4e5f", "PWFILE"],
            "8f0c3a52",
        ),
        (
            ["--role=officer", "--place=TJ-SU-ASHT", "--password-file=/nonexistent/pw"],
            "/nonexistent/pw",
        ),
    ],
)
def test_it_refuses_clearly(cast, password_file, args, message):
    args = [f"--password-file={password_file}" if a == "PWFILE" else a for a in args]
    with pytest.raises(CommandError, match=message):
        _adduser("newcomer", *args)
    assert not User.objects.filter(username="newcomer").exists()


def test_it_refuses_a_taken_username_or_a_weak_password(cast, tmp_path, password_file):
    with pytest.raises(CommandError, match="officer"):
        _adduser("officer", "--role=admin", f"--password-file={password_file}")
    weak = tmp_path / "weak"
    weak.write_text("1234\n", encoding="utf-8")
    with pytest.raises(CommandError):
        _adduser("weakling", "--role=admin", f"--password-file={weak}")
    assert not User.objects.filter(username="weakling").exists()
