"""The installable field app's pages: the shell (one page for the whole app), its service
worker and its web app manifest (docs/field-app.md). The data come from the sync API."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from keyholder.accounts.access import require_user
from keyholder.field import shell as app_shell

# The placeholder workbox-precaching reads its list from; the view puts the list in its place.
MANIFEST_PLACEHOLDER = "self.__WB_MANIFEST"


# The shell and the worker are compressed like the static files (a 2G link); the CSRF token in
# the shell is masked anew on every response, so compression does not reveal it (BREACH).
@require_GET
@gzip_page
@never_cache
@login_required
def shell(request: HttpRequest) -> HttpResponse:
    user = require_user(request.user)
    config = app_shell.config(user)
    # The app reads the csrftoken cookie when it sends; this is its fallback.
    config["csrf"] = get_token(request)
    return render(
        request,
        "field/shell.html",
        {
            "config": config,
            "script": app_shell.versioned(app_shell.SCRIPT),
            "style": app_shell.versioned(app_shell.STYLE),
            "icon": app_shell.versioned(app_shell.ICONS[0]),
        },
    )


@require_GET
@gzip_page
def worker(request: HttpRequest) -> HttpResponse:
    """The service worker, with the list of what it precaches put in by the server (so the
    addresses follow the static files' storage) and never cached by the browser itself."""
    source = app_shell.worker_source().replace(
        MANIFEST_PLACEHOLDER, json.dumps(app_shell.precache_entries()), 1
    )
    response = HttpResponse(source, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/field/"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest, named in the language of the request (Tajik by default)."""
    response = JsonResponse(
        {
            "name": _("Keyholder: field app"),
            "short_name": _("Keyholder"),
            "description": _("Houses, visits and the village registry, offline."),
            "lang": (get_language() or "tg")[:2],
            "start_url": "/field/",
            "scope": "/field/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#2f5d50",
            "icons": [
                {
                    "src": static(app_shell.ICONS[0]),
                    "sizes": "any",
                    "type": "image/svg+xml",
                },
                {"src": static(app_shell.ICONS[1]), "sizes": "192x192", "type": "image/png"},
                {
                    "src": static(app_shell.ICONS[2]),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "any maskable",
                },
            ],
        },
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )
    response["Vary"] = "Cookie, Accept-Language"
    return response
