"""Forms of the keeping pages. They only parse: every rule lives in the services."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keyholder.core.text import NOTE_MAX_LENGTH
from keyholder.keeping import checklist
from keyholder.keeping.models import (
    Currency,
    DutyKind,
    FeePeriod,
    IncidentKind,
    PaymentMethod,
    Severity,
    Task,
)

# Every item is phrased so that "yes" is fine: the keyholder answers fine or problem.
YES_NO = [("", _("Not checked")), ("yes", _("✓ Fine")), ("no", _("✗ Problem"))]


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _local_now() -> Any:
    return timezone.localtime().replace(second=0, microsecond=0)


class PositionMixin:
    """The photos' position, filled by the browser when "Attach where I am" is ticked."""

    cleaned_data: dict[str, Any]

    def position(self) -> tuple[float | None, float | None]:
        if not self.cleaned_data.get("attach_position"):
            return None, None
        return self.cleaned_data.get("latitude"), self.cleaned_data.get("longitude")


class VisitForm(PositionMixin, forms.Form):
    # Made when the form is shown, so a double tap or a resend cannot record the visit twice.
    id = forms.UUIDField(widget=forms.HiddenInput)
    checked_in_at = forms.DateTimeField(
        label=_("Arrived"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )
    checked_out_at = forms.DateTimeField(
        label=_("Left"),
        required=False,
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M"],
        help_text=_("Leave empty to use the time you save."),
    )
    tasks = forms.MultipleChoiceField(
        label=_("Tasks done on this visit"), required=False, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # The position comes from the browser when the keyholder ticks the box, never typed.
    attach_position = forms.BooleanField(
        label=_("Attach where I am"),
        required=False,
        help_text=_("Without this, no location is kept with the photos."),
    )
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, tasks: Sequence[Task] = (), **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "id": uuid.uuid4(),
                "checked_in_at": _local_now(),
                "tasks": [str(t.pk) for t in tasks],
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["tasks"].choices = [  # type: ignore[attr-defined]
            (str(t.pk), f"{t.duty.title or DutyKind(t.kind).label} · {t.due_date:%d.%m}")
            for t in tasks
        ]
        kinds = {t.kind for t in tasks} or {DutyKind.SECURITY_ROUND}
        self.checklist_items = checklist.items_for(kinds)
        for item in self.checklist_items:
            name = f"check_{item.key}"
            if item.kind == "yes_no":
                self.fields[name] = forms.ChoiceField(
                    label=str(item.label), choices=YES_NO, required=False, widget=forms.RadioSelect
                )
            else:
                self.fields[name] = forms.CharField(
                    label=str(item.label),
                    required=False,
                    widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                )

    def checklist_fields(self) -> list[forms.BoundField]:
        return [self[f"check_{item.key}"] for item in self.checklist_items]

    def answers(self) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        for item in self.checklist_items:
            value = self.cleaned_data.get(f"check_{item.key}")
            if item.kind == "yes_no":
                if value in ("yes", "no"):
                    answers[item.key] = value == "yes"
            elif value:
                answers[item.key] = value
        return answers


class IncidentForm(PositionMixin, forms.Form):
    id = forms.UUIDField(widget=forms.HiddenInput)
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("What happened"), choices=IncidentKind.choices)
    severity = forms.ChoiceField(
        label=_("How serious"), choices=Severity.choices, widget=forms.RadioSelect
    )
    notes = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    cost_amount = forms.DecimalField(label=_("Cost"), required=False, min_value=0, decimal_places=2)
    cost_currency = forms.ChoiceField(
        label=_("Currency"), choices=[("", "—"), *Currency.choices], required=False
    )
    attach_position = VisitForm.base_fields["attach_position"]
    latitude = VisitForm.base_fields["latitude"]
    longitude = VisitForm.base_fields["longitude"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"id": uuid.uuid4(), "occurred_on": timezone.localdate(), "severity": "moderate"},
        )
        super().__init__(*args, **kwargs)


class ResolveForm(forms.Form):
    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The owners receive this note."),
    )
    cost_amount = forms.DecimalField(label=_("Cost"), required=False, min_value=0, decimal_places=2)
    cost_currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, required=False)


class AskVisitForm(forms.Form):
    due_date = forms.DateField(label=_("Visit by"), widget=DateInput())
    note = forms.CharField(
        label=_("What should the keyholder look at?"),
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"due_date": timezone.localdate()})
        super().__init__(*args, **kwargs)


class PaymentForm(forms.Form):
    id = forms.UUIDField(widget=forms.HiddenInput)
    amount = forms.DecimalField(label=_("Amount"), min_value=0, decimal_places=2)
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    rate = forms.DecimalField(
        label=_("Exchange rate agreed with the owner"),
        help_text=_(
            "Only for money in another currency than the fee: how much of the fee currency one "
            "unit is worth, e.g. 0.12 somoni for a rouble."
        ),
        required=False,
        min_value=0,
        decimal_places=6,
    )
    settled_amount = forms.DecimalField(
        label=_("Amount it settles in the fee currency"),
        help_text=_("Leave empty to compute it from the rate."),
        required=False,
        min_value=0,
        decimal_places=2,
    )
    paid_on = forms.DateField(label=_("Received on"), widget=DateInput())
    method = forms.ChoiceField(label=_("How it was paid"), choices=PaymentMethod.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, currency: str = "TJS", **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"id": uuid.uuid4(), "paid_on": timezone.localdate(), "currency": currency}
        )
        super().__init__(*args, **kwargs)


class DutyForm(forms.Form):
    id = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Duty"), choices=DutyKind.choices)
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    every_days = forms.IntegerField(label=_("Every how many days"), required=False, min_value=1)
    follows_water_turns = forms.BooleanField(
        label=_("Water on the village's water turns"), required=False
    )
    due_date = forms.DateField(
        label=_("Due date (one-off task)"), required=False, widget=DateInput()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"id": uuid.uuid4(), "every_days": 7})
        super().__init__(*args, **kwargs)


class WaterTurnsForm(forms.Form):
    dates = forms.CharField(
        label=_("Water turn dates"),
        help_text=_("One date per line, in the form YYYY-MM-DD."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_dates(self) -> list[Any]:
        field = forms.DateField()
        return [field.clean(line.strip()) for line in self.cleaned_data["dates"].split() if line]


class SeasonForm(forms.Form):
    start = forms.DateField(label=_("Watering season starts"), widget=DateInput())
    end = forms.DateField(label=_("Watering season ends"), widget=DateInput())


class AgreementForm(forms.Form):
    id = forms.UUIDField(widget=forms.HiddenInput)
    house = forms.ChoiceField(label=_("House"))
    start = forms.DateField(label=_("In care from"), widget=DateInput())
    fee_amount = forms.DecimalField(label=_("Fee"), min_value=0, decimal_places=2)
    fee_currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    fee_period = forms.ChoiceField(label=_("Per"), choices=FeePeriod.choices)
    key_label = forms.CharField(label=_("Keys received"), required=False, max_length=200)
    handed_over_by = forms.CharField(label=_("Handed over by"), required=False, max_length=200)

    def __init__(self, *args: Any, houses: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"id": uuid.uuid4(), "start": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["house"].choices = list(houses)  # type: ignore[attr-defined]
