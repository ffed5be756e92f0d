"""Forms of the account pages. The services check roles and scopes; forms only parse.

An administrator never types a place code or a household's id (issue 11): the area is ticked
among places found by name, and an owner's household picked among households found by name.
Both searches are buttons of the same form (``find``), so the page works without JavaScript
and keeps everything typed; the choices offered are the ones already chosen plus the ones
found (``offer_places``, ``offer_households``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from keyholder.accounts.models import Role, User
from keyholder.places.models import Place
from keyholder.registry.models import Household

# The two search buttons of the form: ``<button name="find" value="...">``.
FIND_PLACES = "place_q"
FIND_HOUSEHOLD = "household_q"


class PlaceCodesField(forms.MultipleChoiceField):
    """Place codes ticked in a list (or, from a script, typed separated by spaces).

    Any code is accepted here: whether a place has it, and whether it suits the role, is the
    services' question, answered with the catalogue's message.
    """

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value: Any) -> list[str]:
        values = value if isinstance(value, list | tuple) else [value or ""]
        codes: list[str] = []
        for raw in values:
            for code in re.split(r"[\s,;]+", str(raw)):
                if code and code.upper() not in codes:
                    codes.append(code.upper())
        return codes

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")

    def prepare_value(self, value: Any) -> Any:
        # Shown again as the codes they name, so that "tj-su-asht" sent stays ticked.
        return self.to_python(value) if value else value


class HouseholdChoiceField(forms.ChoiceField):
    """A household picked among those found (its id, as a script may send it too)."""

    widget = forms.RadioSelect

    def to_python(self, value: Any) -> uuid.UUID | None:
        if value in (None, ""):
            return None
        try:
            return uuid.UUID(str(value).strip())
        except ValueError as exc:
            raise ValidationError(_("Pick the household in the list."), code="invalid") from exc

    def validate(self, value: Any) -> None:
        return None


class AccountForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    place_q = forms.CharField(
        label=_("Find a place by name"),
        required=False,
        max_length=200,
        help_text=_("A district for an officer; villages for an enumerator or a keyholder."),
    )
    places = PlaceCodesField(label=_("Area"), required=False)
    household_q = forms.CharField(
        label=_("Find the household by name (owners only)"),
        required=False,
        max_length=200,
        help_text=_("The family name, a member's phone number or the house's street."),
    )
    household = HouseholdChoiceField(label=_("Household"), required=False)
    language = forms.ChoiceField(label=_("Language of messages"), choices=settings.LANGUAGES)
    email = forms.EmailField(label=_("Email"), required=False)

    def offer_places(self, places: Iterable[Place]) -> None:
        # A code that names no place is offered as typed, to be seen and unticked.
        self.fields["places"].choices = [  # type: ignore[attr-defined]
            (p.code, f"{p.name} ({p.code})" if p.pk else p.code) for p in places
        ]

    def offer_households(self, households: Iterable[Household]) -> None:
        self.fields["household"].choices = [  # type: ignore[attr-defined]
            (str(h.pk), household_label(h)) for h in households
        ]

    def chosen_codes(self) -> list[str]:
        """The codes ticked or sent, valid or not, to offer again when the form is shown."""
        if not self.is_bound:
            return list(self.initial.get("places") or [])
        field = self.fields["places"]
        assert isinstance(field, PlaceCodesField)
        return field.to_python(self.data.getlist(self.add_prefix("places")))  # type: ignore[attr-defined]

    def chosen_household(self) -> uuid.UUID | None:
        raw = (
            self.data.get(self.add_prefix("household"))
            if self.is_bound
            else self.initial.get("household")
        )
        try:
            return uuid.UUID(str(raw)) if raw else None
        except ValueError:
            return None


def household_label(household: Household) -> str:
    parts = [household.name, household.village.name]
    if household.house is not None:
        parts.append(str(household.house))
    return ", ".join(parts)


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

    field_order = [
        "username",
        "password",
        "role",
        "place_q",
        "places",
        "household_q",
        "household",
        "language",
        "email",
    ]

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        validate_password(password)
        return password

    def ask_password_again(self) -> None:
        """A password is never sent back to the browser: a form shown again says so."""
        if self.is_bound and self.data.get(self.add_prefix("password")):
            again = _("Enter the password again: for safety, a password typed is not shown back.")
            self.fields["password"].help_text = again
            # The bound field copied the help text when the form was validated.
            self["password"].help_text = again


def initial_for(user: User) -> dict[str, Any]:
    return {
        "role": user.role,
        "places": [p.code for p in user.places.all()],
        "household": user.household_id,
        "language": user.language,
        "email": user.email,
    }
