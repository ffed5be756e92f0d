"""Writes of the indicators app: official figures entered by officers and administrators."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from keyholder.accounts.access import is_authenticated
from keyholder.accounts.models import AuditLog
from keyholder.accounts.services import audit
from keyholder.core.errors import Code, ServiceError
from keyholder.indicators.access import may_enter_official_figures
from keyholder.places.models import OfficialFigure, Place

INDICATOR_NAME = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


def _text(value: str, field: str, max_length: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(Code.INVALID_FIELD, field=field, detail="empty")
    if len(value) > max_length:
        raise ServiceError(Code.INVALID_FIELD, field=field, detail=f"> {max_length}")
    return value


def _value(raw: Any) -> Decimal:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError) as exc:
        raise ServiceError(Code.INVALID_FIELD, field="value", detail=str(raw)) from exc
    if not value.is_finite() or value < 0 or value >= Decimal(10) ** 12:
        raise ServiceError(Code.INVALID_FIELD, field="value", detail=str(raw))
    return value.quantize(Decimal("0.0001"))


def do_add_official_figure(
    *,
    actor: Any,
    place: Place,
    indicator: str,
    value: Any,
    as_of: dt.date,
    source: str,
    qualifier: str = "",
    unit: str = "",
    period: str = "",
    source_url: str = "",
    reported_by: str = "",
    note: str = "",
) -> OfficialFigure:
    """Record a published figure with its source. Officers within their area and admins."""
    if not is_authenticated(actor):
        raise ServiceError(Code.AUTH_REQUIRED)
    if not may_enter_official_figures(actor, place):
        if actor.is_admin or actor.role == "officer":
            raise ServiceError(Code.OUT_OF_SCOPE)
        raise ServiceError(Code.AUTH_FORBIDDEN)
    indicator = (indicator or "").strip()
    if not INDICATOR_NAME.match(indicator):
        raise ServiceError(Code.INVALID_FIELD, field="indicator", detail=indicator)
    if as_of > timezone.localdate():
        raise ServiceError(Code.OFFICIAL_DATE_IN_FUTURE, field="as_of", value=as_of.isoformat())
    source_url = _text(source_url, "source_url", 1000)
    if source_url:
        try:
            URLValidator(schemes=["http", "https"])(source_url)
        except ValidationError as exc:
            raise ServiceError(Code.INVALID_FIELD, field="source_url", detail=source_url) from exc
    fields = {
        "place": place,
        "indicator": indicator,
        "value": _value(value),
        "as_of": as_of,
        "source": _text(source, "source", 500, required=True),
        "qualifier": _text(qualifier, "qualifier", 32),
        "unit": _text(unit, "unit", 32),
        "period": _text(period, "period", 32),
        "source_url": source_url,
        "reported_by": _text(reported_by, "reported_by", 500),
        "note": (note or "").strip(),
    }
    try:
        with transaction.atomic():
            if OfficialFigure.objects.filter(
                place=place, indicator=indicator, as_of=as_of, source=fields["source"]
            ).exists():
                raise ServiceError(Code.OFFICIAL_DUPLICATE)
            figure = OfficialFigure.objects.create(entered_by=actor, **fields)
            audit(
                actor,
                AuditLog.Action.CREATE,
                "official_figure",
                figure.pk,
                place=place.code,
                indicator=indicator,
                as_of=as_of.isoformat(),
            )
    except IntegrityError as exc:
        # Two officers entering the same figure at once: the constraint decides.
        raise ServiceError(Code.OFFICIAL_DUPLICATE) from exc
    return figure
