"""A refused visit or incident form keeps its photos, without JavaScript too.

The server keeps each readable photo of the refused form as a pending photo of the user (a
day), shows its thumbnail with a hidden id, and the next sending attaches it.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from keyholder.keeping.models import Incident, PendingPhoto, Visit
from keyholder.keeping.tests.conftest import Kept
from keyholder.testing import Cast, jpeg, signed_in


def test_a_refused_incident_keeps_its_photo_and_the_next_sending_attaches_it(
    cast: Cast, kept: Kept
) -> None:
    keyholder = signed_in(cast.keyholder)
    url = reverse("keeping:incident_new", args=[kept.agreement.pk])
    form = {
        "id": str(uuid.uuid4()),
        "occurred_on": (kept.today + dt.timedelta(days=3)).isoformat(),
        "kind": "leak",
        "severity": "moderate",
        "notes": "Қубур шикаст.",
    }

    refused = keyholder.post(
        url,
        {**form, "photos": SimpleUploadedFile("pipe.jpg", jpeg(size=(2000, 1500)), "image/jpeg")},
    )

    assert refused.status_code == 400
    page = refused.content.decode()
    kept_photo = PendingPhoto.objects.get()
    assert kept_photo.user == cast.keyholder and kept_photo.width == 1600
    assert f'name="pending" value="{kept_photo.pk}"' in page
    assert reverse("keeping:pending_photo", args=[kept_photo.pk]) in page
    assert "Қубур шикаст." in page
    thumb = keyholder.get(reverse("keeping:pending_photo", args=[kept_photo.pk]))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    # Nobody else sees it.
    owner = signed_in(cast.owner)
    assert owner.get(reverse("keeping:pending_photo", args=[kept_photo.pk])).status_code == 404
    assert not Incident.objects.exists()

    saved = keyholder.post(
        url, {**form, "occurred_on": kept.today.isoformat(), "pending": str(kept_photo.pk)}
    )

    assert saved.status_code == 302
    incident = Incident.objects.get()
    photo = incident.photos.get()
    assert photo.pk == kept_photo.pk and photo.source_sha256 == kept_photo.source_sha256
    assert photo.taken_at is not None
    assert not PendingPhoto.objects.exists()


def test_a_refused_visit_keeps_its_photos_and_what_was_typed(cast: Cast, kept: Kept) -> None:
    keyholder = signed_in(cast.keyholder)
    url = reverse("keeping:visit_new", args=[kept.agreement.pk])
    arrived = dt.datetime.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=30)
    form = {
        "id": str(uuid.uuid4()),
        "checked_in_at": arrived.strftime("%Y-%m-%dT%H:%M"),
        "check_no_signs_of_entry": "no",
        "notes": "",
        "taken_at": "2026-11-03T09:30:00",
    }

    # A failed check without a note is refused: the photo stays, with the time the phone read.
    refused = keyholder.post(
        url,
        {**form, "photos": SimpleUploadedFile("a.jpg", jpeg(taken=None), "image/jpeg")},
    )

    assert refused.status_code == 400
    pending = PendingPhoto.objects.get()
    assert pending.taken_at is not None and pending.taken_at.date() == dt.date(2026, 11, 3)
    assert f'value="{pending.pk}"' in refused.content.decode()

    saved = keyholder.post(
        url, {**form, "notes": "Қулф шикаста.", "pending": str(pending.pk), "taken_at": ""}
    )

    assert saved.status_code == 302
    visit = Visit.objects.get()
    assert [p.pk for p in visit.photos.all()] == [pending.pk]
    assert not PendingPhoto.objects.exists()
