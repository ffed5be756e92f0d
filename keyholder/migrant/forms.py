"""The forms of the migrant's pages (the services validate; these only parse)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from keyholder.migrant.models import DocumentKind, PatentRegion

DATE = forms.DateInput(attrs={"type": "date"})
LANGUAGE_CHOICES = [("tg", "Тоҷикӣ"), ("ru", "Русский"), ("en", "English")]


class JoinForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), required=False)
    phone = forms.CharField(label=_("Phone number"), required=False, max_length=20)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=128)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)


class TripForm(forms.Form):
    entered_on = forms.DateField(label=_("Entered Russia on"), widget=DATE)
    exited_on = forms.DateField(
        label=_("Left Russia on (empty: still there)"), required=False, widget=DATE
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class ExitForm(forms.Form):
    exited_on = forms.DateField(label=_("Left Russia on"), widget=DATE)


class RegistrationForm(forms.Form):
    registered_on = forms.DateField(label=_("Registered on"), widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE)
    address = forms.CharField(label=_("Address"), required=False, max_length=200)


class PatentForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"), choices=PatentRegion.choices)
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE)
    number = forms.CharField(label=_("Patent number"), required=False, max_length=40)


class PaymentForm(forms.Form):
    patent = forms.ChoiceField(label=_("Patent"))
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    months = forms.IntegerField(label=_("Months paid"), min_value=1, max_value=12, initial=1)
    amount = forms.CharField(label=_("Amount"), required=False, max_length=20)

    def __init__(self, *args: object, patents: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["patent"].choices = patents  # type: ignore[attr-defined]


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    dated = forms.DateField(label=_("Date"), widget=DATE)
    number = forms.CharField(label=_("Number"), required=False, max_length=40)


class SettingsForm(forms.Form):
    detailed_reminders = forms.BooleanField(
        label=_(
            "Detailed reminders (they name the deadline; anyone who sees your screen can read them)"
        ),
        required=False,
    )


class RulesDateForm(forms.Form):
    on = forms.DateField(label=_("Rules in force on"), widget=DATE)
