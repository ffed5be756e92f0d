"""The migrant's own record: trips, registrations, patents and payments, documents.

Every value the migrant enters is encrypted field by field (``crypto.py``); only keys, the
owner link and the reminder preference are plain. The record is read only through
``access.py``, which answers a user with their own record or not at all.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from keyholder.migrant.crypto import EncryptedCharField, EncryptedDateField, EncryptedIntegerField


def hash_feed_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_feed_token() -> str:
    # 32 random bytes: the calendar address is its only secret.
    return secrets.token_urlsafe(32)


class MigrantProfile(models.Model):
    """The calendar turned on for one user (a migrant account, or an owner for themselves)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="migrant_profile"
    )
    detailed_reminders = models.BooleanField(default=False)
    # SHA-256 of the calendar feed's token; the raw token is shown once, when made.
    feed_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"migrant calendar of {self.user_id}"


class Item(models.Model):
    """An item of the record: a UUID, and a string that names no value (it may reach a log)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.pk}"


class Trip(Item):
    profile = models.ForeignKey(MigrantProfile, on_delete=models.CASCADE, related_name="trips")
    entered_on = EncryptedDateField(_("entered Russia on"))
    exited_on = EncryptedDateField(_("left Russia on"), null=True, blank=True)
    note = EncryptedCharField(_("note"))


class Registration(Item):
    profile = models.ForeignKey(
        MigrantProfile, on_delete=models.CASCADE, related_name="registrations"
    )
    registered_on = EncryptedDateField(_("registered on"))
    valid_until = EncryptedDateField(_("valid until"), null=True, blank=True)
    address = EncryptedCharField(_("address"))


class PatentRegion(models.TextChoices):
    MOSCOW = "RU-MOW", _("Moscow")
    MOSCOW_OBLAST = "RU-MOS", _("Moscow Oblast")
    ST_PETERSBURG = "RU-SPE", _("St Petersburg")
    LENINGRAD_OBLAST = "RU-LEN", _("Leningrad Oblast")
    OTHER = "other", _("Another region")


class Patent(Item):
    profile = models.ForeignKey(MigrantProfile, on_delete=models.CASCADE, related_name="patents")
    region = EncryptedCharField(_("region"), max_chars=16)
    issued_on = EncryptedDateField(_("issued on"))
    number = EncryptedCharField(_("patent number"), max_chars=40)


class PatentPayment(Item):
    profile = models.ForeignKey(MigrantProfile, on_delete=models.CASCADE, related_name="payments")
    patent = models.ForeignKey(Patent, on_delete=models.CASCADE, related_name="payments")
    paid_on = EncryptedDateField(_("paid on"))
    months = EncryptedIntegerField(_("months paid"))
    amount = EncryptedCharField(_("amount"), max_chars=20)


class DocumentKind(models.TextChoices):
    MEDICAL = "medical", _("Medical examination")
    FINGERPRINTING = "fingerprinting", _("Fingerprinting and photo")
    EXAM = "exam", _("Russian exam certificate")
    CONTRACT = "contract", _("Labour contract signed")
    CONTRACT_COPY = "contract_copy", _("Contract copy given to the MVD")


class Document(Item):
    profile = models.ForeignKey(MigrantProfile, on_delete=models.CASCADE, related_name="documents")
    kind = EncryptedCharField(_("document"), max_chars=20)
    dated = EncryptedDateField(_("date"))
    number = EncryptedCharField(_("number"), max_chars=40)

    def get_kind_label(self) -> str:
        return str(DocumentKind(self.kind).label) if self.kind in DocumentKind.values else ""
