"""Done when: an owner who wants every visit gets ``visit_report`` with a small photo; a
problems-only owner hears nothing of a clean visit; a weekly owner gets one digest per ISO week;
and a house whose owners cannot be reached says so on the keyholder's pages."""

from __future__ import annotations

import datetime as dt
import io
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from keyholder.keeping import services
from keyholder.keeping.tests.conftest import Kept
from keyholder.keeping.visit_messages import WEEKLY_DIGEST, queue_weekly_digests
from keyholder.notify.models import Message
from keyholder.notify.tests.helpers import set_channel
from keyholder.testing import Cast, jpeg, signed_in


def _clean_visit(kept: Kept, **extra: object) -> dict[str, object]:
    arrived = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(minutes=35)
    return {
        "id": str(uuid.uuid4()),
        "checked_in_at": arrived.strftime("%Y-%m-%dT%H:%M"),
        "checked_out_at": (arrived + dt.timedelta(minutes=25)).strftime("%Y-%m-%dT%H:%M"),
        "check_doors_windows_locked": "yes",
        "check_no_signs_of_entry": "yes",
        **extra,
    }


def test_every_visit_owner_gets_a_report_with_a_small_photo(cast: Cast, kept: Kept) -> None:
    set_channel(cast.owner, "email", "ru", email="owner@example.org")
    keyholder = signed_in(cast.keyholder)
    url = reverse("keeping:visit_new", args=[kept.agreement.pk])
    data = _clean_visit(kept, photos=SimpleUploadedFile("a.jpg", jpeg(), "image/jpeg"))

    assert keyholder.post(url, data).status_code == 302
    assert keyholder.post(url, data).status_code == 302

    [message] = Message.objects.filter(template="visit_report")
    assert message.recipient == cast.owner and message.language == "ru"
    assert "✓" in message.body and "25" in message.body
    assert "/keeping/visits/" in message.body
    [attachment] = message.attachments.all()
    assert attachment.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(bytes(attachment.content)))
    assert max(image.size) <= 640


def test_a_problems_only_owner_hears_only_of_problems(cast: Cast, kept: Kept) -> None:
    cast.owner.visit_reports = "problems"
    cast.owner.save()
    services.do_record_visit(
        actor=cast.keyholder,
        agreement=kept.agreement,
        checked_in_at=timezone.now() - dt.timedelta(hours=2),
        checklist_answers={"roof_ok": True},
    )
    assert not Message.objects.filter(template="visit_report").exists()
    services.do_record_visit(
        actor=cast.keyholder,
        agreement=kept.agreement,
        checked_in_at=timezone.now() - dt.timedelta(hours=1),
        checklist_answers={"roof_ok": False},
        notes="Шифер афтидааст.",
        photos=[services.PhotoUpload(data=jpeg(gps=None))],
    )
    [message] = Message.objects.filter(template="visit_report")
    assert "✗" in message.body


def test_the_weekly_digest_is_queued_once_per_week(cast: Cast, kept: Kept) -> None:
    cast.owner.visit_reports = "weekly"
    cast.owner.save()
    today = timezone.localdate()
    last_week = today - dt.timedelta(days=today.isoweekday() + 2)
    at = timezone.make_aware(dt.datetime.combine(last_week, dt.time(10, 0)))
    services.do_record_visit(
        actor=cast.keyholder,
        agreement=kept.agreement,
        checked_in_at=at,
        checked_out_at=at + dt.timedelta(minutes=20),
        checklist_answers={"roof_ok": True},
    )
    assert not Message.objects.filter(template="visit_report").exists()

    assert queue_weekly_digests(today) == 1
    assert queue_weekly_digests(today) == 0
    assert queue_weekly_digests(today + dt.timedelta(days=(7 - today.isoweekday()))) == 0

    [digest] = Message.objects.filter(template="visit_digest")
    assert digest.recipient == cast.owner
    assert f"{at:%H:%M}" in digest.body or "10:00" in digest.body
    # The next week brings the next digest.
    assert queue_weekly_digests(today + dt.timedelta(days=7)) == 1
    from keyholder.core import periodic

    assert WEEKLY_DIGEST in periodic.registered()


def test_the_keyholder_is_told_when_no_owner_can_be_reached(cast: Cast, kept: Kept) -> None:
    set_channel(cast.owner, "none", "tg")
    keyholder = signed_in(cast.keyholder)
    visit, _ = services.do_record_visit(
        actor=cast.keyholder,
        agreement=kept.agreement,
        checked_in_at=timezone.now() - dt.timedelta(hours=1),
        checklist_answers={"roof_ok": False},
        notes="Шифер афтидааст.",
        photos=[services.PhotoUpload(data=jpeg(gps=None))],
    )
    page = keyholder.get(reverse("keeping:visit", args=[visit.pk])).content.decode()
    assert 'data-owners-reachable="no"' in page
    # A failed check that raised no incident is offered as one, with the note carried over.
    offer = reverse("keeping:incident_new", args=[kept.agreement.pk]) + f"?visit={visit.pk}"
    assert offer in page
    form = keyholder.get(offer).content.decode()
    assert 'data-owners-reachable="no"' in form and "Шифер афтидааст." in form
    response = keyholder.post(
        offer,
        {
            "id": str(services.incident_id_for(visit.pk)),
            "visit": str(visit.pk),
            "occurred_on": timezone.localdate().isoformat(),
            "kind": "roof_damage",
            "severity": "moderate",
            "notes": "Шифер афтидааст.",
        },
    )
    assert response.status_code == 302
    incident = kept.agreement.incidents.get()
    assert [p.visit_id for p in incident.photos.all()] == [visit.pk]
    page = keyholder.get(reverse("keeping:visit", args=[visit.pk])).content.decode()
    assert offer not in page
