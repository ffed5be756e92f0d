"""The pages' language: the visitor's choice from the switch, otherwise Tajik.

Django's LocaleMiddleware would follow the browser's Accept-Language, and most phones in
Tajikistan are set to Russian or English: the pages would then almost never open in Tajik, the
default the project promises. Pages therefore use the language cookie set by the switch, else the language a signed-in user
chose in their settings, else Tajik.
The JSON API keeps Django's behaviour, so clients pick the language of error messages with
Accept-Language.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation

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
