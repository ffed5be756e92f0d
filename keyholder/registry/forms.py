"""Forms of the registry pages. They only parse input: the services decide what is possible."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keyholder.places.countries import country_choices
from keyholder.registry.models import EventKind, Purpose, Relation, Sex


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class RequestIdForm(forms.Form):
    """Every form carries a UUID made when it was shown, so a double submit saves once."""

    request_id = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("request_id", uuid.uuid4())


class EventForm(RequestIdForm):
    kind = forms.ChoiceField(label=_("What happened"), choices=EventKind.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        help_text=_("For a departure, a deportation or an entry ban."),
    )
    destination = forms.CharField(label=_("Region or city"), required=False, max_length=200)
    purpose = forms.ChoiceField(
        label=_("Purpose"), required=False, choices=[("", "—"), *Purpose.choices]
    )
    until = forms.DateField(
        label=_("Banned until"),
        required=False,
        widget=DateInput(),
        help_text=_("For an entry ban."),
    )
    moved_to = forms.CharField(
        label=_("Moved to"),
        required=False,
        max_length=64,
        # The page offers the nearby places and every district in a <datalist>.
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("For a move within the country: a place code, e.g. TJ-SU-ASHT-SHAYDON."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Country names in the language of the page, the usual destinations first.
        self.fields["country"].choices = [("", "—"), *country_choices()]  # type: ignore[attr-defined]
        self.fields["moved_to"].widget.attrs["list"] = f"{self.prefix or 'event'}-places"
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())


class HouseholdForm(RequestIdForm):
    name = forms.CharField(
        label=_("Household name"), max_length=200, help_text=_("Usually the family name")
    )
    street = forms.CharField(label=_("Street"), required=False, max_length=200)
    number = forms.CharField(label=_("House number"), required=False, max_length=32)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MemberForm(RequestIdForm):
    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), required=False, max_length=100)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    birth_year = forms.IntegerField(label=_("Year of birth"), min_value=1900)
    relation = forms.ChoiceField(
        label=_("Relation to the head of household"),
        choices=Relation.choices,
        initial=Relation.OTHER,
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV or Excel (XLSX), in the format of the export; see “Import format” in the "
            "documentation. Ids are optional."
        ),
    )
