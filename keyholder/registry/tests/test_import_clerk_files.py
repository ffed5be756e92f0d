"""What a Russian- or Tajik-locale spreadsheet saves imports, whatever its encoding and shape.

Each file holds the same registry (clerkfiles.py): no UUIDs, rows referring to each other by
the clerk's keys, Russian and Tajik words for sex, relations, kinds, trees and countries,
dd.mm.yyyy dates (or date cells), national phone forms.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from keyholder.registry.models import House, MigrationEvent, Person
from keyholder.registry.tests.clerkfiles import write_clerk_csv, write_clerk_xlsx
from keyholder.registry.tests.importfiles import registry_counts, run_command
from keyholder.testing import Cast

pytestmark = pytest.mark.django_db


def assert_clerk_registry(cast: Cast) -> None:
    house = House.objects.get(village=cast.village, street="Рудакӣ", number="12")
    assert {t.kind: t.count for t in house.trees.all()} == {"apricot": 4, "walnut": 2}
    rustam = Person.objects.get(given_name="Рустам", household__house=house)
    assert (rustam.sex, rustam.relation, rustam.phone) == ("m", "head", "+79271234567")
    nigora = Person.objects.get(given_name="Нигора", household=rustam.household)
    assert (nigora.sex, nigora.relation, nigora.phone) == ("f", "spouse", "+992927123456")
    events = list(
        MigrationEvent.objects.filter(person__household=rustam.household)
        .order_by("date")
        .values_list("person__given_name", "kind", "date", "country", "purpose")
    )
    assert events == [
        ("Рустам", "departed", dt.date(2016, 3, 1), "RU", "work"),
        ("Рустам", "returned", dt.date(2019, 11, 20), "", ""),
        ("Нигора", "departed", dt.date(2022, 4, 10), "KZ", ""),
    ]


@pytest.mark.parametrize(
    ("encoding", "delimiter", "title"),
    [
        ("cp1251", ";", False),
        ("utf-16", "\t", False),
        ("utf-8-sig", ",", True),
        ("utf-8", ";", True),
    ],
)
def test_it_imports_what_a_clerk_saved(
    cast: Cast, tmp_path: Path, encoding: str, delimiter: str, title: bool
) -> None:
    if encoding == "cp1251":
        # cp1251 has no Tajik letters: a Russian-locale Excel saves Russian words only.
        path = tmp_path / "registry.csv"
        text = write_clerk_csv(path, encoding="utf-8", delimiter=delimiter).read_text()
        text = text.replace("Рудакӣ", "Рудаки").replace("Каримовҳо", "Каримовы")
        text = text.replace("чормағз", "орех").replace("рафт", "уехал")
        text = text.replace("Қазоқистон", "Казахстан")
        path.write_bytes(text.encode("cp1251"))
    else:
        path = write_clerk_csv(
            tmp_path / "registry.csv", encoding=encoding, delimiter=delimiter, title=title
        )
    before = registry_counts()

    outcome = run_command("import", str(path), language="en")

    assert outcome.ok, outcome.out + outcome.err
    after = registry_counts()
    assert after["houses"] - before["houses"] == 1
    assert after["households"] - before["households"] == 1
    assert after["persons"] - before["persons"] == 2
    assert after["events"] - before["events"] == 3
    if encoding != "cp1251":
        assert_clerk_registry(cast)


def test_it_reads_the_sheet_that_holds_the_data_and_its_date_cells(
    cast: Cast, tmp_path: Path
) -> None:
    path = write_clerk_xlsx(tmp_path / "registry.xlsx")

    outcome = run_command("import", str(path), language="en")

    assert outcome.ok, outcome.out + outcome.err
    assert_clerk_registry(cast)


def test_it_gives_a_broken_file_one_message_in_tajik(cast: Cast, tmp_path: Path) -> None:
    broken = tmp_path / "registry.xlsx"
    # The beginning of a workbook, cut off: a ZIP archive that cannot be opened.
    write_clerk_xlsx(tmp_path / "whole.xlsx")
    broken.write_bytes((tmp_path / "whole.xlsx").read_bytes()[:300])
    before = registry_counts()

    outcome = run_command("import", str(broken))

    assert not outcome.ok
    assert outcome.err == (
        "Файлро хондан ғайриимкон аст. Онро аз барномаи ҷадвалҳо ҳамчун CSV ё китоби "
        "Excel (XLSX) захира кунед ва боз кӯшиш кунед."
    )
    assert registry_counts() == before
