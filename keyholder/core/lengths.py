"""Text longer than its column: a catalogued 400 in the user's language, never a 500.

PostgreSQL refuses a ``varchar(n)`` value longer than n with an error (a 500 if nothing stops
it first); SQLite keeps the whole text. Schemas (``maxLength``) and forms (``max_length``) stop
most such text where it comes in; ``check_lengths`` is the net under them: before any model of
the project is saved it compares each text with its field's ``max_length`` and raises
``ServiceError(Code.TEXT_TOO_LONG)`` naming the field. A save inside a service's transaction
is then refused whole. ``bulk_create`` sends no ``pre_save``: the importer checks its own
lengths (``import.too_long``), and ``limits.error_for`` answers a ``DataError`` that still
reaches the database with ``invalid.too_long_text``.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.signals import pre_save

from keyholder.core.errors import Code, ServiceError


def check_lengths(instance: models.Model) -> None:
    """Refuse the first text field of ``instance`` longer than its ``max_length``."""
    for field in instance._meta.concrete_fields:
        limit = getattr(field, "max_length", None)
        if not limit or not isinstance(field, (models.CharField, models.TextField)):
            continue
        value = getattr(instance, field.attname, None)
        if isinstance(value, str) and len(value) > limit:
            raise ServiceError(Code.TEXT_TOO_LONG, field=field.name, max=limit)


def _before_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if sender.__module__.startswith("keyholder."):
        check_lengths(instance)


def connect() -> None:
    """Check every project model's text before it is saved (called once, at start-up)."""
    pre_save.connect(_before_save, dispatch_uid="keyholder.core.lengths")
