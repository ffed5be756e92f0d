"""Every msgid must have a Tajik and a Russian translation.

Two checks: the committed catalogues have no empty or fuzzy entry, and the catalogues are up
to date with the source (a string tagged in code or a template but never extracted lacks a
translation too). The second check re-extracts the messages into a copy of the package, the
way ``make messages`` does, so the real catalogues are never touched.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command

PACKAGE_DIR = Path(settings.BASE_DIR)
LANGUAGES = ("tg", "ru")

pytestmark = pytest.mark.translations


def po_path(locale_dir: Path, language: str) -> Path:
    return locale_dir / language / "LC_MESSAGES" / "django.po"


def untranslated(catalog: Catalog) -> list[str]:
    """The msgids of a catalogue that have an empty or fuzzy translation."""
    problems = []
    for message in catalog:
        if not message.id:
            # The header entry carries metadata, not a message.
            continue
        raw = message.string
        strings = [str(s) for s in raw] if isinstance(raw, (tuple, list)) else [str(raw or "")]
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        if message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif not all(s and s.strip() for s in strings):
            problems.append(f"empty: {msgid!r}")
    return problems


def read_catalog(path: Path, language: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def problems_in(locale_dir: Path) -> list[str]:
    problems = []
    for language in LANGUAGES:
        path = po_path(locale_dir, language)
        if not path.exists():
            problems.append(f"{language}: {path} is missing")
            continue
        catalog = read_catalog(path, language)
        if not len(catalog):
            problems.append(f"{language}: {path} has no messages")
        problems.extend(f"{language}: {p}" for p in untranslated(catalog))
    return problems


def test_it_finds_no_untranslated_or_fuzzy_msgid_in_the_tg_and_ru_catalogues() -> None:
    problems = problems_in(PACKAGE_DIR / "locale")
    assert not problems, f"{len(problems)} problems in the catalogues:\n" + "\n".join(
        problems[:200]
    )


def test_it_finds_every_msgid_of_the_source_translated(tmp_path: Path, settings: Any) -> None:
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        if os.environ.get("CI"):
            pytest.fail("GNU gettext (xgettext, msgmerge) must be installed in CI")
        pytest.skip("GNU gettext is not installed")
    copy = tmp_path / "keyholder"
    shutil.copytree(
        PACKAGE_DIR,
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static", "migrations"),
    )
    # makemessages writes into LOCALE_PATHS: point it at the copy, never at the real files.
    settings.LOCALE_PATHS = [copy / "locale"]
    for language in LANGUAGES:
        po_path(copy / "locale", language).parent.mkdir(parents=True, exist_ok=True)
    cwd = Path.cwd()
    os.chdir(copy)
    try:
        call_command(
            "makemessages",
            locale=list(LANGUAGES),
            ignore_patterns=["tests/*", "settings_test.py"],
            no_obsolete=True,
            verbosity=0,
        )
    finally:
        os.chdir(cwd)
    # The extraction must have found the project's strings, or the check below proves nothing.
    assert len(read_catalog(po_path(copy / "locale", "ru"), "ru")) > 10
    problems = problems_in(copy / "locale")
    assert not problems, (
        f"{len(problems)} msgids lack a translation; run `make messages` and translate them:\n"
        + "\n".join(problems[:200])
    )


def test_the_checker_catches_an_empty_and_a_fuzzy_translation(tmp_path: Path) -> None:
    # The check above must be able to fail: feed it a catalogue with one good, one empty and
    # one fuzzy entry, and a missing Russian file.
    (tmp_path / "tg" / "LC_MESSAGES").mkdir(parents=True)
    po_path(tmp_path, "tg").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Sign in"\nmsgstr "Ворид шудан"\n\n'
        'msgid "Sign out"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Village"\nmsgstr "Деҳа"\n\n'
        'msgid "one household"\nmsgid_plural "{n} households"\n'
        'msgstr[0] "{n} хонавода"\nmsgstr[1] ""\n',
        encoding="utf-8",
    )
    problems = problems_in(tmp_path)
    assert problems == [
        "tg: empty: 'Sign out'",
        "tg: fuzzy: 'Village'",
        "tg: empty: 'one household'",
        f"ru: {po_path(tmp_path, 'ru')} is missing",
    ]
