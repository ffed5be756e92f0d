"""A file with bad rows: every bad row is reported (row, column, problem) and nothing changes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from keyholder.accounts.models import AuditLog
from keyholder.registry.tests.importfiles import (
    FAMILY,
    FATHER,
    MOTHER,
    event_id,
    good_rows,
    registry_counts,
    run_command,
    write_csv,
)
from keyholder.testing import Cast

pytestmark = pytest.mark.django_db

BAD_PERSON = "9a8e5c1d-7f3b-4e2a-b6c4-1d2e3f4a0099"
NO_SUCH_HOUSE = "6f1c2a52-4d8e-4b0a-9f49-0d7a1c3e0999"
BAD_ROWS = [
    {"record": "house", "id": "6f1c2a52-4d8e-4b0a-9f49-0d7a1c3e0010", "village": "TJ-XX-NOWHERE"},
    {
        "record": "household",
        "id": "0c7b3f0e-1e2a-4c55-8a1d-5b3f6d2a0010",
        "village": "TJ-SU-ASHT-PONGHOZ-V01",
        "house_id": NO_SUCH_HOUSE,
        "name": "",
    },
    {
        "record": "person",
        "id": BAD_PERSON,
        "household_id": FAMILY,
        "given_name": "Зарина",
        "sex": "x",
        "birth_year": "19x0",
    },
    {
        "record": "person",
        "id": "9a8e5c1d-7f3b-4e2a-b6c4-1d2e3f4a0098",
        "household_id": FAMILY,
        "given_name": "Бахтиёр",
        "sex": "m",
        "birth_year": "1999",
        "phone": "12",
    },
    {
        "record": "event",
        "id": event_id(50),
        "person_id": BAD_PERSON,
        "kind": "departed",
        "date": "2020-01-01",
        "country": "RU",
    },
    {
        "record": "event",
        "id": event_id(51),
        "person_id": MOTHER,
        "kind": "returned",
        "date": "2021-05-05",
    },
    {
        "record": "event",
        "id": event_id(52),
        "person_id": FATHER,
        "kind": "departed",
        "date": "2099-01-01",
        "country": "RU",
    },
    {
        "record": "event",
        "id": event_id(53),
        "person_id": FATHER,
        "kind": "flew",
        "date": "14.02.2023",
    },
    {"record": "car", "id": event_id(54)},
    # An id that is not a UUID is a key other rows of the file refer to; a reference to a
    # key that no row of the file has is refused.
    {
        "record": "event",
        "id": "my-key-1",
        "person_id": "no-such-key",
        "kind": "died",
        "date": "2024-01-01",
    },
]
# (row, column, start of the English message) expected for each bad cell; the header is row 1.
FIRST_BAD = len(good_rows()) + 2
EXPECTED = [
    (FIRST_BAD, "village", "No place has the code “TJ-XX-NOWHERE”."),
    (FIRST_BAD + 1, "house_id", f"No house has the id {NO_SUCH_HOUSE}"),
    (FIRST_BAD + 1, "name", "A household row needs a value in this column."),
    (FIRST_BAD + 2, "sex", "“x” is not one of: f, m."),
    (FIRST_BAD + 2, "birth_year", "“19x0” is not a number."),
    (FIRST_BAD + 3, "phone", "“12” is not a valid phone number."),
    (
        FIRST_BAD + 4,
        "person_id",
        f"The person {BAD_PERSON} this row refers to is bad (row {FIRST_BAD + 2}).",
    ),
    (FIRST_BAD + 5, "date", "The return on 2021-05-05 has no departure before it."),
    (FIRST_BAD + 6, "date", "The date 2099-01-01 is in the future."),
    (FIRST_BAD + 7, "kind", "“flew” is not one of:"),
    (FIRST_BAD + 8, "record", "“car” is not a record type"),
    (
        FIRST_BAD + 9,
        "person_id",
        "No person has the id no-such-key, neither in this file nor in the registry.",
    ),
]
LINE = re.compile(r"^Row (\d+), column “([a-z_]+)”: (.*)$")


def reported(out: str) -> list[tuple[int, str, str]]:
    found = []
    for line in out.splitlines():
        match = LINE.match(line)
        if match:
            found.append((int(match[1]), match[2], match[3]))
    return found


def test_it_reports_every_bad_row_and_changes_nothing(cast: Cast, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "registry.csv", good_rows() + BAD_ROWS)
    before = registry_counts()

    outcome = run_command("import", str(path), language="en")

    assert not outcome.ok
    assert "10 bad rows; nothing was imported." in outcome.err
    lines = reported(outcome.out)
    assert len(lines) == len(EXPECTED), outcome.out
    for (row, column, message), (want_row, want_column, want_start) in zip(
        lines, EXPECTED, strict=True
    ):
        assert (row, column) == (want_row, want_column), outcome.out
        assert message.startswith(want_start), message
    # The good rows of the same file were checked too, but none of them stayed.
    assert registry_counts() == before
    refused = AuditLog.objects.get(action=AuditLog.Action.IMPORT)
    assert refused.detail["refused"] is True
    assert refused.detail["bad_rows"] == 10


def test_it_refuses_a_file_with_an_unknown_column(cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "registry.csv"
    path.write_text("record,id,givenname\nperson,9a8e5c1d-7f3b-4e2a-b6c4-1d2e3f4a0001,Ali\n")

    outcome = run_command("import", str(path), language="en")

    assert not outcome.ok
    assert "Row 1, column “givenname”: The column “givenname” is not part of the format." in (
        outcome.out
    )


def test_it_refuses_a_file_that_is_not_a_table(cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\xff\xd8\xff\xe0 not text")

    outcome = run_command("import", str(path), language="en")

    assert not outcome.ok
    assert outcome.err.startswith("The file cannot be read")


def test_it_says_when_a_refused_event_may_explain_a_later_one(cast: Cast, tmp_path: Path) -> None:
    rows = good_rows()
    # The father's first departure lacks its country; his return in 2019 then has no departure.
    for row in rows:
        if row["id"] == event_id(1):
            row["country"] = ""
    path = write_csv(tmp_path / "registry.csv", rows)

    outcome = run_command("import", str(path), language="en")

    assert not outcome.ok
    departure = next(i for i, r in enumerate(rows) if r["id"] == event_id(1)) + 2
    back = next(i for i, r in enumerate(rows) if r["id"] == event_id(2)) + 2
    assert f"Row {departure}, column “country”: A departure needs a destination country." in (
        outcome.out
    )
    assert (
        f"Row {back}, column “date”: This event may be refused only because an earlier event of "
        f"the same person was refused (row {departure}): The return on 2019-11-20 has no "
        "departure before it."
    ) in outcome.out
