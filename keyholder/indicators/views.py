"""The dashboard page of a place and its downloads. Open to anonymous visitors (public
figures: suppressed and rounded); signed-in readers get exact figures within their area and
"not found" for any other place. Views stay thin: ``dashboard.build`` and ``exports`` read
everything through the scoped read interface."""

from __future__ import annotations

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
)
from django.shortcuts import render
from django.views.decorators.http import require_GET

from keyholder.core.errors import ServiceError
from keyholder.core.pages import raise_for_page
from keyholder.indicators import catalogue, exports
from keyholder.indicators import dashboard as pages
from keyholder.indicators.dashboard import LAYERS


def _refuse(exc: ServiceError) -> HttpResponse:
    raise_for_page(exc)
    return HttpResponseBadRequest(exc.message, content_type="text/plain; charset=utf-8")


@require_GET
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    try:
        context = pages.build(request.user, code, request.GET.get("month") or None)
    except ServiceError as exc:
        return _refuse(exc)
    layer = request.GET.get("map", LAYERS[0])
    context["layer"] = layer if layer in LAYERS else LAYERS[0]
    context["export_formats"] = exports.FORMATS
    context["export_indicators"] = list(catalogue.CATALOGUE.values())
    context["export_default"] = exports.DEFAULT_INDICATORS
    return render(request, "indicators/dashboard.html", context)


@require_GET
def export(request: HttpRequest, code: str) -> HttpResponseBase:
    try:
        return exports.response(request.user, code, request.GET)
    except ServiceError as exc:
        return _refuse(exc)
