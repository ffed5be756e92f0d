"""After writes through the services, the store moved by the change feed (``SpanChange``)
equals a direct recomputation by replay, at all five levels, and the feed is empty.

The services write each person's removed and added spans to the feed; the refresh that
follows a write (run by the immediate task backend inside the write, as the worker runs it
after commit) moves the stored series by their difference, reading only the households
touched and those sharing a house with them. The writes are random: events recorded,
corrected and deleted, persons added, and persons moved to another household (which is not
announced: its changes wait in the feed for the next refresh, whichever village it is for),
mixed with refreshes that recompute a village from a date while other changes wait.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from keyholder.core.errors import ServiceError
from keyholder.indicators.months import current_month_count
from keyholder.indicators.store import build_all, refresh_villages
from keyholder.indicators.tests.histories import (
    COUNTRIES,
    KINDS,
    HouseholdPlan,
    household_plans,
)
from keyholder.indicators.tests.reference import stored_months
from keyholder.indicators.tests.test_store_equals_replay import (
    _store_plans,
    assert_store_equals_replay,
    store_examples,
)
from keyholder.registry.models import (
    EventChange,
    Household,
    MigrationEvent,
    Person,
    SpanChange,
)
from keyholder.registry.services import (
    do_correct_event,
    do_create_person,
    do_delete_event,
    do_record_event,
)
from keyholder.registry.spans import log_event, rewrite_spans
from keyholder.testing import Cast, make_house, make_household, make_person

TODAY = dt.date.today()
MONTHS = current_month_count()
DAYS = (TODAY - dt.date(2015, 1, 1)).days

writes = st.lists(
    st.one_of(
        st.tuples(
            st.just("record"),
            st.integers(0, 30),
            st.sampled_from(KINDS),
            st.integers(0, DAYS),
            st.sampled_from(COUNTRIES),
        ),
        st.tuples(st.just("correct"), st.integers(0, 60), st.integers(0, DAYS)),
        st.tuples(st.just("delete"), st.integers(0, 60)),
        st.tuples(
            st.just("add"), st.integers(0, 10), st.integers(1940, 2015), st.sampled_from("fm")
        ),
        st.tuples(st.just("move"), st.integers(0, 30), st.integers(0, 10)),
        st.tuples(st.just("recompute"), st.integers(0, 2), st.integers(0, DAYS)),
    ),
    min_size=1,
    max_size=6,
)


def _pick(items: list[Any], index: int) -> Any:
    return items[index % len(items)] if items else None


def _write(cast: Cast, write: tuple[Any, ...]) -> None:
    # In an order that does not depend on the random ids, so that an example replays.
    persons = list(Person.objects.order_by("household__name", "given_name", "birth_year"))
    events = list(
        MigrationEvent.objects.order_by(
            "person__household__name", "person__given_name", "date", "kind"
        )
    )
    households = list(Household.objects.order_by("name", "created_at"))
    what = write[0]
    try:
        with transaction.atomic():
            if what == "record" and persons:
                _, index, kind, day, country = write
                extra = {}
                if kind in ("departed", "entry_ban"):
                    extra["country"] = country
                if kind == "entry_ban":
                    extra["until"] = TODAY + dt.timedelta(days=400)
                if kind == "moved":
                    extra["moved_to"] = cast.village2
                do_record_event(
                    actor=None,
                    person=_pick(persons, index),
                    kind=kind,
                    date=dt.date(2015, 1, 1) + dt.timedelta(days=day),
                    **extra,
                )
            elif what == "correct" and events:
                _, index, day = write
                do_correct_event(
                    actor=None,
                    event=_pick(events, index),
                    changes={"date": dt.date(2015, 1, 1) + dt.timedelta(days=day)},
                    reason="date was wrong",
                )
            elif what == "delete" and events:
                do_delete_event(actor=None, event=_pick(events, write[1]), reason="in error")
            elif what == "add" and households:
                _, index, born, sex = write
                do_create_person(
                    actor=None,
                    household=_pick(households, index),
                    given_name="Nav",
                    sex=sex,
                    birth_year=born,
                )
            elif what == "move" and persons and households:
                # Around the services, as an admin's edit: the spans follow the person and
                # the feed holds the change, which nobody announces.
                person = _pick(persons, write[1])
                person.household = _pick(households, write[2])
                person.save()
            elif what == "recompute":
                village = [cast.village, cast.village2, cast.other_village][write[1]]
                refresh_villages(
                    [village.pk], since=dt.date(2015, 1, 1) + dt.timedelta(days=write[2])
                )
    except ServiceError:
        pass  # an impossible history is refused whole: nothing changed


@pytest.mark.slow
@pytest.mark.django_db
@store_examples(10)
@given(plans=household_plans(TODAY), writes=writes)
def test_the_store_moved_by_the_feed_equals_direct_recomputation(
    cast: Cast, plans: list[HouseholdPlan], writes: list[tuple[Any, ...]]
) -> None:
    with transaction.atomic():
        _store_plans(cast, plans, [(0, 100, 0, 0)])
        build_all()
        assert not SpanChange.objects.exists()
        for write in writes:
            _write(cast, write)
        # The moves' changes are taken in by the next refresh, of any village.
        refresh_villages([cast.village.pk], since=TODAY, logged=True)
        assert not SpanChange.objects.exists()
        assert not EventChange.objects.exists()
        assert_store_equals_replay(cast, writes)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_an_event_moves_the_store_without_reading_the_village(cast: Cast) -> None:
    """A departure recorded through the service leaves nothing in the feed, and the
    village's figures move: one more person abroad from the month of the departure."""
    person = make_person(cast.household, "Farhod", birth_year=1990)
    build_all()
    before = stored_months(cast.village, [MONTHS - 1])[MONTHS - 1]
    do_record_event(actor=None, person=person, kind="departed", date=TODAY, country="RU")
    assert not SpanChange.objects.exists()
    assert not EventChange.objects.exists()
    after = stored_months(cast.village, [MONTHS - 1])[MONTHS - 1]
    assert after.get(("abroad", ""), 0) == before.get(("abroad", ""), 0) + 1
    assert after.get(("departures", ""), 0) == before.get(("departures", ""), 0) + 1
    assert after.get(("abroad", "country:RU"), 0) == before.get(("abroad", "country:RU"), 0) + 1


@pytest.mark.django_db
def test_a_house_is_vacant_only_when_all_its_households_are_away(cast: Cast) -> None:
    """Two households share a house. The first leaving empties its household, not the house;
    when the second leaves too, the house is vacant: the refresh reads the housemates."""
    house = make_house(cast.village2)
    first = make_person(make_household(cast.village2, "Rahimov", house=house), "Ali")
    second = make_person(make_household(cast.village2, "Saidov", house=house), "Vali")
    build_all()

    def figures() -> dict[tuple[str, str], int]:
        return stored_months(cast.village2, [MONTHS - 1])[MONTHS - 1]

    before = figures()
    do_record_event(actor=None, person=first, kind="departed", date=TODAY, country="RU")
    moved = figures()
    assert moved.get(("households_fully_abroad", ""), 0) == (
        before.get(("households_fully_abroad", ""), 0) + 1
    )
    assert moved.get(("vacant_houses", ""), 0) == before.get(("vacant_houses", ""), 0)
    do_record_event(actor=None, person=second, kind="departed", date=TODAY, country="KZ")
    after = figures()
    assert after.get(("vacant_houses", ""), 0) == before.get(("vacant_houses", ""), 0) + 1
    assert after.get(("vacant_houses_unkept", ""), 0) == (
        before.get(("vacant_houses_unkept", ""), 0) + 1
    )
    assert not SpanChange.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_refresh_outside_any_transaction_takes_the_feed_in(cast: Cast) -> None:
    """The worker's refresh runs in a transaction of its own (on PostgreSQL, one snapshot
    taken after the store's lock): the changes written around the services, as the bench
    writes them, are taken in and the feed emptied."""
    person = make_person(cast.household, "Farhod", birth_year=1990)
    build_all()
    before = stored_months(cast.village, [MONTHS - 1])[MONTHS - 1]
    MigrationEvent.objects.create(person=person, kind="departed", date=TODAY, country="TR")
    rewrite_spans(person, list(person.events.all()))
    log_event(person, 1, "departed", "TR", TODAY)
    # The open span at home removed; one at home until today and one abroad from today added.
    assert SpanChange.objects.count() == 3
    report = refresh_villages([cast.village.pk], since=TODAY, logged=True)
    assert report is not None
    assert not SpanChange.objects.exists()
    assert not EventChange.objects.exists()
    after = stored_months(cast.village, [MONTHS - 1])[MONTHS - 1]
    assert after.get(("abroad", "country:TR"), 0) == before.get(("abroad", "country:TR"), 0) + 1
    assert after.get(("departures", ""), 0) == before.get(("departures", ""), 0) + 1
