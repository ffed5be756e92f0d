"""Pages of the owner invitations: the keyholder's invite form and the owner's link.

The invite page hangs from the house: someone who may not see the house gets 404, an owner who
may see but not keep it 403. The link's page needs no session: the token is the secret, and an
unknown, used or expired token answers 404 with one message.
"""

from __future__ import annotations

import uuid

import segno
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from keyholder.core.errors import ServiceError
from keyholder.core.pages import or_404, show_refusal
from keyholder.keeping import access, invites
from keyholder.keeping.invite_forms import AcceptInviteForm, InviteForm
from keyholder.keeping.models import KeepingAgreement
from keyholder.keeping.views import _require_keeper


@login_required
@require_http_methods(["GET", "POST"])
def invite_owner(request: HttpRequest, agreement_id: uuid.UUID) -> HttpResponse:
    agreement: KeepingAgreement = or_404(access.get_agreement, request.user, agreement_id)
    _require_keeper(request, agreement)
    households = invites.households_of(agreement)
    form = InviteForm(request.POST or None, households=households)
    context: dict[str, object] = {"agreement": agreement, "form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = invites.do_invite_owner(
                actor=request.user,  # type: ignore[arg-type]
                agreement=agreement,
                email=data["email"],
                phone=data["phone"],
                language=data["language"],
                household_id=data.get("household"),
                link_for=lambda token: request.build_absolute_uri(
                    reverse("keeping:invite_accept", args=[token])
                ),
            )
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            # The raw link is shown now or never: only its hash is kept.
            context.update(
                invitation=invitation,
                qr=segno.make(invitation.link, error="m").svg_inline(scale=4, border=2),
            )
            return render(request, "keeping/invite_sent.html", context)
    return render(request, "keeping/invite.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invite = invites.invite_by_token(token)
    except ServiceError as exc:
        return render(request, "keeping/invite_invalid.html", {"message": exc.message}, status=404)
    user = invite.user
    if request.method == "POST":
        form = AcceptInviteForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                owner = invites.do_accept_invite(
                    token=token,
                    password=data["password"],
                    channel=data["channel"],
                    language=data["language"],
                    email=data["email"],
                    telegram_chat_id=data["telegram_chat_id"],
                )
            except ServiceError as exc:
                show_refusal(form, exc)
            else:
                login(request, owner, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Welcome. This is your house in the keeper's care."))
                return redirect("keeping:house", invite.agreement_id)
    else:
        form = AcceptInviteForm(
            initial={
                "channel": user.channel,
                "language": user.language,
                "email": user.email,
                "telegram_chat_id": user.telegram_chat_id,
            }
        )
    return render(
        request,
        "keeping/invite_accept.html",
        {"form": form, "invitee": user, "house": invite.agreement.house},
        status=400 if form.errors else 200,
    )
