"""Forms of the account pages. The services check roles and scopes; forms only parse."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from keyholder.accounts.models import Role, User

PLACES_HELP = _(
    "Place codes, separated by spaces: a district such as TJ-SU-ASHT for an officer, "
    "villages such as TJ-SU-ASHT-PONGHOZ-V01 for an enumerator or a keyholder."
)


class AccountForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    places = forms.CharField(
        label=_("Area"), required=False, max_length=2000, help_text=PLACES_HELP
    )
    household = forms.UUIDField(
        label=_("Household id (owners only)"),
        required=False,
        help_text=_("Shown at the bottom of the household's page."),
    )
    language = forms.ChoiceField(label=_("Language of messages"), choices=settings.LANGUAGES)
    email = forms.EmailField(label=_("Email"), required=False)

    def clean_places(self) -> list[str]:
        raw = self.cleaned_data.get("places") or ""
        return [code.upper() for code in re.split(r"[\s,;]+", raw) if code]


class NewAccountForm(AccountForm):
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        help_text=_("Letters, digits and @ . + - _ only."),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = ["username", "password", "role", "places", "household", "language", "email"]

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        validate_password(password)
        return password


def initial_for(user: User) -> dict[str, Any]:
    return {
        "role": user.role,
        "places": " ".join(p.code for p in user.places.all()),
        "household": user.household_id,
        "language": user.language,
        "email": user.email,
    }
