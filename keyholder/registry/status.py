"""Status on a date, derived from dated events, and the rules of a possible history.

This module is pure: it works on any objects with the attributes of ``EventLike`` so that the
services, the indicators and the property tests all share one definition of "abroad".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from keyholder.core.errors import Code, ServiceError


class EventLike(Protocol):
    kind: str
    date: dt.date
    country: str
    destination: str
    until: dt.date | None


class State:
    NOT_YET = "not_yet"  # before birth or before joining the household
    PRESENT = "present"
    ABROAD = "abroad"
    RETURNED = "returned"
    DEPORTED = "deported"
    BANNED = "banned"
    MOVED = "moved"  # living elsewhere in the country
    LEFT = "left"  # no longer a member of the household
    DEAD = "dead"

    ALL = (NOT_YET, PRESENT, ABROAD, RETURNED, DEPORTED, BANNED, MOVED, LEFT, DEAD)
    # States in which the person lives in the village.
    IN_VILLAGE = frozenset({PRESENT, RETURNED, DEPORTED, BANNED})
    MEMBER = frozenset({PRESENT, ABROAD, RETURNED, DEPORTED, BANNED, MOVED})


# Order of kinds that fall on one day: birth first, death last, a return before a new departure.
KIND_ORDER = {
    "born": 0,
    "joined": 1,
    "returned": 2,
    "deported": 3,
    "entry_ban": 4,
    "moved": 5,
    "departed": 6,
    "left": 7,
    "died": 8,
}


def sort_key(event: EventLike) -> tuple[dt.date, int]:
    return (event.date, KIND_ORDER.get(event.kind, 9))


@dataclass(frozen=True)
class Status:
    state: str
    since: dt.date | None = None
    country: str = ""
    destination: str = ""
    ban_until: dt.date | None = None
    ban_country: str = ""

    @property
    def in_village(self) -> bool:
        return self.state in State.IN_VILLAGE

    @property
    def abroad(self) -> bool:
        return self.state == State.ABROAD

    @property
    def alive_member(self) -> bool:
        return self.state in State.MEMBER


def initial_status(events: Sequence[EventLike], birth_year: int) -> Status:
    """A person's status before their first event (``events`` sorted with ``sort_key``): not yet
    a member when the history begins with a birth or a joining, otherwise present since birth."""
    if events and events[0].kind in ("born", "joined"):
        return Status(State.NOT_YET)
    return Status(State.PRESENT, since=dt.date(birth_year, 1, 1))


def replay(
    events: Iterable[EventLike],
    birth_year: int,
    on: dt.date | None = None,
    today: dt.date | None = None,
) -> Status:
    """Apply events in order and return the status on ``on`` (or after the last event).

    Raises ``ServiceError`` with a ``history.*`` code at the first impossible event, so the
    same function validates a history and answers "what was this person's status then".
    """
    ordered = sorted(events, key=sort_key)
    status = initial_status(ordered, birth_year)
    birth_start = dt.date(birth_year, 1, 1)
    for index, event in enumerate(ordered):
        if on is not None and event.date > on:
            break
        status = apply(status, event, index, birth_start, today)
    return _with_ban_expiry(status, on)


def _with_ban_expiry(status: Status, on: dt.date | None) -> Status:
    """A ban ends on its ``until`` date; after it a banned person is simply back home."""
    if (
        status.state == State.BANNED
        and on is not None
        and status.ban_until is not None
        and on > status.ban_until
    ):
        return Status(State.RETURNED, since=status.since)
    return status


def apply(
    status: Status,
    event: EventLike,
    index: int,
    birth_start: dt.date,
    today: dt.date | None = None,
) -> Status:
    date = event.date
    kind = event.kind
    if today is not None and date > today:
        raise ServiceError(Code.HISTORY_DATE_IN_FUTURE, date=date)
    if status.state == State.DEAD:
        raise ServiceError(Code.HISTORY_AFTER_DEATH, date=date)
    if date < birth_start:
        raise ServiceError(Code.HISTORY_BEFORE_BIRTH, date=date, birth_year=birth_start.year)

    ban_until, ban_country = status.ban_until, status.ban_country
    if ban_until is not None and date > ban_until:
        ban_until, ban_country = None, ""

    if kind == "born":
        if index != 0:
            raise ServiceError(Code.HISTORY_BORN_NOT_FIRST, date=date)
        if date.year != birth_start.year:
            raise ServiceError(
                Code.HISTORY_BIRTH_YEAR_MISMATCH, date=date, birth_year=birth_start.year
            )
        return Status(State.PRESENT, since=date)
    if kind == "joined":
        if status.state not in (State.NOT_YET, State.LEFT):
            raise ServiceError(Code.HISTORY_ALREADY_MEMBER, date=date)
        return Status(State.PRESENT, since=date)
    if status.state in (State.NOT_YET, State.LEFT):
        raise ServiceError(Code.HISTORY_NOT_A_MEMBER, date=date)

    if kind == "departed":
        if not event.country:
            raise ServiceError(Code.HISTORY_DESTINATION_REQUIRED, field="country")
        if status.state == State.ABROAD:
            raise ServiceError(Code.HISTORY_OVERLAPPING_STAY_ABROAD, date=date, since=status.since)
        if ban_until is not None and ban_country == event.country.upper():
            raise ServiceError(
                Code.HISTORY_DEPARTURE_DURING_BAN, date=date, country=event.country, until=ban_until
            )
        return Status(
            State.ABROAD,
            since=date,
            country=event.country.upper(),
            destination=event.destination,
            ban_until=ban_until,
            ban_country=ban_country,
        )
    if kind == "returned":
        if status.state not in (State.ABROAD, State.MOVED):
            raise ServiceError(Code.HISTORY_RETURN_WITHOUT_DEPARTURE, date=date)
        state = State.BANNED if ban_until is not None else State.RETURNED
        return Status(state, since=date, ban_until=ban_until, ban_country=ban_country)
    if kind == "deported":
        if status.state != State.ABROAD:
            raise ServiceError(Code.HISTORY_DEPORTATION_WITHOUT_DEPARTURE, date=date)
        state = State.BANNED if ban_until is not None else State.DEPORTED
        return Status(
            state, since=date, country=status.country, ban_until=ban_until, ban_country=ban_country
        )
    if kind == "entry_ban":
        if event.until is None or event.until <= date:
            raise ServiceError(Code.HISTORY_BAN_END_BEFORE_START, field="until", date=date)
        country = (event.country or status.country or "RU").upper()
        state = status.state
        if state in State.IN_VILLAGE:
            state = State.BANNED
        return Status(
            state,
            since=status.since if state == status.state else date,
            country=status.country,
            destination=status.destination,
            ban_until=event.until,
            ban_country=country,
        )
    if kind == "moved":
        if status.state == State.ABROAD:
            raise ServiceError(Code.HISTORY_MOVED_WHILE_ABROAD, date=date)
        return Status(State.MOVED, since=date, ban_until=ban_until, ban_country=ban_country)
    if kind == "left":
        return Status(State.LEFT, since=date)
    if kind == "died":
        return Status(State.DEAD, since=date)
    raise ServiceError(Code.INVALID_FIELD, field="kind", detail=kind)


def validate_history(events: Iterable[EventLike], birth_year: int, today: dt.date) -> Status:
    """Replay the whole history, refusing the first impossible event; returns the last status."""
    return replay(events, birth_year, on=None, today=today)


class HouseholdState:
    PRESENT = "present"  # at least one living member lives in the village
    FULLY_ABROAD = "fully_abroad"  # no living member in the village, at least one abroad
    AWAY = "away"  # no living member in the village, none abroad (moved elsewhere)
    EMPTY = "empty"  # no living members at all


@dataclass(frozen=True)
class HouseholdStatus:
    state: str
    members_total: int
    present: int
    abroad: int
    moved: int

    @property
    def vacant(self) -> bool:
        """The house stands empty when nobody of the household lives in it."""
        return self.state != HouseholdState.PRESENT


def household_status(member_statuses: Iterable[Status]) -> HouseholdStatus:
    present = abroad = moved = total = 0
    for status in member_statuses:
        if not status.alive_member:
            continue
        total += 1
        if status.in_village:
            present += 1
        elif status.abroad:
            abroad += 1
        elif status.state == State.MOVED:
            moved += 1
    if present:
        state = HouseholdState.PRESENT
    elif abroad:
        state = HouseholdState.FULLY_ABROAD
    elif total:
        state = HouseholdState.AWAY
    else:
        state = HouseholdState.EMPTY
    return HouseholdStatus(state, total, present, abroad, moved)
