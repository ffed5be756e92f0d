"""The keeping service: agreements, duties and tasks, visits with photos, incidents, the ledger.

Every field record carries a UUID that the client may make (a keyholder's phone offline), so a
resend is safe. State that follows from history (an agreement's active periods, a ledger's
balance) is derived in ``schedule.py`` and ``ledger.py``, not stored twice.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from keyholder.core.models import Stamped
from keyholder.core.text import NOTE_MAX_LENGTH


class Currency(models.TextChoices):
    TJS = "TJS", _("Tajik somoni")
    RUB = "RUB", _("Russian rouble")
    USD = "USD", _("US dollar")


class FeePeriod(models.TextChoices):
    MONTH = "month", _("per month")
    SEASON = "season", _("per season")
    YEAR = "year", _("per year")


class AgreementStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")


class KeepingAgreement(Stamped):
    """A house entrusted to a keyholder by its owners, for a fee."""

    house = models.ForeignKey(
        "registry.House", on_delete=models.PROTECT, related_name="keeping_agreements"
    )
    keyholder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="kept_agreements"
    )
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="owned_agreements"
    )
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    fee_amount = models.DecimalField(max_digits=12, decimal_places=2)
    fee_currency = models.CharField(max_length=3, choices=Currency.choices)
    fee_period = models.CharField(max_length=8, choices=FeePeriod.choices)
    status = models.CharField(
        max_length=8, choices=AgreementStatus.choices, default=AgreementStatus.ACTIVE
    )
    notes = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)

    class Meta:
        ordering = ["house__street", "house__number", "start"]
        indexes = [models.Index(fields=["keyholder", "status"])]

    def __str__(self) -> str:
        return str(self.house)


class AgreementChange(models.Model):
    """The history of an agreement: every pause, resume and end, with its date."""

    class Kind(models.TextChoices):
        PAUSE = "pause", _("Paused")
        RESUME = "resume", _("Resumed")
        END = "end", _("Ended")

    agreement = models.ForeignKey(
        KeepingAgreement, on_delete=models.CASCADE, related_name="changes"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    date = models.DateField()
    note = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agreement", "date", "created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.date}"


class KeyCustody(Stamped):
    """One key (or bunch) the keyholder holds: who handed it over, when, and when it went back."""

    agreement = models.ForeignKey(KeepingAgreement, on_delete=models.CASCADE, related_name="keys")
    label = models.CharField(max_length=200)
    handed_over_on = models.DateField()
    handed_over_by = models.CharField(max_length=200)
    returned_on = models.DateField(null=True, blank=True)
    returned_to = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["agreement", "handed_over_on", "label"]


class WateringSeason(models.Model):
    """When a village waters its gardens in a year; watering duties fall inside it."""

    village = models.ForeignKey(
        "places.Place", on_delete=models.CASCADE, related_name="watering_seasons"
    )
    year = models.PositiveSmallIntegerField()
    start = models.DateField()
    end = models.DateField()
    is_sample = models.BooleanField(default=False)

    class Meta:
        ordering = ["village", "year"]
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="watering_season_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.start} – {self.end}"


class WaterTurn(models.Model):
    """A date on which the village's irrigation schedule gives water, entered by a keyholder."""

    village = models.ForeignKey(
        "places.Place", on_delete=models.CASCADE, related_name="water_turns"
    )
    date = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_sample = models.BooleanField(default=False)

    class Meta:
        ordering = ["village", "date"]
        constraints = [models.UniqueConstraint(fields=["village", "date"], name="water_turn_date")]

    def __str__(self) -> str:
        return str(self.date)


class DutyKind(models.TextChoices):
    SECURITY_ROUND = "security_round", _("Security round")
    WATERING = "watering", _("Watering")
    OTHER = "other", _("Other task")


class Duty(Stamped):
    """A recurring (or one-off) duty of an agreement, from which tasks are generated.

    - security round: every ``every_days`` days from ``starts_on``;
    - watering: inside the village's watering season, every ``every_days`` days from the season
      start, or on the village's water turns when ``follows_water_turns``;
    - other: once, on ``due_date`` (snow off the roof, airing, the electricity bill).
    """

    agreement = models.ForeignKey(KeepingAgreement, on_delete=models.CASCADE, related_name="duties")
    kind = models.CharField(max_length=16, choices=DutyKind.choices)
    title = models.CharField(max_length=200, blank=True)
    every_days = models.PositiveSmallIntegerField(null=True, blank=True)
    follows_water_turns = models.BooleanField(default=False)
    starts_on = models.DateField()
    due_date = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    # The owner who asked for this one-off visit from their house page (``requests.py``).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requested_duties",
    )

    class Meta:
        ordering = ["agreement", "kind", "starts_on"]

    def __str__(self) -> str:
        return self.title or str(self.get_kind_display())


class TaskStatus(models.TextChoices):
    DUE = "due", _("Due")
    DONE = "done", _("Done")
    MISSED = "missed", _("Missed")


class Task(models.Model):
    """One occurrence of a duty. Generation is idempotent: one task per duty and date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    duty = models.ForeignKey(Duty, on_delete=models.CASCADE, related_name="tasks")
    # Copied from the duty so that the today page and the reports filter without a join.
    agreement = models.ForeignKey(KeepingAgreement, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=16, choices=DutyKind.choices)
    due_date = models.DateField()
    status = models.CharField(max_length=8, choices=TaskStatus.choices, default=TaskStatus.DUE)
    fulfilled_by = models.ForeignKey(
        "Visit", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    # Done by a visit after the task had already counted as missed (``services.late_tasks``): the
    # owner reports count it late, never on time.
    done_late = models.BooleanField(default=False)
    is_sample = models.BooleanField(default=False)

    class Meta:
        ordering = ["due_date", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["duty", "due_date"], name="task_per_duty_and_date")
        ]
        indexes = [models.Index(fields=["agreement", "status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.duty} {self.due_date}"


class Visit(Stamped):
    """A keyholder's visit to a house. The times are when it happened, even if sent later."""

    agreement = models.ForeignKey(KeepingAgreement, on_delete=models.PROTECT, related_name="visits")
    keyholder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="keeping_visits"
    )
    checked_in_at = models.DateTimeField()
    checked_out_at = models.DateTimeField(null=True, blank=True)
    # Answers keyed by the items of ``checklist.ITEMS``.
    checklist = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)

    class Meta:
        ordering = ["-checked_in_at"]
        indexes = [models.Index(fields=["agreement", "checked_in_at"])]


class IncidentKind(models.TextChoices):
    BREAK_IN = "break_in", _("Break-in")
    LEAK = "leak", _("Leak")
    ROOF_DAMAGE = "roof_damage", _("Roof damage")
    FIRE = "fire", _("Fire")
    FLOOD = "flood", _("Flood")
    TREE_DAMAGE = "tree_damage", _("Tree or garden damage")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MODERATE = "moderate", _("Moderate")
    SERIOUS = "serious", _("Serious")


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_HAND = "in_hand", _("In hand")
    RESOLVED = "resolved", _("Resolved")


class Incident(Stamped):
    agreement = models.ForeignKey(
        KeepingAgreement, on_delete=models.PROTECT, related_name="incidents"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="keeping_incidents"
    )
    occurred_on = models.DateField()
    kind = models.CharField(max_length=16, choices=IncidentKind.choices)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    status = models.CharField(
        max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    notes = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    cost_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    cost_currency = models.CharField(max_length=3, choices=Currency.choices, blank=True)
    # What was done about it, said by the keyholder who resolved it (``do_resolve_incident``).
    resolution_note = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_on", "-created_at"]


def pending_photo_path(photo: PendingPhoto, filename: str) -> str:
    return f"keeping/pending/{photo.pk}.jpg"


class PendingPhoto(models.Model):
    """A photo of a form that was refused, kept so the keyholder need not choose it again.

    It is already processed (resized, no metadata), belongs to the user who sent it, and is
    attached when the form is sent again (``pending.py``); after a day it is dropped.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_photos"
    )
    image = models.FileField(upload_to=pending_photo_path)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    taken_at = models.DateTimeField(null=True, blank=True)
    source_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"pending photo {self.pk} of {self.user_id}"


def photo_path(photo: Photo, filename: str) -> str:
    # The name is the photo's UUID: nothing about the house or the person leaks through it.
    return f"keeping/photos/{photo.pk}.jpg"


class Photo(Stamped):
    """A photo of a visit or an incident, resized and stripped of its metadata on upload."""

    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(upload_to=photo_path)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    taken_at = models.DateTimeField(null=True, blank=True)
    # Kept only when the keyholder chooses to attach the position; never inside the file.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # The SHA-256 of the uploaded bytes: an identical resend under the same UUID is a no-op.
    source_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visit__isnull=False) | models.Q(incident__isnull=False),
                name="photo_has_owner",
            )
        ]


class Charge(models.Model):
    """What the fee schedule asks for one period. Generated idempotently per period."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agreement = models.ForeignKey(
        KeepingAgreement, on_delete=models.CASCADE, related_name="charges"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    is_sample = models.BooleanField(default=False)

    class Meta:
        ordering = ["agreement", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "period_start"], name="charge_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} {self.period_start}"


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD_TRANSFER = "card_transfer", _("Card transfer")
    REMITTANCE_SERVICE = "remittance_service", _("Remittance service")
    OTHER = "other", _("Other")


class Payment(Stamped):
    """Money received, in the currency it came in, and what it settles in the fee currency.

    A payment in the fee currency settles its own amount (``rate`` is empty). A payment in
    another currency carries the rate the keyholder and the owner agreed (fee-currency units per
    unit paid) and ``settled_amount`` = amount × rate. A payment in another currency recorded
    before rates existed has no ``settled_amount``: the ledger shows it apart, "awaiting a
    rate", and counts it in no balance.
    """

    agreement = models.ForeignKey(
        KeepingAgreement, on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    rate = models.DecimalField(max_digits=14, decimal_places=6, null=True, blank=True)
    settled_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    paid_on = models.DateField()
    method = models.CharField(max_length=24, choices=PaymentMethod.choices)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["agreement", "paid_on"]


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """The secret address of a keyholder's iCalendar feed; a new token revokes the old one.

    Only the SHA-256 of the token is stored (``accounts.models.hash_token``): the address is
    shown once, when it is made or renewed, and a copy of the database opens no feed.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="keeping_calendar"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the current address was made (a renewal makes a new one).
    renewed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"calendar of {self.user_id}"


class OwnerInvite(models.Model):
    """A one-time link that brings a household's owner into their house's agreement.

    Only the SHA-256 of the token is stored: the raw link goes out once (in the message, or on
    the keyholder's page to pass on by hand). A link is used at most once and expires.
    """

    class Via(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone, passed on by hand")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agreement = models.ForeignKey(
        KeepingAgreement, on_delete=models.CASCADE, related_name="owner_invites"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="owner_invites"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=8, choices=Via.choices)
    # The email address or phone number the invitation was made for.
    address = models.CharField(max_length=254)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invite of {self.user_id} to {self.agreement_id}"
