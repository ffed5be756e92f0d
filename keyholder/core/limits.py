"""Requests too large, too many fields, a busy database: a catalogued 4xx or 503, never a 500.

Django raises ``RequestDataTooBig`` (a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``),
``TooManyFieldsSent`` (over ``DATA_UPLOAD_MAX_NUMBER_FIELDS``) and, on SQLite, ``OperationalError:
database is locked`` when a write waited longer than the busy timeout. ``error_for`` names the
catalogue's answer to each; the API's exception handlers (keyholder/api.py) and
``LimitsMiddleware`` for the pages use it. ``LimitedUploadHandler`` counts the bytes of each
uploaded file while they are read and stops at ``MAX_UPLOAD_BYTES``, so a 400 MB upload is
refused after 25 MB, not read whole first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.files.uploadhandler import FileUploadHandler
from django.db import DataError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape

from keyholder.core.errors import Code, ServiceError

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait before sending again after a "busy" answer.
RETRY_AFTER_SECONDS = 5


class UploadTooLarge(RequestDataTooBig):
    """An uploaded file passed ``MAX_UPLOAD_BYTES`` while it was being read."""


def error_for(exc: BaseException) -> ServiceError | None:
    """The catalogue's answer to an exception of the request's size or the database's lock,
    or a ``ServiceError`` no view caught (a text too long, refused before it was saved)."""
    if isinstance(exc, ServiceError):
        return exc
    if isinstance(exc, RequestDataTooBig):
        return ServiceError(Code.REQUEST_TOO_LARGE)
    if isinstance(exc, TooManyFieldsSent):
        return ServiceError(Code.REQUEST_TOO_MANY_FIELDS)
    if isinstance(exc, DataError) and "too long" in str(exc).lower():
        # PostgreSQL's "value too long for type character varying(n)": a text no check before
        # the database caught (core/lengths.py). The transaction was rolled back whole.
        logger.warning("text too long for its column: %s", exc)
        return ServiceError(Code.TEXT_TOO_LONG_SOMEWHERE)
    if isinstance(exc, OperationalError) and "locked" in str(exc).lower():
        logger.warning("database busy: %s", exc)
        return ServiceError(Code.BUSY)
    return None


def with_retry_after(response: HttpResponse, error: ServiceError) -> HttpResponse:
    if error.code == Code.BUSY:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class LimitedUploadHandler(FileUploadHandler):
    """First of ``FILE_UPLOAD_HANDLERS``: passes the data on, counting, and stops at the limit."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit: int = settings.MAX_UPLOAD_BYTES
        self.received = 0

    def handle_raw_input(
        self,
        input_data: Any,
        META: Any,
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        # A declared length far over the limit is refused before a byte is read. One file of
        # the limit plus the form's other fields fit within the limit and a megabyte.
        if content_length and content_length > self.limit + 1024 * 1024:
            raise UploadTooLarge("The upload is larger than the limit.")

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            raise UploadTooLarge("The upload is larger than the limit.")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class LimitsMiddleware:
    """The pages' answer to a request too large or a busy database (the API has its own)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        error = error_for(exc)
        if error is None:
            return None
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(error.as_dict(), status=error.status)
        else:
            response = HttpResponse(
                f"<!doctype html><title>{error.status}</title><p>{escape(error.message)}</p>",
                status=error.status,
            )
        return with_retry_after(response, error)
