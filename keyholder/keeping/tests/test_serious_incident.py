"""A serious incident is queued at once for every owner, in the owner's language."""

from __future__ import annotations

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from keyholder.keeping.models import Incident
from keyholder.keeping.tests.conftest import Kept
from keyholder.notify.models import Message
from keyholder.testing import Cast, bearer, jpeg, signed_in


def test_a_serious_incident_is_queued_for_the_owner_and_a_minor_one_is_not(
    cast: Cast, kept: Kept, client
) -> None:
    cast.owner.language = "ru"
    cast.owner.save()
    keyholder = signed_in(cast.keyholder)
    url = reverse("keeping:incident_new", args=[kept.agreement.pk])
    assert keyholder.get(url).status_code == 200

    response = keyholder.post(
        url,
        {
            "id": str(uuid.uuid4()),
            "occurred_on": kept.today.isoformat(),
            "kind": "break_in",
            "severity": "serious",
            "notes": "Дари қафо шикаста.",
            "cost_amount": "350",
            "cost_currency": "TJS",
            "photos": SimpleUploadedFile("door.jpg", jpeg(size=(1200, 900)), "image/jpeg"),
        },
    )

    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.photos.count() == 1
    message = Message.objects.get(template="incident_serious")
    assert message.recipient == cast.owner
    assert message.address == "owner@example.org"
    assert message.language == "ru"
    assert "Дари қафо шикаста." in message.body
    assert str(kept.agreement.house) in message.subject
    assert str(kept.agreement.pk) in message.body

    minor = client.post(
        "/api/v1/keeping/incidents",
        {
            "agreement": str(kept.agreement.pk),
            "occurred_on": kept.today.isoformat(),
            "kind": "tree_damage",
            "severity": "minor",
        },
        content_type="application/json",
        **bearer(cast.keyholder),
    )
    assert minor.status_code == 201
    assert Message.objects.count() == 1

    resolved = client.post(
        f"/api/v1/keeping/incidents/{incident.pk}/status",
        {"status": "resolved", "cost_amount": "400", "cost_currency": "TJS"},
        content_type="application/json",
        **bearer(cast.keyholder),
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
