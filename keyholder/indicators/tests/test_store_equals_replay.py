"""The analytics store, built from the status spans, equals a direct recomputation by
replaying every person's events on every month, on random histories, at all five levels."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keyholder.indicators.months import current_month_count
from keyholder.indicators.store import build_all, refresh_villages
from keyholder.indicators.tests.histories import HouseholdPlan, household_plans
from keyholder.indicators.tests.reference import direct_tree, stored_months
from keyholder.keeping.models import AgreementChange, KeepingAgreement
from keyholder.registry.models import Household, MigrationEvent, Person
from keyholder.registry.services import do_record_event
from keyholder.registry.spans import rebuild_village
from keyholder.testing import Cast, examples, make_house, make_person

TODAY = dt.date.today()
MONTHS = current_month_count()


def store_examples(count: int) -> settings:
    """Hypothesis settings of the store's property tests: ``count`` examples (more in CI:
    ``testing.examples``), no deadline (each stores histories and builds the store), the cast
    fixture shared by them."""
    return settings(
        max_examples=examples(count),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def assert_store_equals_replay(cast: Cast, *context: object) -> None:
    """Every month of the store equals the replay, at every level of the cast's tree."""
    months = list(range(MONTHS))
    places = [cast.village, cast.village2, cast.jamoat, cast.district, cast.country]
    reference = direct_tree(places, months)
    for place in places:
        expected = reference[place.code]
        got = stored_months(place, months)
        for month in months:
            assert got[month] == expected[month], (place.code, month, *context)


def _store_plans(
    cast: Cast, plans: list[HouseholdPlan], kept: list[tuple[int, int, int, int]]
) -> None:
    villages = [cast.village, cast.village2, cast.other_village]
    houses = {}
    for number, plan in enumerate(plans):
        village = villages[plan.village]
        key = (plan.village, plan.house)
        if key not in houses:
            houses[key] = make_house(village)
        household = Household.objects.create(village=village, house=houses[key], name=f"H{number}")
        for index, member in enumerate(plan.members):
            person = Person.objects.create(
                household=household,
                given_name=f"P{index}",
                sex=member.sex,
                birth_year=member.birth_year,
            )
            MigrationEvent.objects.bulk_create(
                MigrationEvent(
                    person=person, kind=e.kind, date=e.date, country=e.country, until=e.until
                )
                for e in member.events
            )
    # The histories were stored around the services, as a bulk import stores them: their
    # status spans are made from the events as ``keyholder rebuild_spans`` makes them.
    for village in villages:
        rebuild_village(village.pk)
    for position, (house_number, start_month, length, paused) in enumerate(kept):
        house = list(houses.values())[house_number % len(houses)]
        start = dt.date(2015 + start_month // 12, start_month % 12 + 1, 3 + position)
        end = start + dt.timedelta(days=length) if length else None
        agreement = KeepingAgreement.objects.create(
            house=house,
            keyholder=cast.keyholder,
            start=start,
            end=end,
            fee_amount=10,
            fee_currency="TJS",
            fee_period="month",
        )
        # Some agreements pause for 40 days, across a month end or not, and resume.
        if paused:
            pause = start + dt.timedelta(days=paused)
            AgreementChange.objects.create(agreement=agreement, kind="pause", date=pause)
            AgreementChange.objects.create(
                agreement=agreement, kind="resume", date=pause + dt.timedelta(days=40)
            )


@pytest.mark.slow
@pytest.mark.django_db
@store_examples(12)
@given(
    plans=household_plans(TODAY),
    kept=st.lists(
        st.tuples(st.integers(0, 9), st.integers(0, 130), st.integers(0, 900), st.integers(0, 120)),
        max_size=2,
    ),
)
def test_store_equals_direct_recomputation(
    cast: Cast, plans: list[HouseholdPlan], kept: list[tuple[int, int, int, int]]
) -> None:
    with transaction.atomic():
        # The cast's own households take part too (one with no members at all).
        _store_plans(cast, plans, kept)
        build_all()
        # Every month of the store, at every level of the tree.
        assert_store_equals_replay(cast)
        transaction.set_rollback(True)


@pytest.mark.slow
@pytest.mark.django_db
@store_examples(6)
@given(
    plans=household_plans(TODAY),
    born=st.integers(1940, 2012),
    left=st.integers(0, (TODAY - dt.date(2015, 1, 1)).days),
    away=st.one_of(st.none(), st.integers(1, 2000)),
)
def test_a_refresh_from_a_date_equals_direct_recomputation(
    cast: Cast, plans: list[HouseholdPlan], born: int, left: int, away: int | None
) -> None:
    """The incremental refresh recomputes a village from the month of the change on and keeps
    the months before as stored: the store still equals the replay, at all five levels."""
    with transaction.atomic():
        _store_plans(cast, plans, [])
        person = make_person(cast.household, "Farhod", birth_year=born)
        build_all()
        # Then he leaves (and perhaps comes back), recorded through the service.
        departed = dt.date(2015, 1, 1) + dt.timedelta(days=left)
        do_record_event(actor=None, person=person, kind="departed", date=departed, country="RU")
        if away is not None and departed + dt.timedelta(days=away) <= TODAY:
            back = departed + dt.timedelta(days=away)
            do_record_event(actor=None, person=person, kind="returned", date=back)
        refresh_villages([cast.village.pk], since=departed)
        assert_store_equals_replay(cast)
        transaction.set_rollback(True)
