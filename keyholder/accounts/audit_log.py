"""Reading the audit log: who may see which rows, and the search of the audit page and API.

- administrator: every row;
- officer: the rows written by the other accounts of their area (enumerators and keyholders
  of its villages, officers of the areas inside it, owners whose household lives in it). Not
  their own: nobody audits themselves, a region's officer or an administrator reviews them.
  Rows without a user (failed sign-ins of unknown or mistyped accounts, system jobs) and rows
  by administrators or by accounts elsewhere are for administrators only;
- everyone else: nothing (the page answers 404, the API 404).

The rule follows *who acted*, not *whose record*: a row stays where its actor was, so an
officer reviews what the people of their area read and did, including their reads of records
outside it that were refused. Reading the audit log is itself written to it (``audit_list``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from keyholder.accounts.access import area_q, is_authenticated
from keyholder.accounts.models import AuditLog, Role, User
from keyholder.core.errors import Code, ServiceError
from keyholder.places.models import Place

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def may_read_audit(user: Any) -> bool:
    if not is_authenticated(user):
        return False
    return bool(user.is_admin or user.role == Role.OFFICER)


def audit_rows_for(user: Any) -> QuerySet[AuditLog]:
    """The audit rows ``user`` may read (see the module's docstring)."""
    rows = AuditLog.objects.select_related("user")
    if not may_read_audit(user):
        return rows.none()
    assert isinstance(user, User)
    if user.is_admin:
        return rows.all()
    area = Place.objects.filter(area_q(user)).values("pk")
    in_area = User.objects.filter(Q(places__in=area) | Q(household__village__in=area)).values("pk")
    return rows.filter(user__in=in_area).exclude(user=user)


@dataclass(frozen=True)
class AuditSearch:
    """The audit page's and API's search: every part optional, all of them together."""

    user: str = ""
    action: str = ""
    object_id: str = ""
    since: str = ""
    until: str = ""

    def as_filter(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def _day(value: str, field: str) -> dt.datetime | None:
    """The start of a day (YYYY-MM-DD) in the site's time zone, or None when empty."""
    if not value:
        return None
    try:
        if not _DATE.fullmatch(value):
            raise ValueError(value)
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ServiceError(Code.INVALID_DATE, field=field, value=value) from exc
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def search(rows: QuerySet[AuditLog], query: AuditSearch) -> QuerySet[AuditLog]:
    """Narrow ``rows`` to the search; a malformed date or an unknown action is a 400 code.

    An object id matches a row about that record and every list that showed it (an exact
    token of the space-separated ``object_ids``, not a substring).
    """
    username = query.user.strip()
    if username:
        rows = rows.filter(user__username__iexact=username)
    if query.action:
        if query.action not in AuditLog.Action.values:
            raise ServiceError(Code.INVALID_FIELD, field="action", detail=query.action)
        rows = rows.filter(action=query.action)
    object_id = query.object_id.strip().lower()
    if object_id:
        rows = rows.filter(
            Q(object_id__iexact=object_id)
            | Q(object_ids=object_id)
            | Q(object_ids__startswith=object_id + " ")
            | Q(object_ids__endswith=" " + object_id)
            | Q(object_ids__contains=f" {object_id} ")
        )
    since = _day(query.since, "since")
    if since is not None:
        rows = rows.filter(at__gte=since)
    until = _day(query.until, "until")
    if until is not None:
        # The whole of the last day.
        rows = rows.filter(at__lt=until + dt.timedelta(days=1))
    return rows
