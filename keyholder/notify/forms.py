from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from keyholder.accounts.models import Channel, VisitReports

LANGUAGE_CHOICES = [("tg", "Тоҷикӣ"), ("ru", "Русский"), ("en", "English")]


class NotificationSettingsForm(forms.Form):
    """Only the shape of the input; the rules are in ``do_update_notification_settings``."""

    channel = forms.ChoiceField(
        label=_("Send me messages by"), choices=Channel.choices, widget=forms.RadioSelect
    )
    language = forms.ChoiceField(
        label=_("In the language"), choices=LANGUAGE_CHOICES, widget=forms.RadioSelect
    )
    email = forms.CharField(
        label=_("Email address"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    telegram_chat_id = forms.CharField(
        label=_("Telegram chat id"),
        required=False,
        max_length=64,
        help_text=_(
            "“Connect Telegram” above fills this in for you. Type a chat id only if you know "
            "it: a number such as 123456789, not your @name."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    visit_reports = forms.ChoiceField(
        label=_("Tell me about the keyholder's visits"),
        choices=VisitReports.choices,
        initial=VisitReports.EVERY,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("A serious incident is sent at once, whatever you choose here."),
    )
