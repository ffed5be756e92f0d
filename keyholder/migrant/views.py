"""The migrant's pages. Each reads only the signed-in user's own calendar (``access.py``):
anyone else, whatever their role, gets 404."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keyholder.core.errors import ServiceError
from keyholder.core.pages import or_404, show_refusal
from keyholder.migrant import access, forms, services
from keyholder.migrant.ical import migrant_calendar
from keyholder.migrant.labels import CONFIDENCE_LABELS, RULE_TITLES, UNIT_LABELS
from keyholder.migrant.models import DocumentKind, PatentRegion
from keyholder.migrant.present import shown_deadlines, shown_flags
from keyholder.migrant.record import assessment_of, facts_of, load
from keyholder.migrant.rules import rules as load_rules


def rules_page(request: HttpRequest) -> HttpResponse:
    """Public: the rules in force on a date, with sources and confidence."""
    form = forms.RulesDateForm(request.GET or {"on": timezone.localdate().isoformat()})
    on = form.cleaned_data["on"] if form.is_valid() else timezone.localdate()
    ruleset = load_rules()
    rows = [
        {
            "rule": rule,
            "title": RULE_TITLES.get(rule.id, rule.id),
            "unit": UNIT_LABELS.get(rule.unit, rule.unit),
            "confidence": CONFIDENCE_LABELS.get(rule.confidence, rule.confidence),
            "disputed": rule.id in ruleset.disputed(),
        }
        for rule in ruleset.in_force(on)
    ]
    return render(
        request,
        "migrant/rules.html",
        {"form": form, "on": on, "rows": rows, "places": ruleset.places},
    )


def join(request: HttpRequest) -> HttpResponse:
    """Self-registration with an email address or a phone number."""
    if request.user.is_authenticated:
        return redirect("migrant:home")
    form = forms.JoinForm(request.POST or None, initial={"language": "tg"})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.do_join(**form.cleaned_data)
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("migrant:home")
    return render(request, "migrant/join.html", {"form": form})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if not access.may_keep_calendar(request.user):
        raise Http404
    try:
        profile = access.profile_of(request.user)
    except ServiceError:
        return render(request, "migrant/start.html", {})
    today = timezone.localdate()
    assessment = assessment_of(profile, today)
    return render(
        request,
        "migrant/home.html",
        {
            "today": today,
            "counter": assessment.counter,
            "deadlines": shown_deadlines(assessment),
            "flags": shown_flags(assessment),
            "uncovered": assessment.uncovered_years,
        },
    )


@login_required
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    or_404(lambda: services.do_turn_on(actor=request.user))
    return redirect("migrant:home")


FORMS: dict[str, Any] = {
    "trip": forms.TripForm,
    "registration": forms.RegistrationForm,
    "patent": forms.PatentForm,
    "payment": forms.PaymentForm,
    "document": forms.DocumentForm,
}


def _blank_forms(patents: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        name: (cls(patents=patents) if name == "payment" else cls()) for name, cls in FORMS.items()
    }


def _add(kind: str, actor: Any, data: dict[str, Any]) -> None:
    if kind == "trip":
        services.do_add_trip(actor=actor, **data)
    elif kind == "registration":
        services.do_add_registration(actor=actor, **data)
    elif kind == "patent":
        services.do_add_patent(actor=actor, **data)
    elif kind == "payment":
        services.do_add_payment(
            actor=actor,
            patent_id=data["patent"],
            paid_on=data["paid_on"],
            months=data["months"],
            amount=data["amount"],
        )
    else:
        services.do_add_document(actor=actor, **data)


@login_required
def record(request: HttpRequest) -> HttpResponse:
    profile = or_404(access.profile_of, request.user)
    items = load(profile)
    patents = [
        (
            str(p.pk),
            f"{PatentRegion(p.region).label if p.region in PatentRegion.values else p.region}, {p.issued_on:%d.%m.%Y}",
        )
        for p in items["patents"]
    ]
    blank = _blank_forms(patents)
    if request.method == "POST":
        kind = request.POST.get("form", "")
        if kind not in FORMS:
            raise Http404
        cls = FORMS[kind]
        form = cls(request.POST, patents=patents) if kind == "payment" else cls(request.POST)
        blank[kind] = form
        if form.is_valid():
            try:
                _add(kind, request.user, form.cleaned_data)
            except ServiceError as exc:
                show_refusal(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(reverse("migrant:record") + f"#{kind}")
    facts = facts_of(items)
    return render(
        request,
        "migrant/record.html",
        {
            "items": items,
            "forms": blank,
            "kinds": dict(DocumentKind.choices),
            "regions": dict(PatentRegion.choices),
            "facts": facts,
            "exit_form": forms.ExitForm(),
        },
    )


@login_required
@require_POST
def set_exit(request: HttpRequest, trip_id: Any) -> HttpResponse:
    or_404(access.profile_of, request.user)
    form = forms.ExitForm(request.POST)
    if form.is_valid():
        try:
            services.do_set_exit(
                actor=request.user, trip_id=trip_id, exited_on=form.cleaned_data["exited_on"]
            )
        except ServiceError as exc:
            if exc.status == 404:
                raise Http404 from exc
            messages.error(request, exc.message)
    return redirect(reverse("migrant:record") + "#trip")


@login_required
@require_POST
def delete_item(request: HttpRequest, kind: str, item_id: Any) -> HttpResponse:
    or_404(lambda: services.do_delete_item(actor=request.user, kind=kind, item_id=item_id))
    messages.success(request, _("Deleted."))
    return redirect(reverse("migrant:record") + f"#{kind}")


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    profile = or_404(access.profile_of, request.user)
    feed_url = None
    form = forms.SettingsForm(initial={"detailed_reminders": profile.detailed_reminders})
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "renew":
            token = services.do_renew_feed(actor=request.user)
            feed_url = request.build_absolute_uri(reverse("migrant:calendar_feed", args=[token]))
        elif action == "stop":
            services.do_stop_feed(actor=request.user)
            messages.success(request, _("The calendar address no longer works."))
            return redirect("migrant:settings")
        else:
            form = forms.SettingsForm(request.POST)
            if form.is_valid():
                services.do_update_settings(
                    actor=request.user,
                    detailed_reminders=form.cleaned_data["detailed_reminders"],
                )
                messages.success(request, _("Saved."))
                return redirect("migrant:settings")
        profile.refresh_from_db()
    return render(
        request,
        "migrant/settings.html",
        {"form": form, "profile": profile, "feed_url": feed_url},
    )


@login_required
def export(request: HttpRequest) -> HttpResponse:
    data = or_404(lambda: services.do_export(actor=request.user))
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    name = f"keyholder-migrant-{dt.date.today():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def delete_all(request: HttpRequest) -> HttpResponse:
    or_404(access.profile_of, request.user)
    if request.method == "POST" and request.POST.get("confirm") == "delete":
        account_gone = services.do_delete_all(actor=request.user)
        if account_gone:
            logout(request)
            return render(request, "migrant/deleted.html", {"account_gone": True})
        return render(request, "migrant/deleted.html", {"account_gone": False})
    return render(request, "migrant/delete.html", {})


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    profile = or_404(access.profile_by_feed_token, token)
    return HttpResponse(migrant_calendar(profile), content_type="text/calendar; charset=utf-8")
