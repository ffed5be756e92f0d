"""API v1 endpoints of the accounts app: bearer tokens."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from ninja import Field, Router, Schema

from keyholder.accounts import throttle
from keyholder.accounts.services import do_issue_token
from keyholder.core.errors import ErrorOut

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
