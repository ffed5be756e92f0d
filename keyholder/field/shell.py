"""What the installable field app's shell page carries: the user's language, the choices of
the forms and every string the app shows, so the JavaScript holds no text of its own.

The shell is the only HTML page of the app (``views.shell``); the service worker keeps a copy
so the app opens offline. Static files are referred to with a ``?v=`` of their content, so a
new build is a new address for the service worker's precache and the browser's cache.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from keyholder.accounts.access import area_q
from keyholder.accounts.models import Role, User
from keyholder.keeping import checklist
from keyholder.keeping.models import DutyKind, IncidentKind, Severity, TaskStatus
from keyholder.places.countries import country_choices
from keyholder.places.models import Place, PlaceKind
from keyholder.registry.models import EventKind, Purpose, Relation, Sex

# The built files (``make setup`` runs ``node keyholder/field/frontend/build.mjs``).
SCRIPT = "field/dist/app.js"
STYLE = "field/dist/app.css"
WORKER = "field/dist/sw.js"
ICONS = ("field/icons/icon.svg", "field/icons/icon-192.png", "field/icons/icon-512.png")

# The fields each kind of event asks for, beyond its date (the service's rules in
# registry.services.do_record_event: a departure needs a country, a move a place).
EVENT_FIELDS: dict[str, list[str]] = {
    EventKind.DEPARTED: ["country", "destination", "purpose"],
    EventKind.RETURNED: ["country"],
    EventKind.DEPORTED: ["country", "until"],
    EventKind.ENTRY_BAN: ["country", "until"],
    EventKind.MOVED: ["moved_to"],
    EventKind.BORN: ["note"],
    EventKind.JOINED: ["note"],
    EventKind.LEFT: ["note"],
    EventKind.DIED: ["note"],
}
REQUIRED_EVENT_FIELDS: dict[str, list[str]] = {
    EventKind.DEPARTED: ["country"],
    EventKind.MOVED: ["moved_to"],
}


class BuildMissing(RuntimeError):
    """The app's JavaScript was not built: run ``make setup``."""


def _digest(path: str) -> str:
    found = finders.find(path)
    if not found:
        raise BuildMissing(f"{path} is missing: run `make setup` to build the field app")
    file = Path(str(found))
    return hashlib.sha256(file.read_bytes()).hexdigest()[:12]


_versions: dict[tuple[str, float], str] = {}


def versioned(path: str) -> str:
    """The static address of ``path`` with ``?v=`` of its content (read once per change)."""
    found = finders.find(path)
    mtime = Path(str(found)).stat().st_mtime if found else 0.0
    key = (path, mtime)
    if key not in _versions:
        _versions[key] = _digest(path)
    return f"{static(path)}?v={_versions[key]}"


def precache_entries() -> list[dict[str, Any]]:
    """What the service worker keeps from its first visit: the script, the style, the icons.

    No revision: the address changes with the content, so an entry is fetched with the
    browser's cache and never twice.
    """
    return [{"url": versioned(path), "revision": None} for path in (SCRIPT, STYLE, *ICONS)]


def worker_source() -> str:
    found = finders.find(WORKER)
    if not found:
        raise BuildMissing(f"{WORKER} is missing: run `make setup` to build the field app")
    return Path(str(found)).read_text(encoding="utf-8")


def _choices(choices: Any) -> list[list[str]]:
    return [[str(value), str(label)] for value, label in choices]


def strings() -> dict[str, str]:
    """Every sentence the app shows, in the active language."""
    return {
        "offline": _("You are offline. What you record is kept on the phone and sent later."),
        "waiting_none": _("Nothing waits to be sent."),
        # Filled in by the app with the number: plural forms come from the catalogue below.
        "last_sync": _("Last sync: {time}"),
        "never_synced": _("Not synced yet."),
        "sync": _("Sync now"),
        "syncing": _("Syncing…"),
        "sync_done": _("Synced."),
        "sync_failed": _("The sync did not finish; it will try again."),
        "signed_out": _("Your session has ended: sign in again to sync."),
        "sign_in": _("Sign in"),
        "sign_out": _("Sign out"),
        "sign_out_waiting": _(
            "Records are still waiting to be sent. Signing out deletes them from this phone. "
            "Sign out anyway?"
        ),
        "today": _("Today"),
        "due_overdue": _("Due today and overdue"),
        "nothing_due": _("Nothing is due today."),
        "overdue": _("overdue since {date}"),
        "due": _("due {date}"),
        "houses": _("Houses"),
        "house": _("House"),
        "owners": _("Owners"),
        "trees": _("Trees"),
        "tasks": _("Tasks"),
        "record_visit": _("Record a visit"),
        "report_incident": _("Report an incident"),
        "water_turns": _("Water turns"),
        "no_water_turns": _("No water turns in these days."),
        "visit": _("Visit"),
        "checklist": _("Checklist"),
        "fine": _("✓ fine"),
        "problem": _("✗ problem"),
        "notes": _("Notes"),
        "photos": _("Photos"),
        "photo_added": _("Photos ready: {n}"),
        "failed_needs_note": _("A check found a problem: write what you found."),
        "failed_needs_photo": _("A check found a problem: add a photo of it."),
        "save": _("Save on the phone"),
        "saved": _("Saved on the phone; it will be sent at the next sync."),
        "cancel": _("Cancel"),
        "back": _("Back"),
        "incident": _("Incident"),
        "kind": _("Kind"),
        "severity": _("Severity"),
        "date": _("Date"),
        "cost": _("Cost"),
        "outbox": _("Waiting to be sent"),
        "refused": _("Refused by the server"),
        "fix": _("Fix"),
        "discard": _("Discard"),
        "discard_confirm": _("Discard this record for good?"),
        "villages": _("Villages"),
        "households": _("Households"),
        "household": _("Household"),
        "add_household": _("Add a household"),
        "add_person": _("Add a person"),
        "record_event": _("Record an event"),
        "members": _("Members"),
        "events": _("Events"),
        "no_events": _("No events."),
        "name": _("Name"),
        "given_name": _("Given name"),
        "family_name": _("Family name"),
        "sex": _("Sex"),
        "birth_year": _("Year of birth"),
        "relation": _("Relation"),
        "phone": _("Phone"),
        "no_house": _("No house"),
        "what_happened": _("What happened"),
        "country": _("Country"),
        "destination": _("Region or city"),
        "purpose": _("Purpose"),
        "until": _("Until"),
        "moved_to": _("Moved to (place code)"),
        "note": _("Note"),
        "required": _("Fill in this field."),
        "not_sent": _("not sent yet"),
        "empty_scope": _("Nothing is entrusted to you yet."),
        "wiped": _(
            "The data on this phone were deleted after too many days without a sync. "
            "Sync to download them again."
        ),
        "not_for_role": _("The field app is for keyholders and enumerators."),
        "reading": _("Reading"),
    }


def plurals() -> dict[str, list[str]]:
    """The counted sentences, one entry per Russian-style plural form the app picks from."""
    from django.utils.translation import ngettext

    # The app picks the form with Intl.PluralRules of the language; the catalogue has them all.
    return {
        "waiting": [
            ngettext("{n} record waits to be sent.", "{n} records wait to be sent.", n)
            for n in (1, 2, 5)
        ],
    }


def config(user: User) -> dict[str, Any]:
    """Everything the app needs besides the data it pulls: who, which language, the forms."""
    language = (get_language() or settings.LANGUAGE_CODE)[:2]
    role = user.role if user.role in (Role.KEYHOLDER, Role.ENUMERATOR) else ""
    data: dict[str, Any] = {
        "user": user.pk,
        "name": user.get_full_name() or user.username,
        "role": role,
        "language": language,
        "urls": {
            "pull": "/api/v1/sync/pull",
            "push": "/api/v1/sync/push",
            "photos": "/api/v1/sync/photos",
            "signout": reverse("web:logout"),
            "signin": reverse("web:login") + "?next=" + reverse("field:shell"),
            "worker": reverse("field:worker"),
        },
        "wipe_after_days": settings.FIELD_WIPE_AFTER_DAYS,
        "strings": strings(),
        "plurals": plurals(),
    }
    if role == Role.KEYHOLDER:
        data["checklist"] = [
            {
                "key": item.key,
                "label": str(item.label),
                "problem": str(item.problem_label or item.label),
                "kind": item.kind,
            }
            for item in checklist.ITEMS.values()
        ]
        data["by_duty"] = {k: list(v) for k, v in checklist.BY_DUTY.items()}
        data["duty_kinds"] = _choices(DutyKind.choices)
        data["task_statuses"] = _choices(TaskStatus.choices)
        data["incident_kinds"] = _choices(IncidentKind.choices)
        data["severities"] = _choices(Severity.choices)
    if role == Role.ENUMERATOR:
        data["villages"] = [
            [p.code, str(p.name)]
            for p in Place.objects.filter(area_q(user), kind=PlaceKind.VILLAGE).order_by("code")
        ]
        data["event_kinds"] = _choices(EventKind.choices)
        data["event_fields"] = {str(k): v for k, v in EVENT_FIELDS.items()}
        data["event_required"] = {str(k): v for k, v in REQUIRED_EVENT_FIELDS.items()}
        data["purposes"] = _choices(Purpose.choices)
        data["sexes"] = _choices(Sex.choices)
        data["relations"] = _choices(Relation.choices)
        data["countries"] = _choices(country_choices(language))
    return data
