"""Status and event wording of the registry's pages, in the active language."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from keyholder.places.countries import country_name as _country_name
from keyholder.registry.models import EventCorrection, EventKind, MigrationEvent
from keyholder.registry.queries import CorrectionRow
from keyholder.registry.status import HouseholdState, HouseholdStatus, State, Status

register = template.Library()


def _date(value: dt.date | None) -> str:
    return date_format(value, "DATE_FORMAT") if value else ""


@register.simple_tag
def status_text(status: Status) -> str:
    """A whole sentence for a person's status, e.g. "Abroad since 3 May 2024: Russia, Moscow"."""
    since = _date(status.since)
    if status.state == State.ABROAD:
        where = _country_name(status.country)
        if status.destination:
            return _("Abroad since %(since)s: %(country)s, %(city)s") % {
                "since": since,
                "country": where,
                "city": status.destination,
            }
        return _("Abroad since %(since)s: %(country)s") % {"since": since, "country": where}
    if status.state == State.BANNED:
        return _("At home; banned from entering %(country)s until %(until)s") % {
            "country": _country_name(status.ban_country),
            "until": _date(status.ban_until),
        }
    if status.state == State.DEPORTED:
        return _("At home; deported on %(since)s") % {"since": since}
    if status.state == State.RETURNED:
        return _("At home; returned on %(since)s") % {"since": since}
    if status.state == State.MOVED:
        return _("Living elsewhere in the country since %(since)s") % {"since": since}
    if status.state == State.LEFT:
        return _("Left the household on %(since)s") % {"since": since}
    if status.state == State.DEAD:
        return _("Died on %(since)s") % {"since": since}
    if status.state == State.NOT_YET:
        return _("Not yet a member of the household")
    return _("At home")


@register.simple_tag
def household_status_text(status: HouseholdStatus) -> str:
    if status.state == HouseholdState.FULLY_ABROAD:
        return _("The whole household is abroad; the house stands empty.")
    if status.state == HouseholdState.AWAY:
        return _("Nobody of the household lives in the village; the house stands empty.")
    if status.state == HouseholdState.EMPTY:
        return _("The household has no living members.")
    return _("Someone of the household lives in the house.")


@register.filter
def status_class(status: Status) -> str:
    """A CSS class so that the state shows by more than colour alone (an icon goes with it)."""
    return {
        State.ABROAD: "st-abroad",
        State.BANNED: "st-banned",
        State.DEPORTED: "st-deported",
        State.DEAD: "st-dead",
        State.MOVED: "st-moved",
        State.LEFT: "st-left",
    }.get(status.state, "st-home")


@register.simple_tag
def event_text(event: MigrationEvent) -> str:
    """One event as a whole sentence in the active language."""
    country = _country_name(event.country)
    if event.kind == EventKind.DEPARTED:
        text = _("Departed to %(country)s") % {"country": country}
        if event.destination:
            text = _("Departed to %(country)s, %(city)s") % {
                "country": country,
                "city": event.destination,
            }
        if event.purpose:
            text = _("%(event)s (purpose: %(purpose)s)") % {
                "event": text,
                "purpose": event.get_purpose_display(),
            }
        return text
    if event.kind == EventKind.ENTRY_BAN:
        if country:
            return _("Banned from entering %(country)s until %(until)s") % {
                "country": country,
                "until": _date(event.until),
            }
        return _("Entry ban until %(until)s") % {"until": _date(event.until)}
    if event.kind == EventKind.DEPORTED and country:
        return _("Deported from %(country)s") % {"country": country}
    if event.kind == EventKind.MOVED and event.moved_to is not None:
        return _("Moved within the country to %(place)s") % {"place": event.moved_to.name}
    return str(event.get_kind_display())


@register.simple_tag
def correction_text(row: CorrectionRow) -> str:
    """A correction as a whole sentence: when, by whom, and the event before (and after)."""
    correction = row.correction
    by = correction.by
    who = (by.get_full_name() or by.username) if by is not None else _("the system")
    at = date_format(timezone.localtime(correction.at), "DATE_FORMAT")
    before = _("%(event)s on %(date)s") % {
        "event": event_text(row.before),
        "date": _date(row.before.date),
    }
    if correction.action == EventCorrection.Action.REMOVED or row.after is None:
        return _("Removed on %(at)s by %(by)s: %(event)s") % {
            "at": at,
            "by": who,
            "event": before,
        }
    after = _("%(event)s on %(date)s") % {
        "event": event_text(row.after),
        "date": _date(row.after.date),
    }
    return _("Corrected on %(at)s by %(by)s: %(before)s became %(after)s") % {
        "at": at,
        "by": who,
        "before": before,
        "after": after,
    }
