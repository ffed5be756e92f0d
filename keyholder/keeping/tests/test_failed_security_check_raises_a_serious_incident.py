"""Done when: a visit that finds signs of entry, posted on the keyholder's page, raises a serious
incident in the same transaction; its message reaches each owner exactly once by their channel
and in their language; the visit page and the owner's PDF show it as a problem; and a failed
check without a note or a photo is refused with its code, the form keeping what was entered."""

from __future__ import annotations

import datetime as dt
import io
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from keyholder.accounts.models import Role
from keyholder.core.errors import CATALOGUE, Code
from keyholder.keeping import checklist
from keyholder.keeping.models import Incident, IncidentKind, Photo, Visit
from keyholder.keeping.tests.conftest import Kept
from keyholder.notify.models import Message, MessageStatus
from keyholder.notify.tests.conftest import BOT_TOKEN, BotApi, SmtpServer
from keyholder.notify.tests.helpers import run_worker, set_channel
from keyholder.testing import Cast, bearer, jpeg, make_user, signed_in


def _problem(key: str, language: str) -> str:
    with translation.override(language):
        return str(checklist.ITEMS[key].problem_label)


def _visit_form(**extra: object) -> dict[str, object]:
    arrived = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(minutes=50)
    return {
        "id": str(uuid.uuid4()),
        "checked_in_at": arrived.strftime("%Y-%m-%dT%H:%M"),
        "check_doors_windows_locked": "yes",
        "check_no_signs_of_entry": "no",
        **extra,
    }


def test_signs_of_entry_raise_a_serious_incident_that_reaches_each_owner_once(
    cast: Cast, kept: Kept, smtp_server: SmtpServer, bot_api: BotApi
) -> None:
    by_email = set_channel(cast.owner, "email", "ru", email="owner@example.org")
    by_telegram = make_user(
        "sister-abroad", Role.OWNER, channel="telegram", language="tg", telegram_chat_id="777"
    )
    kept.agreement.owners.add(by_telegram)
    keyholder = signed_in(cast.keyholder)
    url = reverse("keeping:visit_new", args=[kept.agreement.pk])

    # Without a note, then without a photo: refused, nothing recorded, the form keeps the input.
    no_note = keyholder.post(url, _visit_form(notes=""))
    assert no_note.status_code == 400
    problem = _problem("no_signs_of_entry", "tg")
    needs_note = str(CATALOGUE[Code.KEEPING_FAILED_CHECK_NEEDS_NOTE].message).format(item=problem)
    assert needs_note in no_note.content.decode()
    no_photo = keyholder.post(url, _visit_form(notes="Тиреза шикаста."))
    assert no_photo.status_code == 400
    page = no_photo.content.decode()
    assert "Тиреза шикаста." in page
    assert 'value="no"' in page and "checked" in page
    assert Visit.objects.count() == 0 and Incident.objects.count() == 0

    response = keyholder.post(
        url,
        _visit_form(
            notes="Тирезаи қафо шикаста.",
            photos=SimpleUploadedFile("IMG_1.jpg", jpeg(), "image/jpeg"),
        ),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    visit = Visit.objects.get()
    incident = Incident.objects.get()
    assert (incident.kind, incident.severity) == (IncidentKind.BREAK_IN, "serious")
    assert incident.notes == "Тирезаи қафо шикаста."
    # The visit's photo goes with the incident.
    assert list(Photo.objects.values_list("visit", "incident")) == [(visit.pk, incident.pk)]

    # The visit page says what was found, never "No signs of entry: no".
    visit_page = keyholder.get(reverse("keeping:visit", args=[visit.pk])).content.decode()
    assert f"✗ {problem}" in visit_page
    assert 'data-owners-reachable="yes"' in visit_page
    # The keyholder's list flags the visit.
    house_page = keyholder.get(reverse("keeping:house", args=[kept.agreement.pk])).content.decode()
    assert "data-problem" in house_page and f"✗ {problem}" in house_page

    run_worker()
    run_worker()

    serious = Message.objects.filter(template="incident_serious")
    assert dict(serious.values_list("channel", "language")) == {"email": "ru", "telegram": "tg"}
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    email_subject = serious.get(channel="email").subject
    incident_mails = [
        m for m in smtp_server.messages if email_subject in " ".join(str(m["Subject"]).split())
    ]
    assert len(incident_mails) == 1
    assert incident_mails[0]["To"] == by_email.email
    assert "Тирезаи қафо шикаста." in incident_mails[0].get_content()
    with translation.override("tg"):
        kind_tg = str(IncidentKind.BREAK_IN.label)
    assert kind_tg in serious.get(channel="telegram").body
    telegram_body = serious.get(channel="telegram").body.strip()
    texts = [
        r.form["text"]
        for r in bot_api.requests
        if r.path == f"/bot{BOT_TOKEN}/sendMessage" and telegram_body in r.form["text"]
    ]
    assert len(texts) == 1, ([r.form for r in bot_api.requests], telegram_body)
    assert "Тирезаи қафо шикаста." in texts[0]

    # The owner's PDF shows it as a problem.
    month = kept.today.strftime("%Y-%m")
    pdf = signed_in(cast.owner).get(
        reverse("keeping:owner_report_pdf", args=[kept.agreement.pk, month])
    )
    assert pdf.status_code == 200
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    # In the owner's language (Russian here), said as the problem found.
    in_pdf = _problem("no_signs_of_entry", by_email.language)
    assert "✗" in text and " ".join(in_pdf.split()) in " ".join(text.split())


def test_the_api_refuses_a_failed_check_without_a_photo_and_takes_one_inline(
    cast: Cast, kept: Kept, client
) -> None:
    body = {
        "id": str(uuid.uuid4()),
        "agreement": str(kept.agreement.pk),
        "checked_in_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "checked_out_at": timezone.now().isoformat(),
        "checklist": {"no_leaks": False},
        "notes": "Water under the sink.",
    }
    url = "/api/v1/keeping/visits"
    headers = bearer(cast.keyholder)

    refused = client.post(url, body, content_type="application/json", **headers)
    no_note = client.post(url, {**body, "notes": ""}, content_type="application/json", **headers)

    assert refused.status_code == 400
    assert refused.json()["code"] == "keeping.failed_check_needs_photo"
    assert refused.json()["field"] == "photos"
    assert no_note.json()["code"] == "keeping.failed_check_needs_note"
    import base64

    body["photos"] = [base64.b64encode(jpeg(gps=None)).decode()]
    created = client.post(url, body, content_type="application/json", **headers)
    assert created.status_code == 201, created.json()
    assert len(created.json()["photos"]) == 1
    # A leak is a security check: the serious incident is raised with the visit.
    assert Incident.objects.get().kind == IncidentKind.LEAK
