from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest


def language_next(request: HttpRequest) -> str:
    """Where the language switch returns to: this page, or for a page answering a POST (a
    form shown again with its errors) the page the form was on, since the POST-only address
    cannot be opened again."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    if referer.path and (not referer.netloc or referer.netloc == request.get_host()):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return "/"


def home_place_code(request: HttpRequest) -> str:
    """The code of the place at the top of the user's area ("TJ" when there is none)."""
    from keyholder.accounts.access import home_place

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "TJ"
    place = home_place(user)
    return place.code if place is not None else "TJ"


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "LANGUAGE_CHOICES": settings.LANGUAGES,
        "LANGUAGE_NEXT": language_next(request),
        # A callable: templates call it only on the pages that show the link.
        "home_place_code": lambda: home_place_code(request),
    }
