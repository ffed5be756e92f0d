"""Plumbing shared by every API router: response maps, the page answer, bearer tokens.

Nothing here knows the apps: the user behind a token is found by a resolver the caller passes
(``keyholder.accounts.services.user_for_token``), so the floor stays below the apps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from django.http import HttpRequest
from ninja import Schema
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from pydantic import WithJsonSchema

from keyholder.core.errors import Code, ErrorOut, ServiceError
from keyholder.core.pagination import Page

T = TypeVar("T")

# What the OpenAPI document says of text the code parses itself, so that what the schema admits
# is what the code accepts (schemathesis's positive_data_acceptance holds the API to it):
# ``Field(..., json_schema_extra=DATE_TEXT)`` for a day as YYYY-MM-DD, ``one_of(values)`` for a
# word from a fixed list, ``PLACE_CODE`` for a place's code.
DATE_TEXT: dict[str, Any] = {"format": "date"}
PLACE_CODE: dict[str, Any] = {"pattern": "^[A-Za-z0-9-]+$"}
# The characters stored text may not hold (``core.text.CONTROL_CHARACTERS``: C0 controls but
# tab, line feed and carriage return, and DEL), as a JSON Schema (ECMA 262) character class.
CONTROL_CLASS = r"\x00-\x08\x0B\x0C\x0E-\x1F\x7F"
# Text without them (``openapi.finish`` gives it to every free text a request body takes).
PLAIN_TEXT: dict[str, Any] = {"pattern": rf"^[^{CONTROL_CLASS}]*$"}
# Text that must say something: at least one character that is not a space (and no control).
SOME_TEXT: dict[str, Any] = {
    "pattern": rf"^[^{CONTROL_CLASS}]*[^\s{CONTROL_CLASS}][^{CONTROL_CLASS}]*$"
}
# A month as YYYY-MM, of the years the indicators count (1900 to 2199).
MONTH_TEXT: dict[str, Any] = {"pattern": "^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])$"}


def one_of(values: Iterable[str]) -> dict[str, Any]:
    return {"enum": [str(value) for value in values]}


def _decimal(whole: int, places: int) -> Any:
    """A decimal the database's ``DecimalField(max_digits=whole + places)`` holds, as the
    schema admits it: a whole number or text of digits with at most ``places`` decimals."""
    return WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": 10**whole - 1},
                {"type": "string", "pattern": rf"^[0-9]{{1,{whole}}}(\.[0-9]{{1,{places}}})?$"},
            ]
        }
    )


# An amount of money (``DecimalField(max_digits=12, decimal_places=2)``) and an exchange rate.
Money = Annotated[Decimal, _decimal(10, 2)]
Rate = Annotated[Decimal, _decimal(8, 6)]
# A number of an official figure (``DecimalField(max_digits=16, decimal_places=4)``).
Figure = Annotated[Decimal, _decimal(12, 4)]


# The error answers of an endpoint, for the OpenAPI document: a read may refuse its input,
# a missing sign-in or something not found; a write may also be forbidden or conflict.
READ: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut}
WRITE: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
}


def page_of(result: Page[Any], results: list[T]) -> Page[T]:
    """The page ``result`` with other items made from its rows, keeping its count and cursor.

    A list whose items need something the rows do not carry (a person's status on a date)
    answers this; any other list answers the ``Page`` that ``paginate`` returns as it is.
    """
    return Page(count=result.count, next=result.next, results=results)


TokenResolver = Callable[[str], Any]


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; None when none is sent."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


class BearerToken(HttpBearer):
    """API authentication by bearer token: the user ``resolve`` finds, or None to try the next."""

    def __init__(self, resolve: TokenResolver) -> None:
        super().__init__()
        self.resolve = resolve

    def __call__(self, request: HttpRequest) -> Any:
        token = bearer_token(request)
        if token is None:
            return None
        user = self.authenticate(request, token)
        if user is None:
            # A token sent but expired or revoked is 401 auth.required on every endpoint, reads
            # and writes, rather than falling through to the session check (whose CSRF refusal
            # would answer 403 on a write).
            raise AuthenticationError()
        return user

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = self.resolve(token)
        if user is None:
            return None
        request.user = user
        return user


def token_or_session_user(request: HttpRequest, resolve: TokenResolver) -> Any:
    """The user of a bearer token, else of the session (possibly the anonymous visitor).

    For endpoints open to anonymous visitors. A token that is sent but not valid is refused
    rather than read as anonymous, so that a client with an expired token learns it instead of
    silently getting what anyone gets.
    """
    token = bearer_token(request)
    if token is None:
        return request.user
    user = BearerToken(resolve).authenticate(request, token)
    if user is None:
        raise ServiceError(Code.AUTH_REQUIRED)
    return user
