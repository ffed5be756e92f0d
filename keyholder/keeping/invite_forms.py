"""Forms of the owner invitations: only the shape of the input; the rules are in ``invites``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keyholder.accounts.models import Channel
from keyholder.registry.models import Household

LANGUAGE_CHOICES = [("tg", "Тоҷикӣ"), ("ru", "Русский"), ("en", "English")]


class InviteForm(forms.Form):
    email = forms.CharField(
        label=_("The owner's email address"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_("The invitation is sent to this address."),
    )
    phone = forms.CharField(
        label=_("Or the owner's phone number"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        help_text=_(
            "No SMS is sent: the next page shows the link and a QR code to pass on yourself."
        ),
    )
    language = forms.ChoiceField(
        label=_("The owner's language"),
        choices=LANGUAGE_CHOICES,
        initial="tg",
        widget=forms.RadioSelect,
    )
    household = forms.ChoiceField(label=_("Household"), required=False)

    def __init__(self, *args: Any, households: list[Household], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if len(households) > 1:
            field = self.fields["household"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(str(h.pk), h.name) for h in households]
        else:
            # One household (or none, which the service refuses): nothing to choose.
            del self.fields["household"]


class AcceptInviteForm(forms.Form):
    password = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("The password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
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
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data
