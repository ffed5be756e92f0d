"""What the server last told a user's phones about each record of their scope.

One row per user, record type and record: the digest of the data last sent, or a deletion.
A row is replaced (deleted and inserted again, so it takes a new, higher ``seq``) whenever the
record changes, enters or leaves the user's scope. The pull's cursor is a ``seq``: "every row of
this user after it" is exactly the changes the phone has not seen, each record once, however
often it changed meanwhile. The rows hold no personal data, only ids and digests.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Replica(models.Model):
    seq = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=16)
    # A UUID for field records, a number for water turns.
    record_id = models.CharField(max_length=64)
    # SHA-256 of the JSON sent for the record; empty for a deletion.
    digest = models.CharField(max_length=64, blank=True)
    deleted = models.BooleanField(default=False)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "type", "record_id"], name="field_replica_per_record"
            )
        ]
        indexes = [models.Index(fields=["user", "seq"])]

    def __str__(self) -> str:
        return f"{self.type} {self.record_id} for {self.user_id}"
