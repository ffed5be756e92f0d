"""Field-level encryption of the migrant's record, with keys from ``KEYHOLDER_MIGRANT_KEY``.

Each value is encrypted on its own with Fernet (AES-128-CBC with HMAC-SHA256, from the
``cryptography`` package); the database holds only the tokens. ``MIGRANT_KEYS`` is a list:
the first key encrypts, every key decrypts (``MultiFernet``), so a key is rotated by putting a
new one first, running ``keyholder migrant_rotate_key`` and then dropping the old one
(docs/migrant.md). Without a key outside DEBUG the calendar refuses to work rather than
storing anything readable.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(
            "Set KEYHOLDER_MIGRANT_KEY_FILE (a file with one Fernet key per line, the newest "
            "first): the migrant's calendar stores nothing without it."
        )
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.MIGRANT_KEYS))


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A migrant record cannot be decrypted with the configured keys: is the key that "
            "encrypted it still in KEYHOLDER_MIGRANT_KEY_FILE?"
        ) from exc


def rotate(token: str) -> str:
    """``token`` encrypted again with the first key (no-op in meaning)."""
    return fernet().rotate(token.encode()).decode()


class EncryptedField(models.Field[Any, Any]):
    """A value stored as a Fernet token (a text column); subclasses say how the value becomes
    text."""

    def get_internal_type(self) -> str:
        return "TextField"

    def to_text(self, value: Any) -> str:
        return str(value)

    def from_text(self, text: str) -> Any:
        return text

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return self.from_text(decrypt(value))

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return encrypt(self.to_text(self.to_python(value)))

    def to_python(self, value: Any) -> Any:
        return value


class EncryptedCharField(EncryptedField):
    def __init__(self, *args: Any, max_chars: int = 200, **kwargs: Any) -> None:
        self.max_chars = max_chars
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["max_chars"] = self.max_chars
        return name, path, args, kwargs

    def formfield(
        self, form_class: Any = None, choices_form_class: Any = None, **kwargs: Any
    ) -> Any:
        return forms.CharField(
            label=self.verbose_name, required=not self.blank, max_length=self.max_chars
        )


class EncryptedDateField(EncryptedField):
    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value))

    def to_text(self, value: Any) -> str:
        return str(value.isoformat())

    def from_text(self, text: str) -> Any:
        return dt.date.fromisoformat(text)

    def formfield(
        self, form_class: Any = None, choices_form_class: Any = None, **kwargs: Any
    ) -> Any:
        return forms.DateField(
            label=self.verbose_name,
            required=not self.null,
            widget=forms.DateInput(attrs={"type": "date"}),
        )


class EncryptedIntegerField(EncryptedField):
    def to_python(self, value: Any) -> Any:
        return None if value is None else int(value)

    def from_text(self, text: str) -> Any:
        return int(text)

    def formfield(
        self, form_class: Any = None, choices_form_class: Any = None, **kwargs: Any
    ) -> Any:
        return forms.IntegerField(label=self.verbose_name, min_value=1, max_value=12)
