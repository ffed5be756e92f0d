"""The answer to a create with a client-supplied UUID, shared by every API router.

A new record answers 201; an identical resend (the service found the same content under the
same id) answers 200 with the existing record. Different content under the same id never
reaches here: the service raises ``conflict.uuid`` (409).
"""

from __future__ import annotations

from typing import Any


def created_status(obj: Any, created: bool) -> tuple[int, Any]:
    return (201 if created else 200), obj
