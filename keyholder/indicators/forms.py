"""The official-figure form of the dashboard. It only parses: the rules live in the services."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from keyholder.core.text import NOTE_MAX_LENGTH
from keyholder.indicators import catalogue
from keyholder.indicators.dashboard import OFFICIAL_LABELS


class DateInput(forms.DateInput):
    input_type = "date"


def indicator_choices() -> list[tuple[str, str]]:
    """The publishers' names we know (with a registry equivalent or not), labelled."""
    names = dict.fromkeys([*catalogue.OFFICIAL_EQUIVALENTS, *OFFICIAL_LABELS])
    labelled = []
    for name in names:
        text = OFFICIAL_LABELS.get(name) or (
            catalogue.CATALOGUE[name].label if name in catalogue.CATALOGUE else name
        )
        labelled.append((name, str(text)))
    return sorted(labelled, key=lambda pair: pair[1])


class OfficialFigureForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Figure"), choices=indicator_choices)
    value = forms.DecimalField(
        label=_("Value"), min_value=Decimal(0), max_digits=16, decimal_places=4
    )
    qualifier = forms.ChoiceField(
        label=_("Qualifier"),
        required=False,
        choices=[("", _("exact")), ("about", _("about")), ("more than", _("more than"))],
    )
    as_of = forms.DateField(
        label=_("Date the figure describes"),
        widget=DateInput(),
        help_text=_("The day, or the last day of the period, the source gives."),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=500,
        help_text=_("Who published it, as they name themselves."),
    )
    source_url = forms.URLField(
        label=_("Address of the source (optional)"), required=False, assume_scheme="https"
    )
    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        label=_("Note (optional)"),
        required=False,
        widget=forms.Textarea,
    )
