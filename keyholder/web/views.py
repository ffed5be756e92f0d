"""Home sends each role to the page it works from; sign-in is Django's own view."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from keyholder.accounts.access import home_place
from keyholder.accounts.models import Role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    role = getattr(user, "role", None)
    # An owner abroad starts from their house and reports; a keyholder from today's rounds;
    # everyone else from the top of their area.
    if role == Role.OWNER:
        return redirect("keeping:mine")
    if role == Role.KEYHOLDER:
        return redirect("keeping:today")
    if role == Role.MIGRANT:
        return redirect("migrant:home")
    place = home_place(user)
    if place is not None:
        return redirect("places:detail", code=place.code)
    return render(request, "web/home.html", {})
