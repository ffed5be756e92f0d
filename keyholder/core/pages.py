"""How a page answers a refusal from a service: the one rule every app's views follow.

A service raises ``ServiceError`` with the catalogue's status. On a page, *not found* (404)
and *not allowed* (401, 403) end the request as Django's 404 and 403 pages (an outsider must
not learn that a record exists); anything else is the user's to fix, so it is shown beside the
form field it names, or above the form when the field is not on it.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404

from keyholder.core.errors import ServiceError

T = TypeVar("T")


def raise_for_page(exc: ServiceError, *, shown: Container[str] = ()) -> None:
    """Raise Django's 404 or 403 for a refusal a page cannot show beside a field.

    ``shown`` lists codes of status 401/403 that this page shows beside its form instead (for
    instance "this house is not in your village", which the user can correct).
    """
    if exc.status == 404:
        raise Http404(exc.message) from exc
    if exc.status in (401, 403) and exc.code not in shown:
        raise PermissionDenied(exc.message) from exc


def show_refusal(
    form: Form,
    exc: ServiceError,
    *,
    fields: dict[str, str] | None = None,
    shown: Container[str] = (),
) -> None:
    """Put a service's refusal on ``form`` (or end the request as 404/403, see above).

    ``fields`` renames the services' field names to the form's (an account form's "places"
    holds what the services call "place").
    """
    raise_for_page(exc, shown=shown)
    name = (fields or {}).get(exc.field or "", exc.field)
    form.add_error(name if name in form.fields else None, exc.message)


def or_404(getter: Callable[..., T], *args: Any) -> T:
    """Call an access function; its *not found* becomes the page's 404."""
    try:
        return getter(*args)
    except ServiceError as exc:
        raise Http404(exc.message) from exc
