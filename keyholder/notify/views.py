"""The "my notification settings" page: any signed-in person chooses channel and language."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from keyholder.accounts.models import User
from keyholder.core.errors import ServiceError
from keyholder.core.pages import show_refusal
from keyholder.notify.forms import NotificationSettingsForm
from keyholder.notify.services import do_queue_test_message, do_update_notification_settings
from keyholder.notify.telegram_views import telegram_connect


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required let only a signed-in person through
    return user


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        form = NotificationSettingsForm(request.POST)
        if form.is_valid():
            try:
                do_update_notification_settings(user, **form.cleaned_data)
            except ServiceError as exc:
                show_refusal(form, exc)
            else:
                messages.success(request, _("Your notification settings are saved."))
                return HttpResponseRedirect(reverse("notify:settings"))
        status = 400
    else:
        form = NotificationSettingsForm(
            initial={
                "channel": user.channel,
                "language": user.language,
                "email": user.email,
                "telegram_chat_id": user.telegram_chat_id,
                "visit_reports": user.visit_reports,
            }
        )
        status = 200
    context = {"form": form, **telegram_connect(request, user)}
    return render(request, "notify/settings.html", context, status=status)


@login_required
@require_POST
def send_test(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    link = request.build_absolute_uri(reverse("notify:settings"))
    if do_queue_test_message(user, link=link) is None:
        messages.warning(
            request, _("You receive no messages: choose email or Telegram and save first.")
        )
    else:
        messages.success(request, _("A test message is on its way."))
    return HttpResponseRedirect(reverse("notify:settings"))
