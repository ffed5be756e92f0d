"""Photos are resized and stripped of every EXIF tag; a position is kept only when asked for."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from keyholder.keeping import services
from keyholder.keeping.models import Photo
from keyholder.keeping.tests.conftest import Kept
from keyholder.testing import Cast, bearer, jpeg


def _visit(cast: Cast, kept: Kept) -> str:
    visit, _ = services.do_record_visit(
        actor=cast.keyholder,
        agreement=kept.agreement,
        checked_in_at=timezone.now() - dt.timedelta(minutes=5),
    )
    return str(visit.pk)


def test_the_stored_file_has_no_gps_and_the_position_only_when_asked(
    cast: Cast, kept: Kept, client
) -> None:
    original = jpeg(size=(3000, 1000), gps=(39.95, 70.12))
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # GPS is there to begin with
    visit = _visit(cast, kept)
    headers = bearer(cast.keyholder)

    plain = client.post(
        "/api/v1/keeping/photos",
        {
            "visit": visit,
            "latitude": "39.95",
            "longitude": "70.12",
            "image": SimpleUploadedFile("a.jpg", original, "image/jpeg"),
        },
        **headers,
    )
    placed = client.post(
        "/api/v1/keeping/photos",
        {
            "visit": visit,
            "attach_position": "true",
            "latitude": "39.95",
            "longitude": "70.12",
            "image": SimpleUploadedFile("b.jpg", jpeg(gps=(40.0, 70.0), taken=None), "image/jpeg"),
        },
        **headers,
    )

    assert plain.status_code == 201, plain.json()
    assert placed.status_code == 201, placed.json()
    assert (plain.json()["latitude"], plain.json()["longitude"]) == (None, None)
    assert (placed.json()["latitude"], placed.json()["longitude"]) == (39.95, 70.12)
    assert placed.json()["taken_at"] is None
    for photo in Photo.objects.all():
        with photo.image.open("rb") as handle:
            data = handle.read()
        stored = Image.open(io.BytesIO(data))
        assert stored.format == "JPEG"
        assert not stored.getexif()
        assert b"Exif" not in data and b"PhoneMaker" not in data
        assert max(stored.size) <= 1600
    wide = Photo.objects.get(pk=plain.json()["id"])
    assert (wide.width, wide.height) == (1600, 533)

    image = client.get(f"/api/v1/keeping/photos/{wide.pk}/image", **headers)
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"


def test_it_refuses_a_file_that_is_not_a_photo(cast: Cast, kept: Kept, client) -> None:
    response = client.post(
        "/api/v1/keeping/photos",
        {
            "visit": _visit(cast, kept),
            "image": SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg"),
        },
        **bearer(cast.keyholder),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "keeping.photo_unreadable"
    assert not Photo.objects.exists()


def test_an_incident_takes_photos_and_the_owner_cannot_add_any(
    cast: Cast, kept: Kept, client
) -> None:
    incident = client.post(
        "/api/v1/keeping/incidents",
        {
            "agreement": str(kept.agreement.pk),
            "occurred_on": kept.today.isoformat(),
            "kind": "flood",
            "severity": "moderate",
        },
        content_type="application/json",
        **bearer(cast.keyholder),
    ).json()

    added = client.post(
        "/api/v1/keeping/photos",
        {"incident": incident["id"], "image": SimpleUploadedFile("f.jpg", jpeg(), "image/jpeg")},
        **bearer(cast.keyholder),
    )
    by_owner = client.post(
        "/api/v1/keeping/photos",
        {"incident": incident["id"], "image": SimpleUploadedFile("g.jpg", jpeg(), "image/jpeg")},
        **bearer(cast.owner),
    )

    assert added.status_code == 201 and added.json()["incident"] == incident["id"]
    assert by_owner.status_code == 403
    listed = client.get(
        f"/api/v1/keeping/incidents?agreement={kept.agreement.pk}", **bearer(cast.owner)
    ).json()
    assert [p["id"] for p in listed["results"][0]["photos"]] == [added.json()["id"]]
