"""The pages' middleware: their language, and the audit of the pages refused to a user.

``LocaleMiddleware``: the visitor's choice from the switch, otherwise Tajik.

Django's LocaleMiddleware would follow the browser's Accept-Language, and most phones in
Tajikistan are set to Russian or English: the pages would then almost never open in Tajik, the
default the project promises. Pages therefore use the language cookie set by the switch, else the language a signed-in user
chose in their settings, else Tajik.
The JSON API keeps Django's behaviour, so clients pick the language of error messages with
Accept-Language.

``RefusalAuditMiddleware``: a 404 or 403 page answered to a signed-in user is an audit row
(docs/audit.md).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation

from keyholder.accounts.services import audit_refusal
from keyholder.core.errors import Code

API_PREFIX = "/api/"


class LocaleMiddleware(DjangoLocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith(API_PREFIX):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not chosen:
            # This middleware runs after AuthenticationMiddleware, so the user is known here.
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                chosen = getattr(user, "language", "")
        chosen = chosen or settings.LANGUAGE_CODE
        try:
            language = translation.get_supported_language_variant(chosen)
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RefusalAuditMiddleware:
    """Writes a page refused to a signed-in user to the audit log: the 404 an outsider gets for
    a record outside their area, and the 403 of a role that may not do what it asked.

    Views end such requests by raising ``Http404`` or ``PermissionDenied``
    (``keyholder.core.pages``); Django turns them into the 404 and 403 pages after this hook.
    The JSON API answers its refusals itself and audits them in ``keyholder/api.py``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, Http404 | PermissionDenied):
            audit_refusal(
                getattr(request, "user", None),
                method=request.method or "",
                path=request.path,
                status=404 if isinstance(exception, Http404) else 403,
                code=Code.NOT_FOUND if isinstance(exception, Http404) else Code.AUTH_FORBIDDEN,
                via="page",
            )
