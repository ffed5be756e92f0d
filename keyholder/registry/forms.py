"""Forms of the registry pages. They only parse input: the services decide what is possible."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keyholder.core.text import NOTE_MAX_LENGTH
from keyholder.places.countries import country_choices
from keyholder.registry.models import (
    EVENT_DETAILS,
    KIND_DETAILS,
    EventCorrection,
    EventKind,
    MigrationEvent,
    Purpose,
    Relation,
    Sex,
)


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
    """An event's kind, date, note and the details of its kind (``models.KIND_DETAILS``).

    Every detail field is drawn, those of other kinds with the ``hidden`` attribute: the page's
    script (registry/event_form.js) shows the kind's fields when the kind changes, and without
    JavaScript the "show the fields" button posts the form back to be drawn for the new kind.
    The details of other kinds are ignored when the form is read, so a value typed before the
    kind changed is never saved.
    """

    kind = forms.ChoiceField(
        label=_("What happened"),
        choices=EventKind.choices,
        initial=EventKind.DEPARTED,
        widget=forms.Select(attrs={"data-event-kind": ""}),
    )
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
        max_length=NOTE_MAX_LENGTH,
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Country names in the language of the page, the usual destinations first.
        self.fields["country"].choices = [("", "—"), *country_choices()]  # type: ignore[attr-defined]
        self.fields["moved_to"].widget.attrs["list"] = f"{self.prefix or 'event'}-places"
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())

    @property
    def drawn_kind(self) -> str:
        """The kind the form is drawn for: as posted, else as it was shown."""
        if self.is_bound:
            posted = self.data.get(self.add_prefix("kind"), "")
            if posted in KIND_DETAILS:
                return str(posted)
        initial = self.initial.get("kind", self.fields["kind"].initial)
        return str(initial) if initial in KIND_DETAILS else EventKind.DEPARTED

    def laid_out(self) -> list[dict[str, Any]]:
        """The visible fields in order, each detail with the kinds it belongs to and whether
        it belongs to the kind the form is drawn for."""
        kind = self.drawn_kind
        rows = []
        for field in self.visible_fields():
            if field.name in EVENT_DETAILS:
                kinds = [k for k, details in KIND_DETAILS.items() if field.name in details]
                rows.append({"field": field, "kinds": " ".join(kinds), "shown": kind in kinds})
            else:
                rows.append({"field": field, "kinds": None, "shown": True})
        return rows

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if kind in KIND_DETAILS:
            for name in EVENT_DETAILS:
                if name not in KIND_DETAILS[kind]:
                    # A hidden field of another kind: neither its value nor its error counts.
                    self.errors.pop(name, None)
                    cleaned[name] = None if name == "until" else ""
        return cleaned


def event_initial(event: MigrationEvent) -> dict[str, Any]:
    """A correction form's values: the event as it is."""
    return {
        "kind": event.kind,
        "date": event.date,
        "country": event.country,
        "destination": event.destination,
        "purpose": event.purpose,
        "until": event.until,
        "moved_to": event.moved_to.code if event.moved_to is not None else "",
        "note": event.note,
    }


REASON_MAX = EventCorrection._meta.get_field("reason").max_length


def reason_field() -> forms.CharField:
    # Not required here: the service refuses an empty reason with the catalogue's message.
    return forms.CharField(
        label=_("Why"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Kept in the person's history with the change, e.g. “the date was misheard”."),
    )


class CorrectEventForm(EventForm):
    """The event form of a correction: the same fields, drawn with the event, and a reason."""

    is_correction = True
    reason = reason_field()


class RemoveEventForm(forms.Form):
    is_correction = False
    reason = reason_field()


class HouseholdForm(RequestIdForm):
    name = forms.CharField(
        label=_("Household name"), max_length=200, help_text=_("Usually the family name")
    )
    street = forms.CharField(label=_("Street"), required=False, max_length=200)
    number = forms.CharField(label=_("House number"), required=False, max_length=32)
    notes = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
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
