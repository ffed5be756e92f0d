"""Nobody outside Asht gets Asht's personal records, at any address of the project.

The sweep walks every URL pattern (``get_resolver()``, recursively) and every operation of the
JSON API (its OpenAPI document) and requests each one, with parameters pointing at the Asht
world of ``outsider_world``, as four visitors: anonymous, the outsider (officer of Ghafurov), a
keyholder of village V02 and the owner of the next household of V01. An address of an Asht
record must be refused (401, 403, 404, 405 or a redirect to sign-in), and answer as it does for
an id that does not exist; any other answer must carry none of the world's names, phone
numbers, notes or record ids (those the visitor sent aside); no POST, PUT or form may change a
protected record.

Every address must be in PAGES or API below. A new one that is not fails the sweep by name:
add it with parameters pointing at Asht (and say whether it must refuse or only stay clean).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import importlib
import io
import json
import re
import secrets
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, clear_url_caches, get_resolver, reverse
from django.utils import timezone

from keyholder.accounts.models import AuditLog, User
from keyholder.testing import jpeg, make_cast, token_for
from keyholder.web.tests.outsider_world import (
    VISITORS,
    World,
    build_world,
    changed,
    leaked,
    snapshot,
)

REFUSED = "refused"  # 401/403/404/405, or a redirect to sign-in
CLEAN = "clean"  # any answer below 500 whose body carries no Asht secret
REFUSAL_CODES = {401, 403, 404, 405}
API_PREFIX = "/api/v1"
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class Case:
    expect: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    # Form data (pages) or JSON body (API) of a write; None: the address takes no write.
    body: dict[str, Any] | None = None
    get: bool = True
    multipart: bool = False
    path: str | None = None  # for patterns without a name


def today() -> str:
    return timezone.localdate().isoformat()


def now() -> str:
    return timezone.now().isoformat()


V01 = "TJ-SU-ASHT-PONGHOZ-V01"
ASHT = "TJ-SU-ASHT"
PONGHOZ = "TJ-SU-ASHT-PONGHOZ"


def _event_form(w: World) -> dict[str, Any]:
    prefix = f"p{w.person.pk.hex[:12]}"
    return {f"{prefix}-kind": "returned", f"{prefix}-date": today()}


def _event_id(w: World) -> uuid.UUID:
    event = w.person.events.order_by("date").first()
    assert event is not None
    return event.pk


def _correction_form(w: World) -> dict[str, Any]:
    prefix = f"e{_event_id(w).hex[:12]}"
    return {f"{prefix}-kind": "returned", f"{prefix}-date": today(), f"{prefix}-reason": "x"}


def _visit_form(w: World) -> dict[str, Any]:
    return {
        "id": "5b0b6a8e-4f6c-4a53-9a3c-3a4f1c2d9e01",
        "checked_in_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "tasks": [str(w.task.pk)],
        "notes": "intruder",
    }


def _upload(w: World) -> Any:
    assert w.upload is not None
    return w.upload


# Pages: URL name (or route of an unnamed pattern) -> the cases it is requested with.
PAGES: dict[str, Callable[[World], list[Case]]] = {
    "web:home": lambda w: [Case(CLEAN)],
    "web:login": lambda w: [
        Case(CLEAN, body={"username": "owner", "password": "not-the-password"})
    ],
    "web:logout": lambda w: [Case(CLEAN, body={}, get=False)],
    "set_language": lambda w: [Case(CLEAN, body={"language": "en", "next": "/"})],
    "^api/": lambda w: [Case(CLEAN, path=f"/api/v2/households/{w.household.pk}/")],
    # The owner next door opens V01 (their own household's page hangs from it): clean only.
    "places:detail": lambda w: [
        Case(CLEAN, {"code": V01}),
        Case(CLEAN, {"code": PONGHOZ}),
        Case(CLEAN, {"code": ASHT}),
    ],
    "registry:household": lambda w: [
        Case(REFUSED, {"household_id": w.household.pk}, {"record": str(w.person.pk)})
    ],
    "registry:add_member": lambda w: [
        Case(
            REFUSED,
            {"household_id": w.household.pk},
            body={
                "member-given_name": "Intruder",
                "member-sex": "m",
                "member-birth_year": "1990",
                "member-relation": "other",
            },
        )
    ],
    "registry:record_event": lambda w: [
        Case(REFUSED, {"person_id": w.person.pk}, body=_event_form(w))
    ],
    "registry:correct_event": lambda w: [
        Case(REFUSED, {"event_id": _event_id(w)}, body=_correction_form(w))
    ],
    "registry:remove_event": lambda w: [
        Case(
            REFUSED,
            {"event_id": _event_id(w)},
            body={f"e{_event_id(w).hex[:12]}-reason": "intruder"},
        )
    ],
    "registry:add_household": lambda w: [
        Case(REFUSED, {"code": V01}, body={"name": "Intruder", "street": "X", "number": "1"})
    ],
    # Anyone may open the upload page (its own uploads only); another's upload is refused.
    "registry:upload": lambda w: [Case(CLEAN)],
    "registry:upload_job": lambda w: [Case(REFUSED, {"job_id": _upload(w).pk})],
    "registry:upload_status": lambda w: [Case(REFUSED, {"job_id": _upload(w).pk})],
    "registry:apply_upload": lambda w: [Case(REFUSED, {"job_id": _upload(w).pk}, body={})],
    "keeping:index": lambda w: [Case(CLEAN)],
    "keeping:today": lambda w: [Case(CLEAN)],
    # A keyholder's own houses that owe: another keyholder's list holds nothing of Asht.
    "keeping:arrears": lambda w: [Case(CLEAN)],
    "keeping:summary": lambda w: [Case(CLEAN)],
    "keeping:mine": lambda w: [Case(CLEAN)],
    "keeping:water": lambda w: [
        Case(CLEAN),
        Case(REFUSED, query={"village": V01}, body={"village": V01, "dates": today()}),
        Case(
            REFUSED,
            query={"village": V01},
            body={"village": V01, "start": f"{dt.date.today().year}-04-01", "end": today()},
        ),
    ],
    "keeping:entrust": lambda w: [
        Case(
            CLEAN,
            body={
                "id": "5b0b6a8e-4f6c-4a53-9a3c-3a4f1c2d9e02",
                "house": str(w.spare_house.pk),
                "start": today(),
                "fee_amount": "1",
                "fee_currency": "TJS",
                "fee_period": "month",
            },
        )
    ],
    "keeping:calendar_link": lambda w: [Case(CLEAN, body={"renew": "1"})],
    "keeping:calendar_feed": lambda w: [
        Case(REFUSED, {"token": secrets.token_urlsafe(24)}),
        Case(REFUSED, {"token": w.calendar_token[:-1]}),
        Case(REFUSED, {"token": w.calendar_token.upper()}),
    ],
    "keeping:house": lambda w: [
        Case(
            REFUSED,
            {"agreement_id": w.agreement.pk},
            body={
                "id": "5b0b6a8e-4f6c-4a53-9a3c-3a4f1c2d9e03",
                "kind": "security_round",
                "every_days": "1",
            },
        )
    ],
    "keeping:visit_new": lambda w: [
        Case(REFUSED, {"agreement_id": w.agreement.pk}, body=_visit_form(w))
    ],
    "keeping:incident_new": lambda w: [
        Case(
            REFUSED,
            {"agreement_id": w.agreement.pk},
            body={
                "id": "5b0b6a8e-4f6c-4a53-9a3c-3a4f1c2d9e04",
                "occurred_on": today(),
                "kind": "fire",
                "severity": "minor",
            },
        )
    ],
    "keeping:ledger": lambda w: [
        Case(
            REFUSED,
            {"agreement_id": w.agreement.pk},
            body={
                "id": "5b0b6a8e-4f6c-4a53-9a3c-3a4f1c2d9e05",
                "amount": "5",
                "currency": "TJS",
                "paid_on": today(),
                "method": "cash",
            },
        )
    ],
    "keeping:invite_owner": lambda w: [
        Case(
            REFUSED,
            {"agreement_id": w.agreement.pk},
            body={"email": "intruder@example.org", "language": "tg"},
        )
    ],
    # The token is the secret: a made-up one is refused, and so is a write with it.
    "keeping:invite_accept": lambda w: [
        Case(
            REFUSED,
            {"token": secrets.token_urlsafe(32)},
            body={
                "password": "a-long-enough-passphrase-31",
                "password_again": "a-long-enough-passphrase-31",
                "channel": "none",
                "language": "tg",
            },
        )
    ],
    "keeping:reports": lambda w: [Case(REFUSED, {"agreement_id": w.agreement.pk})],
    "keeping:owner_report": lambda w: [
        Case(REFUSED, {"agreement_id": w.agreement.pk, "month": w.month})
    ],
    "keeping:owner_report_pdf": lambda w: [
        Case(REFUSED, {"agreement_id": w.agreement.pk, "month": w.month})
    ],
    "keeping:visit": lambda w: [Case(REFUSED, {"visit_id": w.visit.pk})],
    "keeping:photo": lambda w: [Case(REFUSED, {"photo_id": w.photo.pk})],
    "keeping:incident_resolve": lambda w: [
        Case(REFUSED, {"incident_id": w.incident.pk}, body={"note": "intruder"})
    ],
    "keeping:ask_visit": lambda w: [
        Case(REFUSED, {"agreement_id": w.agreement.pk}, body={"due_date": today()})
    ],
    # A photo kept from a refused form is its sender's alone: anyone else's id is unknown.
    "keeping:pending_photo": lambda w: [Case(REFUSED, {"photo_id": w.photo.pk})],
    "indicators:dashboard": lambda w: [
        Case(CLEAN, {"code": V01}),
        Case(CLEAN, {"code": ASHT}, {"map": "vacancy"}),
    ],
    # The API's export (below) covers the DHIS2 and ADX formats; XLSX is zipped, unreadable here.
    "indicators:export": lambda w: [
        Case(CLEAN, {"code": V01}, {"format": "csv", "scope": "self"}),
        Case(CLEAN, {"code": ASHT}, {"format": "geojson", "scope": "all"}),
    ],
    # Entering an official figure: officers of Asht and administrators only.
    "indicators:official_figure": lambda w: [
        Case(
            REFUSED,
            {"code": ASHT},
            body={
                "indicator": "population",
                "value": "1",
                "as_of": today(),
                "source": "intruder",
            },
        )
    ],
    "accounts:users": lambda w: [Case(CLEAN, query={"role": "owner"})],
    "web:audit": lambda w: [Case(CLEAN), Case(CLEAN, query={"action": "refused"})],
    "accounts:user_new": lambda w: [
        Case(
            CLEAN,
            body={
                "username": "intruder",
                "password": "a-long-enough-passphrase-31",
                "role": "owner",
                "household": str(w.household.pk),
                "language": "tg",
            },
        )
    ],
    "accounts:user_edit": lambda w: [
        Case(
            REFUSED,
            {"pk": w.cast.owner.pk},
            body={"role": "officer", "places": ASHT, "language": "tg", "email": "x@example.org"},
        )
    ],
    "accounts:user_deactivate": lambda w: [Case(REFUSED, {"pk": w.cast.owner.pk}, body={})],
    "accounts:user_reactivate": lambda w: [Case(REFUSED, {"pk": w.cast.owner.pk}, body={})],
    # A one-time password link for someone else's account: administrators only.
    "accounts:user_password_link": lambda w: [
        Case(REFUSED, {"pk": w.cast.owner.pk}, body={}, get=False)
    ],
    # Passwords: each visitor's own (a wrong old password changes nothing); a reset link for an
    # Asht account's email goes to that email only, and the page says the same for any email.
    "web:password_change": lambda w: [
        Case(CLEAN, body={"old_password": "x", "new_password1": "y", "new_password2": "y"})
    ],
    "web:password_changed": lambda w: [Case(CLEAN)],
    "web:password_reset": lambda w: [Case(CLEAN, body={"email": "owner@example.org"})],
    "web:password_reset_sent": lambda w: [Case(CLEAN)],
    "web:password_reset_confirm": lambda w: [
        Case(
            CLEAN,
            {"uidb64": "MQ", "token": "set-password"},
            body={"new_password1": "a-long-enough-passphrase-31", "new_password2": "x"},
        )
    ],
    "web:password_reset_done": lambda w: [Case(CLEAN)],
    "notify:settings": lambda w: [Case(CLEAN, body={"channel": "none", "language": "ru"})],
    "notify:send_test": lambda w: [Case(CLEAN, body={}, get=False)],
    # The demo's mailbox holds everyone's email: administrators only, 404 for anyone else.
    "notify:mailbox": lambda w: [Case(REFUSED)],
    # The offline field app: the shell shows only the visitor themself (their name and the
    # forms' choices); the data come from the sync API, whose answers the API sweep checks.
    "field:shell": lambda w: [Case(CLEAN)],
    "field:worker": lambda w: [Case(CLEAN)],
    "field:manifest": lambda w: [Case(CLEAN)],
    # The migrant's calendar: the rules are public; everything else is the signed-in
    # migrant's own (none of the visitors keeps one here), so it is refused. Starting a
    # calendar is only requested by GET (405): an owner's POST would start their own.
    "migrant:rules": lambda w: [Case(CLEAN, query={"on": today()})],
    "migrant:join": lambda w: [Case(CLEAN)],
    "migrant:home": lambda w: [Case(CLEAN)],
    "migrant:start": lambda w: [Case(REFUSED)],
    "migrant:record": lambda w: [
        Case(REFUSED, body={"form": "trip", "entered_on": today()}),
    ],
    "migrant:set_exit": lambda w: [
        Case(REFUSED, {"trip_id": uuid.uuid4()}, body={"exited_on": today()}, get=False)
    ],
    "migrant:delete_item": lambda w: [
        Case(REFUSED, {"kind": "trip", "item_id": uuid.uuid4()}, body={}, get=False)
    ],
    "migrant:settings": lambda w: [Case(REFUSED, body={"action": "renew"})],
    "migrant:export": lambda w: [Case(REFUSED)],
    "migrant:delete_all": lambda w: [Case(REFUSED, body={"confirm": "delete"})],
    "migrant:calendar_feed": lambda w: [Case(REFUSED, {"token": secrets.token_urlsafe(32)})],
    "notify:mailbox_message": lambda w: [Case(REFUSED, {"message_id": uuid.uuid4()})],
    "notify:mailbox_attachment": lambda w: [
        Case(REFUSED, {"message_id": uuid.uuid4(), "index": 0})
    ],
    # Telegram's webhook: without the configured secret (in path and header) it is not found.
    "notify:telegram_webhook": lambda w: [
        Case(REFUSED, {"secret": "not-the-secret-0123456789"}, body={"update_id": 1})
    ],
}

# API operations: (method, path in the OpenAPI document) -> cases.
Api = dict[tuple[str, str], Callable[[World], list[Case]]]


def _agreement_ref(w: World) -> dict[str, str]:
    return {"agreement": str(w.agreement.pk)}


def _sync_records(w: World) -> list[dict[str, Any]]:
    made = now()
    return [
        {
            "type": "visit",
            "id": str(uuid.uuid4()),
            "made_at": made,
            "data": {**_agreement_ref(w), "checked_in_at": made, "tasks": [str(w.task.pk)]},
        },
        {
            "type": "person",
            "id": str(uuid.uuid4()),
            "made_at": made,
            "data": {
                "household": str(w.household.pk),
                "given_name": "X",
                "sex": "m",
                "birth_year": 1990,
            },
        },
        {
            "type": "event",
            "id": str(uuid.uuid4()),
            "made_at": made,
            "data": {"person": str(w.person.pk), "kind": "died", "date": today()},
        },
    ]


API: Api = {
    ("GET", "/audit"): lambda w: [Case(CLEAN), Case(CLEAN, query={"action": "read_list"})],
    ("POST", "/auth/token"): lambda w: [
        Case(CLEAN, body={"username": "owner", "password": "not-the-password"})
    ],
    ("GET", "/places"): lambda w: [Case(CLEAN, query={"parent": PONGHOZ})],
    ("GET", "/places/{code}"): lambda w: [Case(CLEAN, {"code": V01})],
    ("GET", "/houses"): lambda w: [Case(CLEAN, query={"place": V01})],
    ("POST", "/houses"): lambda w: [
        Case(CLEAN, body={"village": V01, "street": "Intruder", "number": "1"})
    ],
    ("GET", "/houses/{house_id}"): lambda w: [
        Case(REFUSED, {"house_id": w.house.pk}),
        Case(REFUSED, {"house_id": w.spare_house.pk}),
    ],
    ("GET", "/households"): lambda w: [Case(CLEAN, query={"place": V01})],
    ("POST", "/households"): lambda w: [
        Case(CLEAN, body={"village": V01, "name": "Intruder", "house": str(w.spare_house.pk)})
    ],
    ("GET", "/households/{household_id}"): lambda w: [
        Case(REFUSED, {"household_id": w.household.pk})
    ],
    ("GET", "/households/{household_id}/status"): lambda w: [
        Case(REFUSED, {"household_id": w.household.pk}, {"on": today()})
    ],
    ("GET", "/persons"): lambda w: [
        Case(CLEAN, query={"household": str(w.household.pk)}),
        Case(CLEAN, query={"place": ASHT, "status": "abroad"}),
    ],
    ("POST", "/persons"): lambda w: [
        Case(
            CLEAN,
            body={
                "household": str(w.household.pk),
                "given_name": "Intruder",
                "sex": "m",
                "birth_year": 1990,
            },
        )
    ],
    ("GET", "/persons/{person_id}"): lambda w: [Case(REFUSED, {"person_id": w.person.pk})],
    ("GET", "/persons/{person_id}/events"): lambda w: [Case(REFUSED, {"person_id": w.relative.pk})],
    ("POST", "/persons/{person_id}/events"): lambda w: [
        Case(REFUSED, {"person_id": w.person.pk}, body={"kind": "returned", "date": today()}),
    ],
    ("GET", "/persons/{person_id}/corrections"): lambda w: [
        Case(REFUSED, {"person_id": w.relative.pk})
    ],
    ("PATCH", "/events/{event_id}"): lambda w: [
        Case(REFUSED, {"event_id": _event_id(w)}, body={"date": today(), "reason": "intruder"})
    ],
    ("DELETE", "/events/{event_id}"): lambda w: [
        Case(REFUSED, {"event_id": _event_id(w)}, body={"reason": "intruder"})
    ],
    ("GET", "/persons/{person_id}/status"): lambda w: [
        Case(REFUSED, {"person_id": w.relative.pk}, {"on": today()})
    ],
    ("GET", "/keeping/agreements"): lambda w: [Case(CLEAN, query={"status": "active"})],
    ("POST", "/keeping/agreements"): lambda w: [
        Case(
            CLEAN,
            body={
                "house": str(w.spare_house.pk),
                "keyholder": "keyholder",
                "owners": ["owner"],
                "start": today(),
                "fee_amount": "1",
                "fee_currency": "TJS",
                "fee_period": "month",
            },
        )
    ],
    ("GET", "/keeping/agreements/{agreement_id}"): lambda w: [
        Case(REFUSED, {"agreement_id": w.agreement.pk})
    ],
    ("POST", "/keeping/agreements/{agreement_id}/changes"): lambda w: [
        Case(REFUSED, {"agreement_id": w.agreement.pk}, body={"kind": "end", "date": today()})
    ],
    ("POST", "/keeping/agreements/{agreement_id}/keys"): lambda w: [
        Case(
            REFUSED,
            {"agreement_id": w.agreement.pk},
            body={"label": "copy", "handed_over_on": today(), "handed_over_by": "intruder"},
        )
    ],
    ("POST", "/keeping/keys/{key_id}/return"): lambda w: [
        Case(
            REFUSED,
            {"key_id": w.key.pk},
            body={"returned_on": today(), "returned_to": "intruder"},
        )
    ],
    ("GET", "/keeping/agreements/{agreement_id}/ledger"): lambda w: [
        Case(REFUSED, {"agreement_id": w.agreement.pk})
    ],
    ("GET", "/keeping/agreements/{agreement_id}/reports/{month}"): lambda w: [
        Case(REFUSED, {"agreement_id": w.agreement.pk, "month": w.month})
    ],
    ("GET", "/keeping/agreements/{agreement_id}/reports/{month}/pdf"): lambda w: [
        Case(REFUSED, {"agreement_id": w.agreement.pk, "month": w.month})
    ],
    ("GET", "/keeping/duties"): lambda w: [Case(CLEAN, query=_agreement_ref(w))],
    ("GET", "/migrant/rules"): lambda w: [Case(CLEAN, query={"on": today()})],
    ("GET", "/migrant/calendar"): lambda w: [Case(REFUSED)],
    ("DELETE", "/migrant/calendar"): lambda w: [Case(REFUSED, body={})],
    ("GET", "/migrant/export"): lambda w: [Case(REFUSED)],
    ("POST", "/migrant/trips"): lambda w: [Case(REFUSED, body={"entered_on": today()})],
    ("POST", "/keeping/duties"): lambda w: [
        Case(REFUSED, body={**_agreement_ref(w), "kind": "security_round", "every_days": 1})
    ],
    ("GET", "/keeping/tasks"): lambda w: [Case(CLEAN, query=_agreement_ref(w))],
    ("POST", "/keeping/water-turns"): lambda w: [
        Case(REFUSED, body={"village": V01, "dates": [today()]})
    ],
    ("PUT", "/keeping/watering-seasons"): lambda w: [
        Case(
            REFUSED,
            body={
                "village": V01,
                "year": timezone.localdate().year,
                "start": f"{timezone.localdate().year}-01-01",
                "end": today(),
            },
        )
    ],
    ("GET", "/keeping/visits"): lambda w: [Case(CLEAN, query=_agreement_ref(w))],
    ("POST", "/keeping/visits"): lambda w: [
        Case(
            REFUSED,
            body={**_agreement_ref(w), "checked_in_at": now(), "tasks": [str(w.task.pk)]},
        )
    ],
    ("GET", "/keeping/visits/{visit_id}"): lambda w: [Case(REFUSED, {"visit_id": w.visit.pk})],
    ("POST", "/keeping/photos"): lambda w: [
        Case(REFUSED, body={"visit": str(w.visit.pk)}, multipart=True),
        Case(REFUSED, body={"incident": str(w.incident.pk)}, multipart=True),
    ],
    ("GET", "/keeping/photos/{photo_id}"): lambda w: [Case(REFUSED, {"photo_id": w.photo.pk})],
    ("GET", "/keeping/photos/{photo_id}/image"): lambda w: [
        Case(REFUSED, {"photo_id": w.photo.pk})
    ],
    ("GET", "/keeping/incidents"): lambda w: [Case(CLEAN, query=_agreement_ref(w))],
    ("POST", "/keeping/incidents"): lambda w: [
        Case(
            REFUSED,
            body={
                **_agreement_ref(w),
                "occurred_on": today(),
                "kind": "fire",
                "severity": "serious",
            },
        )
    ],
    ("POST", "/keeping/incidents/{incident_id}/status"): lambda w: [
        Case(REFUSED, {"incident_id": w.incident.pk}, body={"status": "resolved"})
    ],
    ("GET", "/keeping/arrears"): lambda w: [Case(CLEAN)],
    ("GET", "/keeping/payments"): lambda w: [Case(CLEAN, query=_agreement_ref(w))],
    ("POST", "/keeping/payments"): lambda w: [
        Case(
            REFUSED,
            body={
                **_agreement_ref(w),
                "amount": "5",
                "currency": "TJS",
                "paid_on": today(),
                "method": "cash",
            },
        )
    ],
    ("GET", "/keeping/summary"): lambda w: [Case(CLEAN)],
    # The offline field app: a pull carries only the visitor's own scope; a push answers each
    # record on its own (refused, with nothing written); a photo of an Asht visit is not found.
    ("GET", "/sync/pull"): lambda w: [Case(CLEAN)],
    ("POST", "/sync/push"): lambda w: [Case(CLEAN, body={"records": _sync_records(w)})],
    ("POST", "/sync/photos"): lambda w: [
        Case(REFUSED, body={"id": str(uuid.uuid4()), "visit": str(w.visit.pk)}, multipart=True)
    ],
    ("GET", "/indicators/catalogue"): lambda w: [Case(CLEAN)],
    ("GET", "/indicators"): lambda w: (
        [
            Case(CLEAN, query={"place": V01, "indicator": name})
            for name in ("abroad", "departures", "deportations", "vacant_houses")
        ]
        + [Case(CLEAN, query={"place": PONGHOZ, "indicator": "abroad", "by": "children"})]
    ),
    ("GET", "/official-figures"): lambda w: [Case(CLEAN, query={"place": ASHT})],
    ("POST", "/official-figures"): lambda w: [
        Case(
            CLEAN,
            body={
                "place": ASHT,
                "indicator": "abroad",
                "value": 99999,
                "as_of": "2024-07-01",
                "source": "intruder",
            },
        )
    ],
    ("GET", "/reconciliation"): lambda w: [Case(CLEAN, query={"place": ASHT})],
    ("GET", "/indicators/export"): lambda w: [
        Case(CLEAN, query={"place": V01, "format": fmt, "scope": "self"})
        for fmt in ("dhis2", "adx")
    ],
}

# Addresses of the API that are not operations: its root and documents, public by design.
API_DOCUMENTS = ("/", "/openapi.json", "/docs")


# Discovery: what the project answers today.


# What the project answers is read once per test process: walking the URL patterns and
# building the API document cost a third of a second each, and the sweep asks for every visitor.


@functools.cache
def django_routes() -> dict[str, str]:
    """URL name (``namespace:name``, or the route of an unnamed pattern) -> full route,
    for every pattern outside the JSON API."""
    found: dict[str, str] = {}

    def walk(resolver: URLResolver, prefix: str, namespaces: list[str]) -> None:
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                if entry.namespace == "api":
                    continue
                walk(entry, route, namespaces + ([entry.namespace] if entry.namespace else []))
            elif isinstance(entry, URLPattern):
                name = ":".join([*namespaces, entry.name]) if entry.name else route
                found[name] = route

    walk(get_resolver(), "", [])
    return found


@functools.cache
def ninja_routes() -> frozenset[str]:
    """The routes of the API namespace, written as OpenAPI paths under /api/v1."""
    found: set[str] = set()

    def walk(resolver: URLResolver, prefix: str, inside: bool) -> None:
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry, route, inside or entry.namespace == "api")
            elif inside:
                found.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))

    walk(get_resolver(), "", False)
    return frozenset(found)


@functools.cache
def openapi_operations() -> frozenset[tuple[str, str]]:
    response = Client().get(f"{API_PREFIX}/openapi.json")
    assert response.status_code == 200
    return frozenset(
        (method.upper(), path.removeprefix(API_PREFIX))
        for path, operations in response.json()["paths"].items()
        for method in operations
    )


# Requests.


def _is_signin_redirect(response: Any) -> bool:
    location = response.get("Location", "")
    return response.status_code in (301, 302) and location.startswith(
        resolve_url(settings.LOGIN_URL) + "?"
    )


def _check(response: Any, case: Case, label: str, world: World, problems: list[str]) -> None:
    status = response.status_code
    if status >= 500:
        problems.append(f"{label}: answered {status}")
        return
    if case.expect == REFUSED and status not in REFUSAL_CODES and not _is_signin_redirect(response):
        problems.append(f"{label}: not refused ({status})")
    # What the visitor sent (an id in the address or the form) may come back to them: they
    # knew it already. Whether the id exists must not show: see _same_as_for_a_made_up_id.
    sent = f"{label} {case.query} {case.body}"
    found = leaked(response, [s for s in world.secrets if s not in sent])
    if found:
        problems.append(f"{label}: {status} carries Asht data {found[:4]}")


def page_requests(world: World) -> Iterator[tuple[str, str, Case]]:
    """(label, url, case) for every page case; fails on a pattern the sweep does not know."""
    routes = dict(django_routes())
    unknown = sorted(set(routes) - set(PAGES))
    assert not unknown, f"addresses the outsider sweep does not know, add them to PAGES: {unknown}"
    for name in sorted(routes):
        for case in PAGES[name](world):
            url = case.path or reverse(name, kwargs=case.kwargs)
            yield f"{name} {url}", url, case


def api_requests(world: World, client: Client) -> Iterator[tuple[str, str, Case]]:
    operations = openapi_operations()
    documented = {path for _, path in operations} | set(API_DOCUMENTS)
    stray = sorted(ninja_routes() - {API_PREFIX + p for p in documented})
    assert not stray, f"API routes missing from the OpenAPI document: {stray}"
    unknown = sorted(f"{m} {API_PREFIX}{p}" for m, p in operations - set(API))
    assert not unknown, (
        f"API operations the outsider sweep does not know, add them to API: {unknown}"
    )
    for path in API_DOCUMENTS:
        yield f"GET {API_PREFIX}{path}", API_PREFIX + path, Case(CLEAN)
    for method, path in sorted(operations):
        for case in API[(method, path)](world):
            url = API_PREFIX + path.format(**case.kwargs)
            yield f"{method} {url}", url, case


def _made_up(text: str, world: World) -> str:
    """``text`` with every Asht record id replaced by an id that exists nowhere."""
    for secret in world.secrets:
        if UUID_RE.fullmatch(secret):
            text = text.replace(secret, str(uuid.uuid5(uuid.NAMESPACE_URL, secret)))
    return text


def _same_as_for_a_made_up_id(response: Any, other: Any, label: str, problems: list[str]) -> None:
    # Otherwise the answer tells that the Asht record exists (and, with ids from a lost
    # phone or a printed report, whose it is).
    if response.status_code != other.status_code:
        problems.append(
            f"{label}: answers {response.status_code}, but {other.status_code} "
            "for an id that does not exist"
        )


def _send(client: Client, method: str, url: str, case: Case, headers: dict[str, Any]) -> Any:
    if method == "GET":
        return client.get(url, case.query, **headers)
    body = dict(case.body or {})
    if case.multipart:
        body["image"] = SimpleUploadedFile(
            "house.jpg", jpeg(size=(64, 48)), content_type="image/jpeg"
        )
        return client.post(url, body, **headers)
    return client.generic(
        method, url, data=json.dumps(body), content_type="application/json", **headers
    )


pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(module_db: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The Asht records every sweep looks for, made once for the module: each test runs in
    its own savepoint, so what a sweep's writes change is gone before the next test."""
    # Photos go to a temporary folder.
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    media.enable()
    try:
        with module_db.unblock():
            made = build_world(make_cast())
        yield made
    finally:
        media.disable()


def sweep(world: World, user: User | None, only: set[str] | None = None) -> list[str]:
    """Request every case as ``user`` (or those whose label starts with one of ``only``);
    what they got that an outsider must not get."""
    problems: list[str] = []
    pages = Client()
    if user is not None:
        pages.force_login(user)
    api = Client()
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"} if user else {}
    before = snapshot(user)

    def writes_changed(label: str) -> None:
        nonlocal before
        after = snapshot(user)
        if changed(before, after):
            problems.append(f"{label}: changed {changed(before, after)}")
            before = after

    def skip(label: str) -> bool:
        return only is not None and not any(label.startswith(o) for o in only)

    for label, url, case in page_requests(world):
        if skip(label):
            continue
        if case.get:
            response = pages.get(url, case.query, follow=case.expect == CLEAN)
            _check(response, case, f"GET {label}", world, problems)
            if case.expect == REFUSED:
                other = pages.get(_made_up(url, world), case.query)
                _same_as_for_a_made_up_id(response, other, f"GET {label}", problems)
        if case.body is not None:
            # A fresh client for each write: signing out or switching language stays there.
            writer = Client()
            if user is not None:
                writer.force_login(user)
            response = writer.post(url, case.body, follow=case.expect == CLEAN)
            _check(response, case, f"POST {label}", world, problems)
            writes_changed(f"POST {label}")
    for label, url, case in api_requests(world, api):
        if skip(label):
            continue
        method = label.split()[0]
        response = _send(api, method, url, case, headers)
        _check(response, case, label, world, problems)
        if case.expect == REFUSED or method != "GET":
            made_up = Case(
                case.expect,
                query=json.loads(_made_up(json.dumps(case.query), world)),
                body=json.loads(_made_up(json.dumps(case.body), world)),
                multipart=case.multipart,
            )
            other = _send(api, method, _made_up(url, world), made_up, headers)
            _same_as_for_a_made_up_id(response, other, label, problems)
        if method != "GET":
            writes_changed(label)
    return problems


def test_the_sweep_knows_every_address_and_no_other() -> None:
    routes = set(django_routes())
    assert sorted(routes - set(PAGES)) == [], "add these addresses to PAGES"
    assert sorted(set(PAGES) - routes) == [], "these addresses are gone: remove them from PAGES"
    operations = openapi_operations()
    assert sorted(operations - set(API)) == [], "add these operations to API"
    assert sorted(set(API) - operations) == [], "these operations are gone: remove them from API"


@pytest.mark.slow
@pytest.mark.parametrize("visitor", VISITORS)
def test_it_refuses_asht_records_to_every_visitor_at_every_address(
    world: World, visitor: str
) -> None:
    problems = sweep(world, world.visitor(visitor))
    assert not problems, f"{visitor} got Asht data:\n" + "\n".join(problems)


def test_the_sweep_sees_what_the_keyholder_may_see(world: World) -> None:
    # The same sweep as the house's own keyholder: pages and writes do reach the records, so
    # the sweep's parameters and payloads are right and its checks can fail.
    w = world
    problems = sweep(
        w,
        w.cast.keyholder,
        only={
            "keeping:house ",
            "keeping:ledger ",
            "keeping:photo ",
            f"GET /api/v1/keeping/visits/{w.visit.pk}",
            "POST /api/v1/keeping/payments",
        },
    )
    expected = [
        f"GET keeping:house /keeping/houses/{w.agreement.pk}/: not refused (200)",
        f"GET keeping:photo /keeping/photos/{w.photo.pk}.jpg: not refused (200)",
        f"POST keeping:ledger /keeping/houses/{w.agreement.pk}/ledger/: changed ['keeping.Payment']",
        "POST /api/v1/keeping/payments: changed ['keeping.Payment']",
    ]
    assert [e for e in expected if e not in problems] == [], problems
    # The registry beyond the entrusted house is not the keyholder's (issue 13, item 6): its
    # household and person answer as to an outsider.
    registry = sweep(
        w, w.cast.keyholder, only={"registry:household ", f"GET /api/v1/persons/{w.person.pk}"}
    )
    assert registry == [], registry
    carrying = {p.split(": ")[0] for p in problems if "carries Asht data" in p}
    assert {
        f"GET keeping:house /keeping/houses/{w.agreement.pk}/",
        f"GET keeping:ledger /keeping/houses/{w.agreement.pk}/ledger/",
        f"GET /api/v1/keeping/visits/{w.visit.pk}",
    } <= carrying, problems


def test_it_serves_photo_files_and_calendars_only_through_their_checks(
    world: World, settings: Any
) -> None:
    # The photo file is on disk, but /media/ is not an address outside DEBUG: photos are
    # served only by the scoped views (keeping:photo and the API's photo image).
    assert world.photo.image.storage.exists(world.photo.image.name)
    media = settings.MEDIA_URL + world.photo.image.name
    for visitor in VISITORS:
        client = Client()
        user = world.visitor(visitor)
        if user is not None:
            client.force_login(user)
        assert client.get(media).status_code == 404, visitor
    # Not in DEBUG either (the demo runs in DEBUG): the address list has no MEDIA_URL route.
    settings.DEBUG = True
    try:
        urls = importlib.reload(importlib.import_module(settings.ROOT_URLCONF))
        prefix = settings.MEDIA_URL.lstrip("/")
        assert [p for p in urls.urlpatterns if str(p.pattern).lstrip("^").startswith(prefix)] == []
    finally:
        settings.DEBUG = False
        importlib.reload(importlib.import_module(settings.ROOT_URLCONF))
        clear_url_caches()
    # The calendar's token is its only secret: 24 random bytes (192 bits), URL-safe.
    assert len(world.calendar_token) >= 32
    feed = Client().get(reverse("keeping:calendar_feed", args=[world.calendar_token]))
    # The feed works, but names no street: whoever holds its address learns no place to go.
    assert feed.status_code == 200 and "BEGIN:VEVENT" in feed.content.decode()
    assert world.house.street not in feed.content.decode()


def _points(node: Any) -> Iterator[dict[str, Any]]:
    """Every point of a series answer, the children's included."""
    if isinstance(node, dict):
        if "suppressed" in node and "value" in node:
            yield node
        for value in node.values():
            yield from _points(value)
    elif isinstance(node, list):
        for value in node:
            yield from _points(value)


def test_public_figures_of_the_village_hide_its_small_counts(world: World) -> None:
    # Numbers are not strings the sweep can look for: the few Asht people abroad, deported or
    # gone from a vacant house must not be countable from the public figures.
    for visitor in ("anonymous", "owner_next_door"):
        user = world.visitor(visitor)
        headers: dict[str, Any] = (
            {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"} if user else {}
        )
        threshold = 0
        for indicator in ("abroad", "departures", "deportations", "vacant_houses"):
            answer = Client().get(
                f"{API_PREFIX}/indicators",
                # Public figures stop at the jamoat: Asht's jamoats are the smallest cells.
                {"place": ASHT, "indicator": indicator, "by": "children"},
                **headers,
            )
            assert answer.status_code == 200, (visitor, indicator)
            body = answer.json()
            assert body["exact"] is False and body["children"], (visitor, indicator)
            threshold = body["suppression_threshold"]
            points = list(_points(body))
            assert any(p["suppressed"] for p in points)
            small = [p for p in points if p["value"] and p["value"] < threshold]
            assert small == [], (visitor, indicator, small)
        client = Client()
        if user is not None:
            client.force_login(user)
        export: Any = client.get(
            reverse("indicators:export", args=[PONGHOZ]), {"format": "csv", "scope": "all"}
        )
        rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
        values = [float(row["value"]) for row in rows[1:] if row["value"]]
        assert rows and [v for v in values if 0 < v < threshold] == [], visitor
    officer_of_ghafurov: dict[str, Any] = {
        "HTTP_AUTHORIZATION": f"Bearer {token_for(world.cast.outsider)}"
    }
    counts = Client().get(f"{API_PREFIX}/keeping/summary", **officer_of_ghafurov).json()
    assert counts["houses_under_care"] == 0


def test_it_audits_the_members_read_through_a_household_in_one_row(world: World) -> None:
    officer: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token_for(world.cast.officer)}"}
    members = {str(world.person.pk), str(world.relative.pk)}
    for path in (f"/households/{world.household.pk}", f"/households/{world.household.pk}/status"):
        before = set(AuditLog.objects.values_list("pk", flat=True))
        assert Client().get(API_PREFIX + path, **officer).status_code == 200
        rows = AuditLog.objects.exclude(pk__in=before).filter(user=world.cast.officer)
        # One row names every member read, whatever their number.
        [listed] = rows.filter(action=AuditLog.Action.READ_LIST, object_type="person")
        assert set(listed.shown_ids) == members, path
        assert listed.object_id == str(world.household.pk), path
        assert not rows.filter(action=AuditLog.Action.READ, object_type="person").exists()
        assert rows.filter(action=AuditLog.Action.READ, object_type="household").exists()
