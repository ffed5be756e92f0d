"""The dashboard page of a place and its downloads. Open to anonymous visitors (public
figures: suppressed and rounded); signed-in readers get exact figures within their area and
"not found" for any other place. Views stay thin: ``dashboard.build`` and ``exports`` read
everything through the scoped read interface."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from keyholder.core.errors import ServiceError
from keyholder.core.pages import or_404, raise_for_page, show_refusal
from keyholder.indicators import catalogue, exports
from keyholder.indicators import dashboard as pages
from keyholder.indicators.access import indicator_place, may_enter_official_figures
from keyholder.indicators.dashboard import LAYERS
from keyholder.indicators.forms import OfficialFigureForm, indicator_choices
from keyholder.indicators.services import do_add_official_figure
from keyholder.places.models import OfficialFigure


def _refuse(exc: ServiceError) -> HttpResponse:
    raise_for_page(exc)
    return HttpResponseBadRequest(exc.message, content_type="text/plain; charset=utf-8")


@require_GET
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    try:
        context = pages.build(
            request.user,
            code,
            request.GET.get("month") or None,
            request.GET.get("series") or None,
            request.GET.get("dimension") or "",
        )
    except ServiceError as exc:
        return _refuse(exc)
    layer = request.GET.get("map", LAYERS[0])
    context["layer"] = layer if layer in LAYERS else LAYERS[0]
    context["export_formats"] = exports.FORMATS
    context["export_indicators"] = list(catalogue.CATALOGUE.values())
    context["export_default"] = exports.DEFAULT_INDICATORS
    context["may_enter"] = may_enter_official_figures(request.user, context["place"])
    return render(request, "indicators/dashboard.html", context)


@require_http_methods(["GET", "POST"])
def official_figure(request: HttpRequest, code: str) -> HttpResponse:
    """Enter an official figure (officers within their area, administrators), with the
    place's figures entered so far, newest first."""
    view = or_404(indicator_place, request.user, code)
    if not may_enter_official_figures(request.user, view.place):
        raise PermissionDenied
    form = OfficialFigureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_add_official_figure(
                actor=request.user,
                place=view.place,
                indicator=data["indicator"],
                value=data["value"],
                as_of=data["as_of"],
                source=data["source"],
                qualifier=data["qualifier"],
                source_url=data["source_url"],
                note=data["note"],
            )
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            url = reverse("indicators:dashboard", args=[view.place.code])
            return redirect(f"{url}#official")
    history = (
        OfficialFigure.objects.filter(place=view.place)
        .select_related("entered_by")
        .order_by("-created_at", "-pk")
    )
    labels = dict(indicator_choices())
    return render(
        request,
        "indicators/official_form.html",
        {
            "place": view.place,
            "form": form,
            "history": [(f, labels.get(f.indicator, f.indicator)) for f in history],
        },
    )


@require_GET
def export(request: HttpRequest, code: str) -> HttpResponseBase:
    try:
        return exports.response(request.user, code, request.GET)
    except ServiceError as exc:
        return _refuse(exc)
