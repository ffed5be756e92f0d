"""The CSV escape reads back identical, and only formula-like text is touched."""

from __future__ import annotations

import pytest

from keyholder.core.errors import ServiceError
from keyholder.core.text import check_text, csv_cell, csv_unquote, strip_control_characters

TEXTS = ["=1+2", "+992", "-5", "@A1", "\tx", "\rx", "'", "''", "'=x", "'abc", "Karim", "", "a=b"]


@pytest.mark.parametrize("text", TEXTS)
def test_the_csv_escape_reads_back_identical(text: str) -> None:
    escaped = csv_cell(text)
    assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert csv_unquote(escaped) == text


def test_plain_text_and_numbers_are_left_alone() -> None:
    assert csv_cell("Karim") == "Karim"
    assert csv_cell(-5) == -5
    # A hand-made apostrophe before ordinary text is kept by the import.
    assert csv_unquote("'abc") == "'abc"


def test_control_characters_are_refused_and_stripped() -> None:
    with pytest.raises(ServiceError) as refused:
        check_text("name", "Ka\x00rim")
    assert (refused.value.code, refused.value.field) == ("invalid.control_character", "name")
    check_text("notes", "one\ttwo\r\nthree")
    assert strip_control_characters("a\x08b\x7fc\x1fd") == "abcd"
