"""Creates with a client-supplied UUID: finding a resend, and the API's answer to it.

Field records get their UUID where they were made (a phone offline, an import row), so the
same record may arrive twice. ``find_resend`` tells a resend from a new record before a
service writes; ``created_status`` is the API's answer.

A new record answers 201; an identical resend (the service found the same content under the
same id) answers 200 with the existing record. Different content under the same id never
reaches here: the service raises ``conflict.uuid`` (409).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import models

from keyholder.core.errors import Code, ServiceError

M = TypeVar("M", bound=models.Model)


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
    model: type[M], record_id: uuid.UUID | None, fields: dict[str, Any]
) -> tuple[M | None, uuid.UUID]:
    """Return (existing, id) for a resend with the same content, or (None, id) for a new record.

    ``record_id`` is the client's UUID (None: make one). Raises ``conflict.uuid`` when the id
    exists with other content. Every create with a client UUID goes through here.
    """
    if record_id is None:
        return None, uuid.uuid4()
    # order_by() drops the model's default ordering, whose joins a lookup by id does not need.
    existing = model._default_manager.filter(pk=record_id).order_by().first()
    if existing is None:
        return None, record_id
    if _same(existing, fields):
        return existing, record_id
    raise ServiceError(Code.CONFLICT_UUID, id=record_id)
