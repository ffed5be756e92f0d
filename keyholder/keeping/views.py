"""Pages of the keeping service: the keyholder's round and forms, the owner's house and reports.

Reads go through ``access`` and ``queries``, writes through ``services``. A house the user may
not see answers 404 on every page (visits, photos, ledger, reports alike); a write by someone
who may see but not keep it (an owner) answers 403.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from keyholder.accounts.models import Role
from keyholder.accounts.services import audit_list
from keyholder.core.errors import Code, ServiceError
from keyholder.core.pages import or_404, show_refusal
from keyholder.keeping import access, checklist, pending, queries, requests, services
from keyholder.keeping.forms import (
    AgreementForm,
    AskVisitForm,
    DutyForm,
    IncidentForm,
    PaymentForm,
    ResolveForm,
    SeasonForm,
    VisitForm,
    WaterTurnsForm,
)
from keyholder.keeping.ical import keyholder_calendar
from keyholder.keeping.models import (
    KeepingAgreement,
    PendingPhoto,
    TaskStatus,
)
from keyholder.keeping.reports import (
    render_owner_report_pdf,
    report_months,
)
from keyholder.keeping.visit_messages import owners_reachable
from keyholder.places.models import place_by_code

LATE_WINDOW = dt.timedelta(days=14)


def _show_refusal(form: Form, exc: ServiceError) -> None:
    # "Not in your village" is something the keyholder can correct on the form.
    show_refusal(form, exc, shown={Code.KEEPING_HOUSE_OUT_OF_SCOPE})


def _or_404(getter: Callable[..., Any], request: HttpRequest, record_id: object) -> Any:
    return or_404(getter, request.user, record_id)


def _agreement(request: HttpRequest, agreement_id: uuid.UUID) -> KeepingAgreement:
    agreement: KeepingAgreement = _or_404(access.get_agreement, request, agreement_id)
    return agreement


def _require_keeper(request: HttpRequest, agreement: KeepingAgreement) -> None:
    if not access.can_keep(request.user, agreement):
        raise PermissionDenied(_("Only the keyholder of this house records this."))


def _taken_at(value: str) -> dt.datetime | None:
    """The capture time the phone read from a photo before shrinking it (ISO), if it makes sense."""
    try:
        taken = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if timezone.is_naive(taken):
        taken = timezone.make_aware(taken)
    return taken if taken <= timezone.now() + services.CLOCK_LEEWAY else None


def _files(request: HttpRequest) -> list[tuple[bytes, dt.datetime | None]]:
    """The photos sent with a form, each with the capture time the phone sent beside it."""
    times = request.POST.getlist("taken_at")
    return [
        (f.read(), _taken_at(times[index]) if index < len(times) else None)
        for index, f in enumerate(request.FILES.getlist("photos"))
    ]


def _uploads(
    files: list[tuple[bytes, dt.datetime | None]],
    form: VisitForm | IncidentForm,
    kept: list[PendingPhoto],
) -> list[services.PhotoUpload]:
    lat, lon = form.position()
    uploads = pending.as_uploads(kept, latitude=lat, longitude=lon)
    return uploads + [
        services.PhotoUpload(
            data=data,
            # One id per photo, derived from the form's id: a resent form adds nothing twice.
            id=uuid.uuid5(form.cleaned_data["id"], f"photo-{index}"),
            latitude=lat,
            longitude=lon,
            taken_at=taken_at,
        )
        for index, (data, taken_at) in enumerate(files)
    ]


def _kept_photos(request: HttpRequest) -> list[PendingPhoto]:
    """The photos of an earlier refused sending of this form, still the user's."""
    return pending.pending_of(request.user, request.POST.getlist("pending"))  # type: ignore[arg-type]


def _keep_refused(
    request: HttpRequest, files: list[tuple[bytes, dt.datetime | None]], kept: list[PendingPhoto]
) -> list[PendingPhoto]:
    """A refused form keeps its photos: the new ones become pending, beside those kept before."""
    if not files:
        return kept
    return kept + pending.do_keep_pending(actor=request.user, files=files)  # type: ignore[arg-type]


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    role = request.user.role  # type: ignore[union-attr]
    if role == Role.KEYHOLDER:
        return redirect("keeping:today")
    if role == Role.OWNER:
        return redirect("keeping:mine")
    return redirect("keeping:summary")


@login_required
def today(request: HttpRequest) -> HttpResponse:
    day = timezone.localdate()
    groups = queries.today_round(request.user, day)
    feed = access.calendar_feed_of(request.user)
    houses = list(access.agreements_for(request.user).exclude(status="ended"))
    # One audit row names the houses under care shown (the round's and the list's) and the tasks
    # of the round.
    shown = {str(a.pk): None for a in houses}
    shown.update({str(r.agreement.pk): None for g in groups for r in g.houses})
    tasks = [t.pk for g in groups for r in g.houses for t in r.tasks]
    audit_list(
        request.user,
        "keeping_agreement",
        {"day": day.isoformat()},
        shown,
        via="today",
        tasks=len(tasks),
    )
    return render(
        request,
        "keeping/today.html",
        {
            "groups": groups,
            "today": day,
            "task_count": sum(len(r.tasks) for g in groups for r in g.houses),
            "houses": houses,
            "feed": feed,
        },
    )


@login_required
def arrears(request: HttpRequest) -> HttpResponse:
    rows = queries.arrears_for(request.user)
    if rows is None:
        raise Http404
    return render(request, "keeping/arrears.html", {"rows": rows})


@login_required
def calendar_link(request: HttpRequest) -> HttpResponse:
    """Make (or renew) the calendar address and show it, this once: only its hash is kept."""
    if request.method != "POST":
        return redirect(reverse("keeping:today") + "#calendar")
    try:
        _feed, token = services.do_calendar_feed(actor=request.user)  # type: ignore[arg-type]
    except ServiceError as exc:
        raise PermissionDenied(exc.message) from exc
    url = request.build_absolute_uri(reverse("keeping:calendar_feed", args=[token]))
    response = render(request, "keeping/calendar_link.html", {"url": url})
    # The address is a secret: no cache keeps the page that shows it.
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = access.calendar_feed_by_token(token)
    if feed is None:
        raise Http404
    return HttpResponse(keyholder_calendar(feed.user), content_type="text/calendar; charset=utf-8")


@login_required
def summary(request: HttpRequest) -> HttpResponse:
    counts = queries.officer_counts(request.user, timezone.localdate())
    if counts is None:
        raise Http404
    return render(request, "keeping/summary.html", {"counts": counts})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    agreements = list(access.agreements_for(request.user))
    if len(agreements) == 1 and request.user.role == Role.OWNER:  # type: ignore[union-attr]
        return redirect("keeping:house", agreements[0].pk)
    audit_list(request.user, "keeping_agreement", {}, [a.pk for a in agreements], via="mine")
    return render(request, "keeping/mine.html", {"agreements": agreements})


@login_required
def house(request: HttpRequest, agreement_id: uuid.UUID) -> HttpResponse:
    # The page shows the ledger's totals: read (and audited) with the agreement.
    agreement, book = _or_404(access.get_ledger, request, agreement_id)
    keeper = access.can_keep(request.user, agreement)
    duty_form = DutyForm()
    if request.method == "POST":
        _require_keeper(request, agreement)
        duty_form = DutyForm(request.POST)
        if duty_form.is_valid():
            data = duty_form.cleaned_data
            try:
                services.do_create_duty(
                    actor=request.user,  # type: ignore[arg-type]
                    agreement=agreement,
                    kind=data["kind"],
                    title=data["title"],
                    every_days=data["every_days"],
                    follows_water_turns=data["follows_water_turns"],
                    due_date=data["due_date"],
                    id=data["id"],
                )
            except ServiceError as exc:
                _show_refusal(duty_form, exc)
            else:
                messages.success(request, _("The duty is saved and its tasks are planned."))
                return redirect("keeping:house", agreement.pk)
    today_ = timezone.localdate()
    open_tasks = agreement.tasks.filter(status=TaskStatus.DUE).select_related("duty")[:30]
    visits = list(
        access.visits_for(request.user)
        .filter(agreement=agreement)
        .prefetch_related("photos", "tasks")[:10]
    )
    # The owner abroad sees the latest visit's photos first: the proof of how the house is.
    latest = next((v for v in visits if v.photos.all()), None)
    is_owner = access.is_owner_of(request.user, agreement)
    return render(
        request,
        "keeping/house.html",
        {
            "agreement": agreement,
            "keeper": keeper,
            "today": today_,
            "open_tasks": open_tasks,
            "visits": visits,
            # Each incident shows its photos: fetched for all ten in one query, not one each.
            "incidents": access.incidents_for(request.user)
            .filter(agreement=agreement)
            .prefetch_related("photos")[:10],
            "duties": agreement.duties.filter(active=True),
            "keys": agreement.keys.all(),
            "changes": agreement.changes.all(),
            "owners": agreement.owners.all(),
            "ledger": book,
            "duty_form": duty_form,
            "latest": latest,
            "is_owner": is_owner,
            "ask_form": AskVisitForm() if is_owner else None,
            "asked": requests.open_request(request.user, agreement) if is_owner else None,  # type: ignore[arg-type]
        },
        status=400 if duty_form.errors else 200,
    )


@login_required
def visit_new(request: HttpRequest, agreement_id: uuid.UUID) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    _require_keeper(request, agreement)
    open_tasks = list(
        agreement.tasks.filter(
            status__in=[TaskStatus.DUE, TaskStatus.MISSED], due_date__lte=timezone.localdate()
        )
        # A round missed long ago cannot be made up by today's visit.
        .exclude(status=TaskStatus.MISSED, due_date__lt=timezone.localdate() - LATE_WINDOW)
        .select_related("duty")
        .order_by("due_date")
    )
    due_now = [t for t in open_tasks if t.status == TaskStatus.DUE]
    kept: list[PendingPhoto] = []
    if request.method == "POST":
        sent = _uuid_or_none(request.POST.get("id"))
        if sent and access.visits_for(request.user).filter(pk=sent, agreement=agreement).exists():
            # A double tap or a resend after a lost answer: the visit is already recorded.
            return redirect("keeping:visit", sent)
        form = VisitForm(request.POST, request.FILES, tasks=open_tasks)
        files, kept = _files(request), _kept_photos(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    visit, _created = services.do_record_visit(
                        actor=request.user,  # type: ignore[arg-type]
                        agreement=agreement,
                        checked_in_at=data["checked_in_at"],
                        checked_out_at=data["checked_out_at"] or timezone.now(),
                        task_ids=[uuid.UUID(t) for t in data["tasks"]],
                        checklist_answers=form.answers(),
                        notes=data["notes"],
                        photos=_uploads(files, form, kept),
                        id=data["id"],
                    )
                    pending.do_take_pending(kept)
            except ServiceError as exc:
                _show_refusal(form, exc)
            else:
                messages.success(request, _("The visit is recorded."))
                return redirect("keeping:visit", visit.pk)
        kept = _keep_refused(request, files, kept)
    else:
        form = VisitForm(tasks=open_tasks)
        form.initial["tasks"] = [str(t.pk) for t in due_now]
    return render(
        request,
        "keeping/visit_form.html",
        {"agreement": agreement, "form": form, "kept": kept},
        status=400 if form.errors else 200,
    )


@login_required
def visit(request: HttpRequest, visit_id: uuid.UUID) -> HttpResponse:
    record = _or_404(access.get_visit, request, visit_id)
    keeper = access.can_keep(request.user, record.agreement)
    failed = bool(checklist.problems(record.checklist))
    raised = (
        access.incidents_for(request.user).filter(pk=services.incident_id_for(record.pk)).first()
        if failed
        else None
    )
    return render(
        request,
        "keeping/visit.html",
        {
            "visit": record,
            "agreement": record.agreement,
            "checks": checklist.checks(record.checklist),
            "failed": failed,
            "raised": raised,
            "keeper": keeper,
            "reachable": keeper and owners_reachable(record.agreement),
            "tasks": record.tasks.select_related("duty"),
            "photos": record.photos.all(),
        },
    )


def _source_visit(request: HttpRequest, agreement: KeepingAgreement) -> Any:
    visit_id = _uuid_or_none(request.POST.get("visit") or request.GET.get("visit"))
    if visit_id is None:
        return None
    source = _or_404(access.get_visit, request, visit_id)
    if source.agreement_id != agreement.pk:
        raise Http404
    return source


def _incident_from_visit(source: Any) -> dict[str, Any]:
    failed = checklist.problems(source.checklist)
    kinds = [item.incident_kind for item in failed if item.incident_kind]
    return {
        # One incident per visit: a second tap finds the first instead of adding another.
        "id": services.incident_id_for(source.pk),
        "occurred_on": timezone.localdate(source.checked_in_at),
        "kind": kinds[0] if kinds else "other",
        "severity": "serious" if kinds else "moderate",
        "notes": source.notes,
    }


@login_required
def incident_new(request: HttpRequest, agreement_id: uuid.UUID) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    _require_keeper(request, agreement)
    # Raised from a visit whose check failed: its note and photos come along.
    source = _source_visit(request, agreement)
    kept: list[PendingPhoto] = []
    if request.method == "POST":
        form = IncidentForm(request.POST, request.FILES)
        files, kept = _files(request), _kept_photos(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    services.do_report_incident(
                        actor=request.user,  # type: ignore[arg-type]
                        agreement=agreement,
                        occurred_on=data["occurred_on"],
                        kind=data["kind"],
                        severity=data["severity"],
                        notes=data["notes"],
                        cost_amount=data["cost_amount"],
                        cost_currency=data["cost_currency"],
                        photos=_uploads(files, form, kept),
                        id=data["id"],
                        from_visit=source,
                    )
                    pending.do_take_pending(kept)
            except ServiceError as exc:
                _show_refusal(form, exc)
            else:
                messages.success(request, _("The incident is recorded."))
                return redirect("keeping:house", agreement.pk)
        kept = _keep_refused(request, files, kept)
    elif source is not None:
        form = IncidentForm(initial=_incident_from_visit(source))
    else:
        form = IncidentForm()
    return render(
        request,
        "keeping/incident_form.html",
        {
            "agreement": agreement,
            "form": form,
            "kept": kept,
            "source": source,
            "source_photos": source.photos.all() if source is not None else [],
            "reachable": owners_reachable(agreement),
        },
        status=400 if form.errors else 200,
    )


@login_required
def incident_resolve(request: HttpRequest, incident_id: uuid.UUID) -> HttpResponse:
    incident = _or_404(access.get_incident, request, incident_id)
    agreement = incident.agreement
    _require_keeper(request, agreement)
    form = ResolveForm(initial={"cost_currency": agreement.fee_currency})
    if request.method == "POST":
        form = ResolveForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.do_resolve_incident(
                    actor=request.user,  # type: ignore[arg-type]
                    incident=incident,
                    note=data["note"],
                    cost_amount=data["cost_amount"],
                    cost_currency=data["cost_currency"],
                )
            except ServiceError as exc:
                _show_refusal(form, exc)
            else:
                messages.success(request, _("The incident is resolved and the owners are told."))
                return redirect("keeping:house", agreement.pk)
    return render(
        request,
        "keeping/incident_resolve.html",
        {
            "agreement": agreement,
            "incident": incident,
            "form": form,
            "reachable": owners_reachable(agreement),
        },
        status=400 if form.errors else 200,
    )


@login_required
def ask_visit(request: HttpRequest, agreement_id: uuid.UUID) -> HttpResponse:
    """An owner asks the keyholder for a visit: a one-off task, and a message to the keyholder."""
    agreement = _agreement(request, agreement_id)
    if not access.is_owner_of(request.user, agreement):
        raise PermissionDenied(_("Only an owner of this house asks for a visit."))
    form = AskVisitForm()
    if request.method == "POST":
        form = AskVisitForm(request.POST)
        if form.is_valid():
            try:
                requests.do_ask_for_visit(
                    actor=request.user,  # type: ignore[arg-type]
                    agreement=agreement,
                    due_date=form.cleaned_data["due_date"],
                    note=form.cleaned_data["note"],
                )
            except ServiceError as exc:
                show_refusal(form, exc)
            else:
                messages.success(request, _("The keyholder is asked for a visit and told at once."))
                return redirect("keeping:house", agreement.pk)
    return render(
        request,
        "keeping/ask_visit.html",
        {"agreement": agreement, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def pending_photo(request: HttpRequest, photo_id: uuid.UUID) -> FileResponse:
    """The thumbnail of a photo kept from a refused form: only its owner sees it."""
    rows = pending.pending_of(request.user, [photo_id])  # type: ignore[arg-type]
    if not rows:
        raise Http404
    response = FileResponse(rows[0].image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def ledger(request: HttpRequest, agreement_id: uuid.UUID) -> HttpResponse:
    agreement, book = _or_404(access.get_ledger, request, agreement_id)
    keeper = access.can_keep(request.user, agreement)
    form = PaymentForm(currency=agreement.fee_currency)
    if request.method == "POST":
        _require_keeper(request, agreement)
        form = PaymentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.do_record_payment(
                    actor=request.user,  # type: ignore[arg-type]
                    agreement=agreement,
                    amount=data["amount"],
                    currency=data["currency"],
                    rate=data["rate"],
                    settled_amount=data["settled_amount"],
                    paid_on=data["paid_on"],
                    method=data["method"],
                    note=data["note"],
                    id=data["id"],
                )
            except ServiceError as exc:
                _show_refusal(form, exc)
            else:
                messages.success(request, _("The payment is recorded."))
                return redirect("keeping:ledger", agreement.pk)
    return render(
        request,
        "keeping/ledger.html",
        {
            "agreement": agreement,
            "ledger": book,
            "entries": book.entries[::-1],
            "keeper": keeper,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
def reports(request: HttpRequest, agreement_id: uuid.UUID) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    return render(
        request,
        "keeping/reports.html",
        {"agreement": agreement, "months": report_months(agreement)},
    )


def _report(request: HttpRequest, agreement_id: uuid.UUID, month: str, form: str) -> Any:
    return or_404(access.get_owner_report, request.user, agreement_id, month, form)


@login_required
def owner_report(request: HttpRequest, agreement_id: uuid.UUID, month: str) -> HttpResponse:
    agreement, report = _report(request, agreement_id, month, "page")
    return render(
        request,
        "keeping/report.html",
        {"agreement": agreement, "report": report, "photos": report.photo_ids},
    )


@login_required
def owner_report_pdf(request: HttpRequest, agreement_id: uuid.UUID, month: str) -> HttpResponse:
    _, report = _report(request, agreement_id, month, "pdf")
    language = request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else "tg"
    pdf = render_owner_report_pdf(report, language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="report-{report.key}.pdf"'
    return response


@login_required
def photo(request: HttpRequest, photo_id: uuid.UUID) -> FileResponse:
    record = _or_404(access.get_photo, request, photo_id)
    response = FileResponse(record.image.open("rb"), content_type="image/jpeg")
    # Private: a shared cache must never hand one family's photo to another.
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
def water(request: HttpRequest) -> HttpResponse:
    """The keyholder enters the watering season and the water turns of their villages."""
    user = request.user
    if user.role != Role.KEYHOLDER and not user.is_admin:  # type: ignore[union-attr]
        raise Http404
    villages = list(user.places.all()) if not user.is_admin else []  # type: ignore[union-attr]
    code = (
        request.POST.get("village")
        or request.GET.get("village")
        or (villages[0].code if villages else "")
    )
    village = place_by_code(code)
    if village is None or not (user.is_admin or village in villages):  # type: ignore[union-attr]
        raise Http404
    year = timezone.localdate().year
    turns_form, season_form = WaterTurnsForm(), SeasonForm()
    if request.method == "POST":
        try:
            if "dates" in request.POST:
                turns_form = WaterTurnsForm(request.POST)
                if turns_form.is_valid():
                    services.do_add_water_turns(
                        actor=user,  # type: ignore[arg-type]
                        village=village,
                        dates=turns_form.cleaned_data["dates"],
                    )
                    messages.success(request, _("The water turns are saved."))
                    return redirect(reverse("keeping:water") + f"?village={village.code}")
            else:
                season_form = SeasonForm(request.POST)
                if season_form.is_valid():
                    start = season_form.cleaned_data["start"]
                    services.do_set_watering_season(
                        actor=user,  # type: ignore[arg-type]
                        village=village,
                        year=start.year,
                        start=start,
                        end=season_form.cleaned_data["end"],
                    )
                    messages.success(request, _("The watering season is saved."))
                    return redirect(reverse("keeping:water") + f"?village={village.code}")
        except ServiceError as exc:
            if exc.status == 403:
                raise Http404 from exc
            (turns_form if "dates" in request.POST else season_form).add_error(None, exc.message)
    return render(
        request,
        "keeping/water.html",
        {
            "village": village,
            "villages": villages,
            "season": village.watering_seasons.filter(year=year).first(),
            "turns": village.water_turns.filter(date__year__gte=year - 1).order_by("-date")[:40],
            "turns_form": turns_form,
            "season_form": season_form,
        },
        status=400 if turns_form.errors or season_form.errors else 200,
    )


@login_required
def entrust(request: HttpRequest) -> HttpResponse:
    """A keyholder takes a house of their villages into care; its owner accounts are linked."""
    user = request.user
    if user.role != Role.KEYHOLDER:  # type: ignore[union-attr]
        raise Http404
    houses = access.houses_to_entrust(user)
    # Addresses only: whether anyone lives in a house is the registry's, and a keyholder sees
    # nothing of it beyond the houses entrusted to them (issue 13, item 6).
    ordered = sorted(houses, key=lambda h: (h.village.name, str(h)))
    choices = [(str(h.pk), f"{h}, {h.village.name}") for h in ordered]
    form = AgreementForm(houses=choices)
    if request.method == "POST":
        form = AgreementForm(request.POST, houses=choices)
        if form.is_valid():
            data = form.cleaned_data
            house = houses.get(pk=data["house"])
            owners = list(access.owners_of_house(house))
            try:
                with transaction.atomic():
                    agreement, _created = services.do_create_agreement(
                        actor=user,  # type: ignore[arg-type]
                        house=house,
                        keyholder=user,  # type: ignore[arg-type]
                        owners=owners,
                        start=data["start"],
                        fee_amount=data["fee_amount"],
                        fee_currency=data["fee_currency"],
                        fee_period=data["fee_period"],
                        id=data["id"],
                    )
                    if data["key_label"]:
                        services.do_record_key(
                            actor=user,  # type: ignore[arg-type]
                            agreement=agreement,
                            label=data["key_label"],
                            handed_over_on=data["start"],
                            handed_over_by=data["handed_over_by"],
                            id=uuid.uuid5(data["id"], "key"),
                        )
            except ServiceError as exc:
                _show_refusal(form, exc)
            else:
                messages.success(request, _("The house is in your care. Add its duties."))
                return redirect("keeping:house", agreement.pk)
    return render(
        request, "keeping/entrust.html", {"form": form}, status=400 if form.errors else 200
    )
