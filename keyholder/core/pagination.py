"""Cursor pagination for every list of the API: ``{"count", "next", "results"}``.

A cursor is opaque to clients: URL-safe base64 of the JSON list of the last item's sort key,
which always ends with the primary key so that the order is total and stable. The next page
is "everything after that key", so records created while a client pages through a list never
make it skip or repeat one (unlike offsets).

Two entry points share the cursor format:

- ``paginate(queryset, ordering, ...)`` filters in the database (keyset pagination);
- ``paginate_keys(keys, ...)`` pages through sort keys already computed in Python, for lists
  filtered on something derived rather than stored (a person's status on a date).
"""

from __future__ import annotations

import base64
import binascii
import bisect
import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, Q, QuerySet
from ninja import Field, Schema

from keyholder.core.errors import Code, ServiceError

DEFAULT_LIMIT = 100
MAX_LIMIT = 500

T = TypeVar("T")
M = TypeVar("M", bound=Model)

Key = tuple[Any, ...]


class PageQuery(Schema):
    """The query parameters of every paginated list."""

    cursor: str | None = Field(
        None,
        max_length=512,
        description="The `next` value of the previous page.",
        json_schema_extra={"pattern": "^[A-Za-z0-9_-]*$"},
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")


@dataclass
class Page(Generic[T]):
    count: int
    next: str | None
    results: list[T]


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def encode_cursor(key: Sequence[Any]) -> str:
    raw = json.dumps([_jsonable(v) for v in key], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode("ascii").rstrip("=")


def decode_cursor(cursor: str | None, length: int) -> Key | None:
    """The sort key in a cursor, or None for the first page. Refuses anything we did not make."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode())
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise ServiceError(Code.INVALID_CURSOR, field="cursor") from exc
    if (
        not isinstance(values, list)
        or len(values) != length
        or not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values)
    ):
        raise ServiceError(Code.INVALID_CURSOR, field="cursor")
    return tuple(values)


def after_q(ordering: Sequence[str], key: Key) -> Q:
    """Rows strictly after ``key`` in ``ordering`` (all ascending): a lexicographic comparison."""
    conditions = []
    for index, name in enumerate(ordering):
        equal = {field: key[i] for i, field in enumerate(ordering[:index])}
        conditions.append(Q(**equal, **{f"{name}__gt": key[index]}))
    return reduce(or_, conditions)


def paginate(
    queryset: QuerySet[M],
    ordering: Sequence[str],
    cursor: str | None,
    limit: int = DEFAULT_LIMIT,
    count: int | None = None,
) -> Page[M]:
    """One page of ``queryset`` in ``ordering`` (ascending fields, the last one unique).

    Two queries: the count and the page. A caller that can count more cheaply than
    ``queryset.count()`` (the persons in a state, counted on their spans) passes ``count``.
    """
    if not ordering or ordering[-1] not in ("pk", "id"):
        raise ValueError("the ordering must end with the primary key to be total")
    limit = max(1, min(limit, MAX_LIMIT))
    key = decode_cursor(cursor, len(ordering))
    ordered = queryset.order_by(*ordering)
    if count is None:
        count = queryset.count()
    if key is not None:
        try:
            ordered = ordered.filter(after_q(ordering, key))
        except (DjangoValidationError, ValueError, TypeError) as exc:
            # A value that does not fit its field (a bad UUID or date) was not made by us.
            raise ServiceError(Code.INVALID_CURSOR, field="cursor") from exc
    try:
        rows = list(ordered[: limit + 1])
    except (DjangoValidationError, ValueError, TypeError) as exc:
        raise ServiceError(Code.INVALID_CURSOR, field="cursor") from exc
    results = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = results[-1]
        next_cursor = encode_cursor([_attribute(last, name) for name in ordering])
    return Page(count=count, next=next_cursor, results=results)


def _attribute(obj: Model, name: str) -> Any:
    value: Any = obj
    for part in name.split("__"):
        value = getattr(value, part)
    return value


def paginate_keys(
    keys: Sequence[Key], length: int, cursor: str | None, limit: int = DEFAULT_LIMIT
) -> Page[Key]:
    """One page of sort keys of ``length`` values computed in Python (the last one unique).

    The keys are compared in their JSON form (UUIDs and dates as strings), as the cursor is.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    ordered = sorted(tuple(_jsonable(v) for v in k) for k in keys)
    after = decode_cursor(cursor, length)
    start = 0
    if after is not None:
        try:
            start = bisect.bisect_right(ordered, after)
        except TypeError as exc:
            raise ServiceError(Code.INVALID_CURSOR, field="cursor") from exc
    results = ordered[start : start + limit]
    next_cursor = None
    if start + limit < len(ordered):
        next_cursor = encode_cursor(results[-1])
    return Page(count=len(ordered), next=next_cursor, results=results)
