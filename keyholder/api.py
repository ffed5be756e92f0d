"""The JSON API v1: one NinjaAPI, with a router from each app.

Errors always answer ``{"code", "message"}`` from the catalogue in ``keyholder.core.errors``, in the
request's language; no traceback ever reaches a client.
"""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import DataError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth

from keyholder.accounts.services import audit_refusal, user_for_token
from keyholder.core.api import BearerToken
from keyholder.core.errors import Code, ServiceError
from keyholder.core.limits import error_for, with_retry_after
from keyholder.openapi import install as install_openapi_fixes

logger = logging.getLogger(__name__)


api = NinjaAPI(
    title="keyholder",
    version="1",
    urls_namespace="api",
    # Pages calling the API from the browser use their session (with Django's CSRF check).
    auth=[BearerToken(user_for_token), django_auth],
    docs_url="/docs",
)


def error_response(request: HttpRequest, error: ServiceError) -> HttpResponse:
    response = api.create_response(request, error.as_dict(), status=error.status)
    if "retry_after" in error.params:
        # A throttled sign-in (auth.throttled) says when to try again.
        response["Retry-After"] = str(error.params["retry_after"])
    return response


def refused(request: HttpRequest, error: ServiceError) -> HttpResponse:
    """A 404 (outside the user's area) or 403 (not for the role), written to the audit log."""
    if error.status in (403, 404):
        audit_refusal(
            getattr(request, "user", None),
            method=request.method or "",
            path=request.path,
            status=error.status,
            code=error.code,
            via="api",
        )
    return error_response(request, error)


@api.exception_handler(ServiceError)
def on_service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return refused(request, exc)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, ServiceError(Code.AUTH_REQUIRED))


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = []
    field = None
    for item in exc.errors:
        loc = [str(p) for p in item.get("loc", []) if p not in ("body", "query", "path", "payload")]
        if loc and field is None:
            field = ".".join(loc)
        details.append(f"{'.'.join(loc) or _('request')}: {item.get('msg', '')}")
    return error_response(
        request, ServiceError(Code.INVALID, field=field, detail="; ".join(details))
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {401: Code.AUTH_REQUIRED, 403: Code.AUTH_FORBIDDEN, 404: Code.NOT_FOUND}.get(
        exc.status_code
    )
    if code:
        return refused(request, ServiceError(code))
    return error_response(request, ServiceError(Code.INVALID, detail=str(exc)))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return refused(request, ServiceError(Code.NOT_FOUND))


@api.exception_handler(RequestDataTooBig)
@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(OperationalError)
@api.exception_handler(DataError)
def on_limit_or_busy(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A body or an upload over the limit: 413; too many fields: 400; SQLite's "database is
    # locked" after the busy timeout: 503 with Retry-After; PostgreSQL's text too long for its
    # column: 400. Anything else is unexpected.
    error = error_for(exc)
    if error is None:
        return on_unexpected_error(request, exc)
    return with_retry_after(error_response(request, error), error)


@api.exception_handler(MultiPartParserError)
def on_unreadable_body(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    # A multipart body the parser cannot read (no boundary, a broken part) is the client's.
    return error_response(
        request, ServiceError(Code.INVALID, detail=_("the multipart body cannot be read"))
    )


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Logged with its traceback for us; the client gets the catalogue's answer only.
    logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(request, ServiceError(Code.INTERNAL))


def api_path_not_found(request: HttpRequest) -> HttpResponse:
    """An address under /api/ that no endpoint has (a plain Django view, routed after the API)."""
    return error_response(request, ServiceError(Code.NOT_FOUND))


def _register_routers() -> None:
    from keyholder.accounts.api import router as accounts_router
    from keyholder.indicators.api import router as indicators_router
    from keyholder.keeping.api import router as keeping_router
    from keyholder.places.api import router as places_router
    from keyholder.registry.api import router as registry_router

    api.add_router("/", accounts_router)
    api.add_router("/", places_router)
    api.add_router("/", registry_router)
    api.add_router("/", keeping_router)
    api.add_router("/", indicators_router)
    from keyholder.indicators.api_exports import router as indicator_exports_router

    api.add_router("/", indicator_exports_router)
    from keyholder.migrant.api import router as migrant_router

    api.add_router("/", migrant_router)
    from keyholder.field.api import router as field_router

    api.add_router("/sync/", field_router)


_register_routers()

# Optional authentication, binary media types and servers in the OpenAPI document.
install_openapi_fixes(api)
