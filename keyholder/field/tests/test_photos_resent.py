"""A visit's photo sent after the visit: stripped of its metadata, and a resend answers exists."""

from __future__ import annotations

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from keyholder.field.tests.conftest import FieldDay
from keyholder.keeping import services
from keyholder.keeping.models import Photo
from keyholder.testing import Cast, bearer, jpeg


def test_a_resent_photo_answers_exists_and_keeps_no_exif(
    client: Client, cast: Cast, field_day: FieldDay
) -> None:
    visit, _ = services.do_record_visit(
        actor=cast.keyholder, agreement=field_day.agreement, checked_in_at=timezone.now()
    )
    auth = bearer(cast.keyholder)
    photo_id = str(uuid.uuid4())
    taken = timezone.now().replace(microsecond=0).isoformat()

    def send(data: bytes) -> tuple[int, dict]:
        response = client.post(
            "/api/v1/sync/photos",
            {
                "id": photo_id,
                "visit": str(visit.pk),
                "taken_at": taken,
                "image": SimpleUploadedFile("IMG_1.jpg", data, "image/jpeg"),
            },
            **auth,
        )
        return response.status_code, response.json()

    image = jpeg(taken=None)
    assert send(image) == (
        201,
        {"id": photo_id, "result": "created", "code": None, "message": None, "field": None},
    )
    assert send(image)[0] == 200 and send(image)[1]["result"] == "exists"
    assert Photo.objects.count() == 1
    photo = Photo.objects.get()
    assert photo.taken_at is not None and photo.taken_at.isoformat() == taken
    with photo.image.open("rb") as handle:
        stored = Image.open(handle)
        stored.load()
        assert not stored.getexif()
    # Another image under the same id is a conflict; another keyholder gets 404.
    status, body = send(jpeg(size=(800, 600)))
    assert status == 409 and body["code"] == "conflict.uuid"
    response = client.post(
        "/api/v1/sync/photos",
        {
            "id": str(uuid.uuid4()),
            "visit": str(visit.pk),
            "image": SimpleUploadedFile("a.jpg", image, "image/jpeg"),
        },
        **bearer(cast.outsider),
    )
    assert response.status_code == 404
