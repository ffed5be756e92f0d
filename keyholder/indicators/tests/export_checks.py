"""Reading exports back as their tools would, for the export tests.

``adx_problems`` encodes the constraints of the ADX profile's loose schema
(``IHE2015/schema/adx_loose.xsd`` in the profile's working repository, dhis2/adx on GitHub),
which is not shipped: it is in no PyPI or npm package, and this project's build has no other
network. What it checks is what that schema requires: the root ``adx`` in the namespace
``urn:ihe:qrph:adx:2015`` with an ``exported`` xs:dateTime; **one or more** ``group`` children,
each with ``orgUnit`` and ``period`` (an SDMX time range, ``YYYY-MM-DD/P1M``), and **one or
more** ``dataValue`` children, each with ``dataElement`` and an xs:decimal ``value`` (and at most
an ``annotation`` inside); other attributes are allowed. On top, for DHIS2: ``dataSet`` on
every group, and no text inside a group.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

from django.http import HttpResponseBase

ADX = "urn:ihe:qrph:adx:2015"
PERIOD = re.compile(r"^(\d{4}-\d{2}-\d{2})/P(\d+)([DWMY])$")
# xs:decimal: an optional sign, digits with an optional fraction (or a fraction alone).
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def body(response: HttpResponseBase) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return bytes(response.content)  # type: ignore[attr-defined]


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    assert sheet is not None
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def xlsx_sheets(data: bytes) -> list[list[list[str]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return [
        [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    ]


def adx_problems(data: bytes) -> list[str]:
    problems = []
    root = ElementTree.fromstring(data)
    if root.tag != f"{{{ADX}}}adx":
        problems.append(f"root is {root.tag}, not adx in {ADX}")
    try:
        dt.datetime.fromisoformat(root.get("exported", ""))
    except ValueError:
        problems.append("adx/@exported is not an ISO 8601 date-time")
    if len(root) == 0:
        problems.append("adx holds no group (the schema wants one or more)")
    for group in root:
        if len(group) == 0:
            problems.append("group holds no dataValue (the schema wants one or more)")
        if group.tag != f"{{{ADX}}}group":
            problems.append(f"unexpected element {group.tag}")
            continue
        for name in ("orgUnit", "period", "dataSet"):
            if not group.get(name):
                problems.append(f"group without {name}")
        found = PERIOD.match(group.get("period", ""))
        if not found:
            problems.append(f"period {group.get('period')!r} is not start/duration")
        else:
            try:
                dt.date.fromisoformat(found.group(1))
            except ValueError:
                problems.append(f"period start {found.group(1)!r} is not a date")
        if (group.text or "").strip():
            problems.append("text inside a group")
        for value in group:
            if value.tag != f"{{{ADX}}}dataValue":
                problems.append(f"unexpected element {value.tag} in a group")
            if not value.get("dataElement"):
                problems.append("dataValue without dataElement")
            if not NUMBER.match(value.get("value", "")):
                problems.append(f"dataValue value {value.get('value')!r} is not numeric")
            if [child.tag for child in value] not in ([], [f"{{{ADX}}}annotation"]):
                problems.append("dataValue holds more than an annotation")
    return problems


def adx_values(data: bytes) -> Iterator[tuple[str, str, str, str]]:
    """(orgUnit, period, dataElement, value) of every data value."""
    for group in ElementTree.fromstring(data):
        for value in group:
            yield (
                group.get("orgUnit", ""),
                group.get("period", ""),
                value.get("dataElement", ""),
                value.get("value", ""),
            )


def as_dict(rows: list[list[str]]) -> dict[tuple[str, str, str], dict[str, Any]]:
    header = rows[0]
    return {(row[0], row[7], row[8]): dict(zip(header, row, strict=True)) for row in rows[2:]}
