"""The abstract model base of every field record."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Stamped(models.Model):
    """Fields every field record has: a UUID made where it was created, and who made it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_sample = models.BooleanField(default=False)

    class Meta:
        abstract = True
