"""API v1 endpoints of the accounts app: bearer tokens and the audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from keyholder.accounts import throttle
from keyholder.accounts.audit_log import AuditSearch, audit_rows_for, may_read_audit, search
from keyholder.accounts.models import AuditLog
from keyholder.accounts.services import audit_list, do_issue_token
from keyholder.core.api import DATE_TEXT, READ, one_of
from keyholder.core.errors import Code, ErrorOut, ServiceError
from keyholder.core.pagination import Page, PageQuery, paginate

router = Router(tags=["accounts"])


class Credentials(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1)


@dataclass(frozen=True)
class IssuedToken:
    token: str


class TokenOut(Schema):
    token: str = Field(..., description="Send it as `Authorization: Bearer <token>`.")


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 429: ErrorOut},
    summary="Exchange a username and password for a bearer token",
    description=(
        "After too many failed attempts for the account or from the address, answers 429 "
        "`auth.throttled` with `Retry-After` (seconds) until the window ends."
    ),
)
def issue_token(request: HttpRequest, payload: Credentials) -> IssuedToken:
    return IssuedToken(
        do_issue_token(payload.username, payload.password, throttle.address(request))
    )


# The audit log.


class AuditQuery(Schema):
    user: str = Field("", max_length=150, description="Username of the account that acted.")
    action: str = Field(
        "",
        max_length=16,
        description="One of: " + ", ".join(AuditLog.Action),
        json_schema_extra=one_of(["", *AuditLog.Action]),
    )
    object_id: str = Field(
        "", max_length=64, description="A record's id: rows about it and lists that showed it."
    )
    since: str = Field(
        "", max_length=10, description="First day, YYYY-MM-DD.", json_schema_extra=DATE_TEXT
    )
    until: str = Field(
        "", max_length=10, description="Last day, YYYY-MM-DD.", json_schema_extra=DATE_TEXT
    )


class AuditOut(Schema):
    id: int
    at: dt.datetime
    user: str | None = Field(None, description="Username; null for no account (a failed sign-in).")
    action: str
    object_type: str
    object_id: str
    object_ids: list[str] = Field(..., description="The ids a list showed (read_list rows).")
    detail: dict[str, Any]

    @staticmethod
    def resolve_user(obj: AuditLog) -> str | None:
        return obj.user.username if obj.user is not None else None

    @staticmethod
    def resolve_object_ids(obj: AuditLog) -> list[str]:
        return obj.object_ids.split()


class AuditPage(Schema):
    count: int
    next: str | None
    results: list[AuditOut]


@router.get(
    "/audit",
    response={200: AuditPage, **READ},
    summary="The audit log: administrators all of it, officers the rows of their area's accounts",
    description=(
        "Oldest first (follow `next`; narrow with `since`). Anyone else answers 404. "
        "The read is itself written to the audit log."
    ),
)
def list_audit(
    request: HttpRequest, filters: Query[AuditQuery], page: Query[PageQuery]
) -> Page[AuditLog]:
    if not may_read_audit(request.user):
        raise ServiceError(Code.NOT_FOUND)
    query = AuditSearch(**filters.dict())
    rows = search(audit_rows_for(request.user), query)
    result = paginate(rows, ("id",), page.cursor, page.limit)
    audit_list(
        request.user, "audit_log", request.GET.dict(), [r.pk for r in result.results], via="api"
    )
    return result
