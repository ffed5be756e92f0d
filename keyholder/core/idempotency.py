"""Creates with a client-supplied UUID: finding a resend, and the API's answer to it.

Field records get their UUID where they were made (a phone offline, an import row), so the
same record may arrive twice, even twice at the same moment (a phone retrying while its first
request still runs). ``find_resend`` tells a resend from a new record before a service writes;
``insert_once`` makes the insert itself safe against a racing twin; ``created_status`` is the
API's answer.

- A new record answers 201; an identical resend answers 200 with the existing record.
- Different content under the same id, within what the caller may see, is ``conflict.uuid``
  (409).
- An id taken by a record the caller may not see answers ``id_unusable`` (400), the same
  answer as an id that no device should make (the nil and the all-ones UUID): it says neither
  what the record is nor where, nor whether its content matches. A random UUID cannot be
  guessed, so only someone who already holds the id can ask; they learn only that it cannot
  be used, never the 200/409 that would compare their body with a record outside their scope.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction

from keyholder.core.errors import Code, ServiceError

M = TypeVar("M", bound=models.Model)

# Ids no client should make: refused with the same answer as an id taken out of scope.
UNUSABLE_IDS = frozenset({uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)})


def created_status(obj: Any, created: bool) -> tuple[int, Any]:
    return (201 if created else 200), obj


def _same(obj: models.Model, fields: Mapping[str, Any]) -> bool:
    for name, value in fields.items():
        # Compare foreign keys by id, without fetching the related row.
        field = obj._meta.get_field(name)
        current = getattr(obj, field.attname)  # type: ignore[union-attr]
        if isinstance(value, models.Model):
            value = value.pk
        if current != value:
            return False
    return True


def find_resend(
    model: type[M],
    record_id: uuid.UUID | None,
    fields: dict[str, Any],
    scope: models.QuerySet[M] | None = None,
) -> tuple[M | None, uuid.UUID]:
    """Return (existing, id) for a resend with the same content, or (None, id) for a new record.

    ``record_id`` is the client's UUID (None: make one). ``scope`` is what the caller may see
    of ``model`` (None: everything, for the system's own writes). Raises ``conflict.uuid`` when
    the id exists in scope with other content, ``id_unusable`` when it exists out of scope.
    Every create with a client UUID goes through here.
    """
    if record_id is None:
        return None, uuid.uuid4()
    if record_id in UNUSABLE_IDS:
        raise ServiceError(Code.ID_UNUSABLE, field="id")
    # order_by() drops the model's default ordering, whose joins a lookup by id does not need.
    existing = model._default_manager.filter(pk=record_id).order_by().first()
    if existing is None:
        return None, record_id
    if scope is not None and not scope.filter(pk=record_id).order_by().exists():
        raise ServiceError(Code.ID_UNUSABLE, field="id")
    if _same(existing, fields):
        return existing, record_id
    raise ServiceError(Code.CONFLICT_UUID, id=record_id)


def insert_once(
    model: type[M],
    record_id: uuid.UUID,
    fields: dict[str, Any],
    insert: Callable[[], M],
    scope: models.QuerySet[M] | None = None,
) -> tuple[M, bool]:
    """Run ``insert`` (which creates the row with ``record_id``); (row, True) when it did.

    Two requests with one id may both pass ``find_resend`` before either commits. On PostgreSQL
    the second insert then waits for the first and fails on the primary key: the insert runs in
    a savepoint, so that failure rolls back only the insert, and the row the first request
    committed is read again and answered like any resend: (row, False) for the same content,
    ``conflict.uuid`` or ``id_unusable`` otherwise. Never a 500.
    """
    try:
        with transaction.atomic():
            return insert(), True
    except IntegrityError:
        # Another constraint failed, not the id: that is not a resend.
        if not model._default_manager.filter(pk=record_id).exists():
            raise
    existing, _ = find_resend(model, record_id, fields, scope)
    if existing is None:  # pragma: no cover - the row was just seen
        raise ServiceError(Code.CONFLICT_UUID, id=record_id)
    return existing, False


def create_once(
    model: type[M],
    record_id: uuid.UUID | None,
    fields: dict[str, Any],
    insert: Callable[[uuid.UUID], M],
    scope: models.QuerySet[M] | None = None,
) -> tuple[M, bool]:
    """The whole create with a client's UUID, for a service with nothing to check between
    looking for a resend and inserting: ``find_resend``, then ``insert_once``.

    ``insert`` gets the id to create the row with (the client's, or a new one). Returns
    (row, True) when this call created it, (the existing row, False) for a resend.
    """
    existing, new_id = find_resend(model, record_id, fields, scope)
    if existing is not None:
        return existing, False
    return insert_once(model, new_id, fields, lambda: insert(new_id), scope)
