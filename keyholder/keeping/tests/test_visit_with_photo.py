"""Recording a visit with a photo fulfils its tasks, and the owner's report shows it."""

from __future__ import annotations

import datetime as dt
import io
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from keyholder.keeping.models import Photo, Task, TaskStatus, Visit
from keyholder.keeping.tests.conftest import Kept
from keyholder.testing import Cast, bearer, jpeg, signed_in


def _open_tasks(kept: Kept) -> list[Task]:
    return list(kept.agreement.tasks.filter(status=TaskStatus.DUE, due_date__lte=kept.today))


def test_it_fulfils_the_tasks_and_the_owner_report_shows_the_visit(cast: Cast, kept: Kept) -> None:
    keyholder = signed_in(cast.keyholder)
    form_url = reverse("keeping:visit_new", args=[kept.agreement.pk])
    form = keyholder.get(form_url)
    assert form.status_code == 200
    tasks = _open_tasks(kept)
    assert len(tasks) == 2
    arrived = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    data = {
        "id": str(uuid.uuid4()),
        "checked_in_at": arrived.strftime("%Y-%m-%dT%H:%M"),
        "tasks": [str(t.pk) for t in tasks],
        "check_doors_windows_locked": "yes",
        "check_no_leaks": "no",
        "check_trees_watered": "yes",
        "check_meter_reading": "10452",
        "notes": "Дар қулф, дарахтон об дода шуданд.",
        "photos": SimpleUploadedFile("IMG_0001.jpg", jpeg(), "image/jpeg"),
    }

    response = keyholder.post(form_url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    visit = Visit.objects.get()
    assert visit.checked_in_at == arrived
    assert visit.checklist == {
        "doors_windows_locked": True,
        "no_leaks": False,
        "trees_watered": True,
        "meter_reading": "10452",
    }
    assert {t.status for t in Task.objects.filter(pk__in=[t.pk for t in tasks])} == {"done"}
    assert set(visit.tasks.values_list("pk", flat=True)) == {t.pk for t in tasks}
    photo = Photo.objects.get()
    assert photo.visit == visit
    assert max(photo.width, photo.height) == 1600
    assert photo.latitude is None and photo.longitude is None
    with photo.image.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
        assert not stored.getexif()
        assert "exif" not in stored.info

    # The today page has nothing left for this house.
    today = keyholder.get(reverse("keeping:today")).content.decode()
    assert all(f'data-task="{t.pk}"' not in today for t in tasks)

    # The owner's report of this month shows the visit, the problem found and the photo.
    owner = signed_in(cast.owner)
    month = kept.today.strftime("%Y-%m")
    report = owner.get(reverse("keeping:owner_report", args=[kept.agreement.pk, month]))
    assert report.status_code == 200
    page = report.content.decode()
    assert f'data-visit="{visit.pk}"' in page
    assert "10452" in page
    assert "Дар қулф, дарахтон об дода шуданд." in page
    assert reverse("keeping:photo", args=[photo.pk]) in page
    assert owner.get(reverse("keeping:photo", args=[photo.pk])).status_code == 200

    # Sending the same form again (a double tap) records nothing twice.
    data["photos"] = SimpleUploadedFile("IMG_0001.jpg", jpeg(), "image/jpeg")
    again = keyholder.post(form_url, data)
    assert again.status_code == 302
    assert Visit.objects.count() == 1 and Photo.objects.count() == 1


def test_it_keeps_the_time_of_a_visit_sent_later_and_applies_uuid_rules(
    cast: Cast, kept: Kept, client
) -> None:
    headers = bearer(cast.keyholder)
    task = kept.agreement.tasks.filter(kind="watering", due_date__lt=kept.today).get()
    happened = timezone.now() - dt.timedelta(days=1, hours=3)
    body = {
        "id": str(uuid.uuid4()),
        "agreement": str(kept.agreement.pk),
        "checked_in_at": happened.isoformat(),
        "checked_out_at": (happened + dt.timedelta(minutes=20)).isoformat(),
        "tasks": [str(task.pk)],
        "checklist": {"trees_watered": True},
        "notes": "",
    }
    url = "/api/v1/keeping/visits"

    created = client.post(url, body, content_type="application/json", **headers)
    resent = client.post(url, body, content_type="application/json", **headers)
    changed = client.post(
        url, {**body, "notes": "other"}, content_type="application/json", **headers
    )

    assert created.status_code == 201, created.json()
    assert resent.status_code == 200
    assert changed.status_code == 409 and changed.json()["code"] == "conflict.uuid"
    visit = Visit.objects.get()
    assert visit.checked_in_at == happened.replace(microsecond=happened.microsecond)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.fulfilled_by == visit

    # A photo added by multipart keeps its capture time; a task cannot be fulfilled twice.
    photo = client.post(
        "/api/v1/keeping/photos",
        {"visit": str(visit.pk), "image": SimpleUploadedFile("a.jpg", jpeg(), "image/jpeg")},
        **headers,
    )
    assert photo.status_code == 201, photo.json()
    assert photo.json()["taken_at"].startswith("2026-11-28T09:15:00")
    report = client.get(
        f"/api/v1/keeping/agreements/{kept.agreement.pk}/reports/{happened:%Y-%m}",
        **bearer(cast.owner),
    ).json()
    assert (report["agreement"], report["month"]) == (str(kept.agreement.pk), f"{happened:%Y-%m}")
    assert [v["visit_id"] for v in report["visits"]] == [str(visit.pk)]
    assert report["visits"][0]["problems"] == [] and report["visits"][0]["photo_count"] == 1
    assert report["photos"] == [photo.json()["id"]]
    twice = client.post(
        url, {**body, "id": str(uuid.uuid4())}, content_type="application/json", **headers
    )
    assert twice.status_code == 409 and twice.json()["code"] == "keeping.task_already_done"


def test_it_refuses_a_visit_in_the_future_or_by_the_owner(cast: Cast, kept: Kept, client) -> None:
    body = {
        "agreement": str(kept.agreement.pk),
        "checked_in_at": (timezone.now() + dt.timedelta(days=1)).isoformat(),
    }
    future = client.post(
        "/api/v1/keeping/visits",
        body,
        content_type="application/json",
        **bearer(cast.keyholder),
    )
    assert future.status_code == 400 and future.json()["code"] == "keeping.time_in_future"
    body["checked_in_at"] = timezone.now().isoformat()
    by_owner = client.post(
        "/api/v1/keeping/visits",
        body,
        content_type="application/json",
        **bearer(cast.owner),
    )
    assert by_owner.status_code == 403
    assert (
        signed_in(cast.owner)
        .get(reverse("keeping:visit_new", args=[kept.agreement.pk]))
        .status_code
        == 403
    )
    assert Visit.objects.count() == 0
