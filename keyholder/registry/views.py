"""Household pages and the forms that record what happened, all through the services.

Reads go through ``access`` (person reads are audited); writes go through ``services``. A
refused write shows the catalogue's message next to its form, with status 400, and saves
nothing. Only administrators and the village's enumerators see the forms; a POST from
anyone else who can see the household answers 403, and from anyone who cannot, 404.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keyholder.accounts import access as place_access
from keyholder.core.errors import ServiceError
from keyholder.core.pages import or_404, show_refusal
from keyholder.places.models import place_by_code, place_refusal
from keyholder.registry import access, queries, services
from keyholder.registry.forms import (
    CorrectEventForm,
    EventForm,
    HouseholdForm,
    MemberForm,
    RemoveEventForm,
    event_initial,
)
from keyholder.registry.models import EventKind, Household, MigrationEvent, Person
from keyholder.registry.place_views import breadcrumbs

F = TypeVar("F", bound=EventForm)


def _household_or_404(request: HttpRequest, household_id: uuid.UUID) -> Household:
    return or_404(access.get_household, request.user, household_id)


def _person_or_404(request: HttpRequest, person_id: uuid.UUID) -> Person:
    return or_404(access.get_person, request.user, person_id)


def event_prefix(person: Person) -> str:
    return f"p{person.pk.hex[:12]}"


def correction_prefix(event: MigrationEvent) -> str:
    return f"e{event.pk.hex[:12]}"


def _event_or_404(request: HttpRequest, event_id: uuid.UUID) -> MigrationEvent:
    return or_404(access.get_event, request.user, event_id)


def _asked(request: HttpRequest, name: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.GET.get(name, ""))
    except ValueError:
        return None


def render_household(
    request: HttpRequest,
    household: Household,
    *,
    event_forms: dict[uuid.UUID, EventForm] | None = None,
    member_form: MemberForm | None = None,
    event_form: CorrectEventForm | RemoveEventForm | None = None,
    event_form_for: uuid.UUID | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    members = access.members_of(request.user, household)
    row = queries.household_rows([household], members, today, with_corrections=True)[0]
    can_write = access.can_write(request.user, household.village)
    event_forms = event_forms or {}
    # A form is drawn only for the member asked for (?record=<id>) or whose post failed: the
    # country list is long, and a page with one per member would be heavy on a cheap phone.
    # The same for one event's correction (?correct=<id>) or removal (?remove=<id>).
    record_for = request.GET.get("record", "")
    correct_id, remove_id = _asked(request, "correct"), _asked(request, "remove")
    cards = []
    drawn = False
    for member in row.members:
        form = None
        events = []
        for event in member.events:
            change_form: CorrectEventForm | RemoveEventForm | None = None
            if can_write:
                if event_form is not None and event.pk == event_form_for:
                    change_form = event_form
                elif event_form is None and event.pk == correct_id:
                    change_form = CorrectEventForm(
                        prefix=correction_prefix(event), initial=event_initial(event)
                    )
                elif event_form is None and event.pk == remove_id:
                    change_form = RemoveEventForm(prefix=correction_prefix(event))
            drawn = drawn or isinstance(change_form, CorrectEventForm)
            events.append({"event": event, "form": change_form})
        if can_write:
            form = event_forms.get(member.person.pk)
            if form is None and record_for == str(member.person.pk):
                form = EventForm(prefix=event_prefix(member.person))
        drawn = drawn or form is not None
        cards.append({"member": member, "form": form, "events": events})
    if can_write and member_form is None and request.GET.get("add") == "member":
        member_form = MemberForm(prefix="member")
    house = household.house
    crumbs = breadcrumbs(request.user, household.village)
    crumbs.append({"label": household.name, "url": None})
    context: dict[str, Any] = {
        "household": household,
        "house": house,
        "trees": list(house.trees.all()) if house is not None else [],
        "row": row,
        "cards": cards,
        "can_write": can_write,
        "member_form": member_form,
        "move_places": access.move_destinations(household.village) if drawn else [],
        "crumbs": crumbs,
        "today": today,
    }
    return render(request, "registry/household.html", context, status=status)


@login_required
def household(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    return render_household(request, _household_or_404(request, household_id))


@login_required
@require_POST
def record_event(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = _person_or_404(request, person_id)
    household = person.household
    if not access.can_write(request.user, household.village):
        raise PermissionDenied
    prefix = event_prefix(person)
    if "show_kind" in request.POST:
        form = _drawn_again(EventForm, request, prefix)
        return render_household(request, household, event_forms={person.pk: form})
    form = EventForm(request.POST, prefix=prefix)
    if form.is_valid():
        data = form.cleaned_data
        found, moved_to = _moved_to(form)
        if found:
            try:
                services.do_record_event(
                    actor=request.user,  # type: ignore[arg-type]
                    person=person,
                    kind=data["kind"],
                    date=data["date"],
                    country=data["country"],
                    destination=data["destination"],
                    purpose=data["purpose"],
                    until=data["until"],
                    moved_to=moved_to,
                    note=data["note"],
                    id=data["request_id"],
                )
            except ServiceError as exc:
                show_refusal(form, exc)
            else:
                messages.success(
                    request,
                    _("Recorded for %(name)s: %(event)s on %(date)s")
                    % {
                        "name": person.full_name,
                        "event": dict(form.fields["kind"].choices)[data["kind"]],  # type: ignore[attr-defined]
                        "date": date_format(data["date"], "DATE_FORMAT"),
                    },
                )
                url = reverse("registry:household", args=[household.pk])
                return redirect(f"{url}#person-{person.pk}")
    return render_household(request, household, event_forms={person.pk: form}, status=400)


def _drawn_again(form_class: type[F], request: HttpRequest, prefix: str) -> F:
    """The posted form drawn again, unbound with what was typed, for the kind now chosen: the
    answer to "show the fields" when the page runs without JavaScript."""
    typed = {
        name: request.POST.get(f"{prefix}-{name}", "")
        for name in form_class.base_fields
        if f"{prefix}-{name}" in request.POST
    }
    return form_class(prefix=prefix, initial=typed)


def _moved_to(form: EventForm) -> tuple[bool, Any]:
    """The place a move is to, from its code; (False, None) after adding the form's error."""
    code = form.cleaned_data["moved_to"]
    place = place_by_code(code) if code else None
    if code and place is None:
        form.add_error("moved_to", place_refusal(code, "moved_to").message)
        return False, None
    return True, place


def _back_to(person: Person) -> HttpResponse:
    url = reverse("registry:household", args=[person.household_id])
    return redirect(f"{url}#person-{person.pk}")


@login_required
@require_POST
def correct_event(request: HttpRequest, event_id: uuid.UUID) -> HttpResponse:
    event = _event_or_404(request, event_id)
    person = event.person
    if not access.can_write(request.user, person.household.village):
        raise PermissionDenied
    prefix = correction_prefix(event)
    if "show_kind" in request.POST:
        form = _drawn_again(CorrectEventForm, request, prefix)
        return render_household(request, person.household, event_form=form, event_form_for=event.pk)
    form = CorrectEventForm(request.POST, prefix=prefix)
    if form.is_valid():
        data = form.cleaned_data
        found, moved_to = _moved_to(form)
        if found:
            changes = {
                name: data[name]
                for name in ("kind", "date", "country", "destination", "purpose", "until", "note")
            }
            changes["moved_to"] = moved_to
            try:
                _event, changed = services.do_correct_event(
                    actor=request.user,  # type: ignore[arg-type]
                    event=event,
                    changes=changes,
                    reason=data["reason"],
                )
            except ServiceError as exc:
                show_refusal(form, exc)
            else:
                if changed:
                    messages.success(
                        request,
                        _("The event of %(name)s was corrected.") % {"name": person.full_name},
                    )
                else:
                    messages.info(request, _("Nothing was changed."))
                return _back_to(person)
    return render_household(
        request, person.household, event_form=form, event_form_for=event.pk, status=400
    )


@login_required
@require_POST
def remove_event(request: HttpRequest, event_id: uuid.UUID) -> HttpResponse:
    event = _event_or_404(request, event_id)
    person = event.person
    if not access.can_write(request.user, person.household.village):
        raise PermissionDenied
    form = RemoveEventForm(request.POST, prefix=correction_prefix(event))
    if form.is_valid():
        try:
            services.do_delete_event(
                actor=request.user,  # type: ignore[arg-type]
                event=event,
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            messages.success(
                request,
                _("The event “%(event)s” of %(name)s on %(date)s was removed.")
                % {
                    "name": person.full_name,
                    "event": EventKind(event.kind).label,
                    "date": date_format(event.date, "DATE_FORMAT"),
                },
            )
            return _back_to(person)
    return render_household(
        request, person.household, event_form=form, event_form_for=event.pk, status=400
    )


@login_required
@require_POST
def add_member(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    household = _household_or_404(request, household_id)
    if not access.can_write(request.user, household.village):
        raise PermissionDenied
    form = MemberForm(request.POST, prefix="member")
    if form.is_valid():
        data = form.cleaned_data
        try:
            person, _created = services.do_create_person(
                actor=request.user,  # type: ignore[arg-type]
                household=household,
                given_name=data["given_name"],
                family_name=data["family_name"],
                sex=data["sex"],
                birth_year=data["birth_year"],
                relation=data["relation"],
                phone=data["phone"],
                id=data["request_id"],
            )
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": person.full_name})
            url = reverse("registry:household", args=[household.pk])
            return redirect(f"{url}#person-{person.pk}")
    return render_household(request, household, member_form=form, status=400)


@login_required
def add_household(request: HttpRequest, code: str) -> HttpResponse:
    village = or_404(place_access.get_place, request.user, code)
    if village.kind not in services.VILLAGE_KINDS:
        raise Http404
    if not access.can_write(request.user, village):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = HouseholdForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            request_id = data["request_id"]

            def create() -> Household:
                house = None
                if data["street"] or data["number"]:
                    # The house gets its own id derived from the form's, so a resend matches.
                    house, _created = services.do_create_house(
                        actor=request.user,  # type: ignore[arg-type]
                        village=village,
                        street=data["street"],
                        number=data["number"],
                        id=uuid.uuid5(request_id, "house") if request_id else None,
                    )
                new, _created = services.do_create_household(
                    actor=request.user,  # type: ignore[arg-type]
                    village=village,
                    name=data["name"],
                    house=house,
                    notes=data["notes"],
                    id=request_id,
                )
                return new

            try:
                created = services.run_in_one_transaction(create)
            except ServiceError as exc:
                show_refusal(form, exc)
            else:
                messages.success(
                    request, _("The household %(name)s was added.") % {"name": created.name}
                )
                return redirect("registry:household", household_id=created.pk)
        status = 400
    else:
        form = HouseholdForm()
    crumbs = breadcrumbs(request.user, village)
    crumbs.append({"label": _("Add a household"), "url": None})
    return render(
        request,
        "registry/add_household.html",
        {"village": village, "form": form, "crumbs": crumbs},
        status=status,
    )
