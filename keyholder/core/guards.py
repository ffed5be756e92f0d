"""Values every database accepts: checked on each save of the models of a guarded app.

SQLite stores any length and any integer up to 2^63, so a value PostgreSQL would refuse with an
error (a 500) passed every check on the demo: a name longer than its column, a garden of 2^40
square metres, a NUL byte, an amount with more digits than its column. ``guard_models`` checks
each concrete field of an app's models before it is saved (``pre_save``) and refuses such a
value with a catalogued code naming the field. Bulk writes (``bulk_create``, ``update``) bypass
signals: their callers check with ``check_instance`` themselves.
"""

from __future__ import annotations

import decimal
from typing import Any

from django.apps import AppConfig
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models.signals import pre_save
from django.utils.translation import gettext as _

from keyholder.core.errors import Code, ServiceError
from keyholder.core.text import check_text

# PostgreSQL's ranges, which Django's base operations state for every backend.
INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges


def check_value(field: models.Field[Any, Any], value: Any) -> None:
    """Refuse ``value`` for ``field`` if a database would refuse it."""
    if value is None:
        return
    if isinstance(field, models.CharField | models.TextField) and isinstance(value, str):
        check_text(field.name, value)
        if field.max_length is not None and len(value) > field.max_length:
            raise ServiceError(
                Code.INVALID_FIELD,
                field=field.name,
                detail=_("it is longer than %(max)s characters.") % {"max": field.max_length},
            )
    elif isinstance(field, models.IntegerField) and not isinstance(field, models.AutoField):
        bounds = INTEGER_RANGES.get(field.get_internal_type())
        if bounds is not None and isinstance(value, int) and not bounds[0] <= value <= bounds[1]:
            low, high = bounds
            raise ServiceError(
                Code.INVALID_FIELD,
                field=field.name,
                detail=_("it must be a whole number from %(min)s to %(max)s.")
                % {"min": low, "max": high},
            )
    elif isinstance(field, models.DecimalField) and field.max_digits is not None:
        try:
            number = decimal.Decimal(str(value))
        except decimal.InvalidOperation:
            return
        whole = field.max_digits - (field.decimal_places or 0)
        if not number.is_finite() or abs(number) >= decimal.Decimal(10) ** whole:
            raise ServiceError(
                Code.INVALID_FIELD,
                field=field.name,
                detail=_("it must be less than %(max)s.") % {"max": 10**whole},
            )


def check_instance(instance: models.Model) -> None:
    for field in instance._meta.concrete_fields:
        check_value(field, getattr(instance, field.attname, None))


def _on_pre_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    check_instance(instance)


def guard_models(app: AppConfig) -> None:
    """Check every save of ``app``'s models (called from the app's ``ready``)."""
    for model in app.get_models():
        pre_save.connect(
            _on_pre_save, sender=model, dispatch_uid=f"guard:{model._meta.label}", weak=False
        )
