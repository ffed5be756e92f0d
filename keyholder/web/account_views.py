"""Account management for administrators: list, create, edit, deactivate.

Reads go through ``accounts.access`` (administrators only) and writes through the services,
which check the role again and write the audit rows.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keyholder.accounts import access, services
from keyholder.accounts.models import Role, User
from keyholder.core.errors import Code, ServiceError
from keyholder.core.pages import or_404, show_refusal
from keyholder.places.models import Place
from keyholder.registry import access as registry_access
from keyholder.registry.search import parse_search, search_households
from keyholder.web.account_forms import (
    FIND_HOUSEHOLD,
    FIND_PLACES,
    AccountForm,
    NewAccountForm,
    initial_for,
)

PAGE_SIZE = 50
FOUND = 20


def _admin(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_admin:
        raise PermissionDenied
    return user


def _account_or_404(request: HttpRequest, pk: int) -> User:
    return or_404(access.get_account, request.user, pk)


def _show(form: Form, exc: ServiceError) -> None:
    # The services name the scope "place"; the form's field holds several places.
    show_refusal(form, exc, fields={"place": "places"})


def _household_ok(request: HttpRequest, form: AccountForm) -> bool:
    """An owner's household must exist; other roles have none."""
    data = form.cleaned_data
    if data["role"] == Role.OWNER and data["household"] is None:
        form.add_error("household", _("An owner needs their household: find it by name."))
        return False
    if data["role"] == Role.OWNER:
        try:
            registry_access.get_household(request.user, data["household"])
        except ServiceError:
            form.add_error("household", _("This household cannot be found: find it by name."))
            return False
    return True


def _offer(admin: User, form: AccountForm) -> dict[str, Any]:
    """Fill the form's lists: the places and household already chosen (an unknown code too,
    so that what was typed stays on the page) and those the searches found."""
    codes = form.chosen_codes()
    known = {p.code: p for p in Place.objects.filter(code__in=codes).defer("boundary")}
    chosen = [known.get(code) or Place(code=code, name_tg=code) for code in codes]
    place_q = form.data.get(form.add_prefix(FIND_PLACES), "") if form.is_bound else ""
    found_places = [p for p in access.find_places(admin, place_q, FOUND) if p.code not in known]
    form.offer_places([*chosen, *found_places])
    household_id = form.chosen_household()
    households = registry_access.households_for(admin)
    chosen_households = list(households.filter(pk=household_id)) if household_id else []
    household_q = form.data.get(form.add_prefix(FIND_HOUSEHOLD), "") if form.is_bound else ""
    found_households: list[Any] = []
    if household_q.strip():
        found_households = [
            h
            for h in search_households(households, parse_search(household_q)).order_by(
                "name", "pk"
            )[:FOUND]
            if h.pk != household_id
        ]
    form.offer_households([*chosen_households, *found_households])
    return {
        "nothing_found": {
            FIND_PLACES: bool(place_q.strip()) and not found_places,
            FIND_HOUSEHOLD: bool(household_q.strip()) and not found_households,
        }
    }


def _finding(request: HttpRequest) -> bool:
    """The form was sent by one of its search buttons, not to be saved."""
    return request.POST.get("find") in (FIND_PLACES, FIND_HOUSEHOLD)


@login_required
def users(request: HttpRequest) -> HttpResponse:
    _admin(request)
    accounts = access.users_for(request.user).order_by("-is_active", "username")
    role = request.GET.get("role", "")
    if role in Role.values:
        accounts = accounts.filter(role=role)
    page = Paginator(accounts.prefetch_related("places"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/users.html",
        {"page": page, "role": role, "roles": Role.choices, "crumbs": []},
    )


@login_required
def user_new(request: HttpRequest) -> HttpResponse:
    admin = _admin(request)
    status = 200
    if request.method == "POST":
        form = NewAccountForm(request.POST)
        if not _finding(request):
            created = _create(request, admin, form)
            if created is not None:
                return created
            status = 400
        form.ask_password_again()
    else:
        form = NewAccountForm(initial={"language": "tg", "role": Role.ENUMERATOR})
    context = {"form": form, "account": None, **_offer(admin, form)}
    return render(request, "accounts/user_form.html", context, status=status)


def _create(request: HttpRequest, admin: User, form: NewAccountForm) -> HttpResponse | None:
    """Create the account, or put the refusals on the form and answer None."""
    if not (form.is_valid() and _household_ok(request, form)):
        return None
    data = form.cleaned_data
    if access.users_for(admin).filter(username__iexact=data["username"]).exists():
        form.add_error(
            "username", ServiceError(Code.ACCOUNTS_USERNAME_TAKEN, value=data["username"]).message
        )
        return None
    try:
        account = services.do_create_user(
            actor=admin,
            username=data["username"],
            password=data["password"],
            role=data["role"],
            place_codes=data["places"],
            household_id=data["household"] if data["role"] == Role.OWNER else None,
            language=data["language"],
            email=data["email"],
        )
    except ServiceError as exc:
        _show(form, exc)
        return None
    messages.success(request, _("The account %(name)s was created.") % {"name": account.username})
    return redirect("accounts:users")


@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    admin = _admin(request)
    account = _account_or_404(request, pk)
    status = 200
    if request.method == "POST":
        form = AccountForm(request.POST)
        if not _finding(request):
            if form.is_valid() and _household_ok(request, form):
                data = form.cleaned_data
                try:
                    services.do_update_user(
                        actor=admin,
                        user=account,
                        role=data["role"],
                        place_codes=data["places"],
                        household_id=data["household"],
                        language=data["language"],
                        email=data["email"],
                    )
                except ServiceError as exc:
                    _show(form, exc)
                else:
                    messages.success(
                        request, _("The account %(name)s was saved.") % {"name": account.username}
                    )
                    return redirect("accounts:users")
            status = 400
    else:
        form = AccountForm(initial=initial_for(account))
    context: dict[str, Any] = {"form": form, "account": account, **_offer(admin, form)}
    return render(request, "accounts/user_form.html", context, status=status)


@login_required
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    admin = _admin(request)
    account = _account_or_404(request, pk)
    try:
        services.do_deactivate_user(actor=admin, user=account)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:user_edit", pk=account.pk)
    messages.success(
        request, _("The account %(name)s can no longer sign in.") % {"name": account.username}
    )
    return redirect("accounts:users")


@login_required
@require_POST
def user_password_link(request: HttpRequest, pk: int) -> HttpResponse:
    """A one-time link that sets a new password, shown to the administrator to pass on.

    Django's reset token: it stops working once the password changes (so it works once) or
    after PASSWORD_RESET_TIMEOUT.
    """
    admin = _admin(request)
    account = _account_or_404(request, pk)
    path = reverse(
        "web:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(account.pk)),
            "token": default_token_generator.make_token(account),
        },
    )
    services.audit(admin, "update", "user", account.pk, password_link=True)
    form = AccountForm(initial=initial_for(account))
    context: dict[str, Any] = {
        "form": form,
        "account": account,
        "password_link": settings.SITE_URL.rstrip("/") + path,
        **_offer(admin, form),
    }
    return render(request, "accounts/user_form.html", context)


@login_required
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    admin = _admin(request)
    account = _account_or_404(request, pk)
    services.do_reactivate_user(actor=admin, user=account)
    messages.success(
        request, _("The account %(name)s can sign in again.") % {"name": account.username}
    )
    return redirect("accounts:user_edit", pk=account.pk)
