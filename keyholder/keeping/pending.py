"""Photos of a refused form, kept so the keyholder does not have to choose them again.

A visit or incident form refused (an empty field, a date in the future, a failed check without
a note) used to drop the photos chosen on a slow phone. Now the page keeps each readable photo as
a ``PendingPhoto`` of the user, already processed (resized, no metadata), shows its thumbnail
with a hidden id, and the next sending attaches it (``as_uploads``), in the same transaction as
the visit or incident, which also deletes the pending rows (``do_take_pending``). A pending photo
lasts a day; expired ones are dropped whenever someone keeps new ones.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from keyholder.accounts.models import AuditLog, User
from keyholder.accounts.services import audit
from keyholder.core.errors import ServiceError
from keyholder.keeping.models import PendingPhoto
from keyholder.keeping.photos import ProcessedPhoto, process_photo
from keyholder.keeping.services import PhotoUpload

KEPT_FOR = dt.timedelta(days=1)
# A refused form keeps at most this many photos: a form is not a place to store an album.
MAX_PENDING = 12


def pending_of(user: User, ids: Iterable[object]) -> list[PendingPhoto]:
    """The user's own unexpired pending photos among ``ids`` (anything else is ignored)."""
    wanted = []
    for value in ids:
        try:
            wanted.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    if not wanted or not user.is_authenticated:
        return []
    return list(
        PendingPhoto.objects.filter(pk__in=wanted, user=user, expires_at__gt=timezone.now())
    )


def _drop(rows: Sequence[PendingPhoto]) -> None:
    names = [row.image.name for row in rows]
    PendingPhoto.objects.filter(pk__in=[row.pk for row in rows]).delete()

    def delete_files() -> None:
        for name in names:
            PendingPhoto.image.field.storage.delete(name)

    transaction.on_commit(delete_files)


@transaction.atomic
def do_keep_pending(
    *, actor: User, files: Sequence[tuple[bytes, dt.datetime | None]]
) -> list[PendingPhoto]:
    """Keep the readable photos of a refused form for a day; unreadable ones are left out.

    Each file comes with the capture time the phone read before shrinking it, if any.
    """
    _drop(list(PendingPhoto.objects.filter(expires_at__lte=timezone.now())))
    kept = []
    for data, taken_at in files[:MAX_PENDING]:
        try:
            processed = process_photo(data)
        except ServiceError:
            continue
        row = PendingPhoto(
            id=uuid.uuid4(),
            user=actor,
            width=processed.width,
            height=processed.height,
            taken_at=processed.taken_at or taken_at,
            source_sha256=processed.source_sha256,
            expires_at=timezone.now() + KEPT_FOR,
        )
        row.image.save(f"{row.pk}.jpg", ContentFile(processed.content), save=False)
        row.save(force_insert=True)
        kept.append(row)
    if kept:
        audit(actor, AuditLog.Action.CREATE, "pending_photo", "", count=len(kept))
    return kept


def as_uploads(
    rows: Sequence[PendingPhoto],
    *,
    latitude: float | None = None,
    longitude: float | None = None,
    taken_at: dt.datetime | None = None,
) -> list[PhotoUpload]:
    """Pending photos as uploads of the form sent again; each keeps its id as the photo's."""
    uploads = []
    for row in rows:
        with row.image.open("rb") as f:
            content = f.read()
        uploads.append(
            PhotoUpload(
                data=content,
                id=row.pk,
                latitude=latitude,
                longitude=longitude,
                taken_at=taken_at,
                processed=ProcessedPhoto(
                    content=content,
                    width=row.width,
                    height=row.height,
                    taken_at=row.taken_at,
                    source_sha256=row.source_sha256,
                ),
            )
        )
    return uploads


def do_take_pending(rows: Sequence[PendingPhoto]) -> None:
    """Drop the pending photos a saved visit or incident took (call inside its transaction)."""
    if rows:
        _drop(rows)
