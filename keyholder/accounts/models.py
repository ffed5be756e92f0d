"""Users with one role and an area scope, API tokens and the audit log."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    OFFICER = "officer", _("Officer")
    ENUMERATOR = "enumerator", _("Enumerator")
    KEYHOLDER = "keyholder", _("Keyholder")
    OWNER = "owner", _("Owner")
    # Keeps their own legal calendar in Russia (keyholder/migrant) and sees nothing else.
    MIGRANT = "migrant", _("Migrant")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    TELEGRAM = "telegram", _("Telegram")
    NONE = "none", _("No messages")


class VisitReports(models.TextChoices):
    """How often an owner hears about the keyholder's visits (a serious incident goes at once)."""

    EVERY = "every", _("After every visit")
    WEEKLY = "weekly", _("A weekly digest")
    PROBLEMS = "problems", _("Only when a check finds a problem")


class User(AbstractUser):
    """A person who signs in. Anonymous visitors are the public role and have no row.

    The scope says where the role applies: an officer's district, region or country; an
    enumerator's villages; a keyholder's village. An owner is tied to one household instead.
    """

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.OFFICER)
    places = models.ManyToManyField(
        "places.Place", blank=True, related_name="scoped_users", verbose_name=_("area scope")
    )
    household = models.ForeignKey(
        "registry.Household",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owner_accounts",
    )
    language = models.CharField(
        max_length=8, choices=[("tg", "Тоҷикӣ"), ("ru", "Русский"), ("en", "English")], default="tg"
    )
    phone = models.CharField(max_length=20, blank=True)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.EMAIL)
    telegram_chat_id = models.CharField(max_length=64, blank=True)
    visit_reports = models.CharField(
        max_length=16, choices=VisitReports.choices, default=VisitReports.EVERY
    )

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the raw value is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"token of {self.user_id} from {self.created_at:%Y-%m-%d}"

    @staticmethod
    def new_raw_key() -> str:
        return secrets.token_urlsafe(32)


class AuditLog(models.Model):
    """Who did what to which record, and when. Reads of personal records are logged too.

    A list of records read in one request is one ``read_list`` row: the filter and the count in
    ``detail``, the ids shown in ``object_ids`` (space-separated, so that a search for one id
    finds the lists that showed it). Rows older than ``AUDIT_RETENTION_DAYS`` are deleted by a
    periodic job (keyholder/accounts/retention.py).
    """

    class Action(models.TextChoices):
        READ = "read", _("read")
        CREATE = "create", _("create")
        UPDATE = "update", _("update")
        DELETE = "delete", _("delete")
        EXPORT = "export", _("export")
        IMPORT = "import", _("import")
        SIGN_IN = "sign_in", _("sign in")
        READ_LIST = "read_list", _("read a list")
        TOKEN_USE = "token_use", _("API token used")
        REFUSED = "refused", _("refused")

    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    # The ids a list showed, space-separated: compact for a page of 500 and searchable.
    object_ids = models.TextField(blank=True, default="")
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # The audit page searches by user or by action, newest first.
            models.Index(fields=["user", "at"], name="audit_user_at"),
            models.Index(fields=["action", "at"], name="audit_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.object_type}"

    @property
    def shown_ids(self) -> list[str]:
        return self.object_ids.split()
