"""Recording an event through the registry service refreshes the store incrementally, and the
result equals a full rebuild."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command

from keyholder.indicators.models import IndicatorSeries, StoreState
from keyholder.indicators.store import build_all
from keyholder.indicators.tests.helpers import populate
from keyholder.registry.models import Household
from keyholder.registry.services import do_create_person, do_record_event
from keyholder.testing import Cast, make_person


def snapshot() -> dict[tuple[int, str, str], list[int]]:
    return {(r.place_id, r.indicator, r.dimension): r.values for r in IndicatorSeries.objects.all()}


def abroad_at_end_of_2023(place_id: int) -> int:
    row = IndicatorSeries.objects.filter(
        place_id=place_id, indicator="abroad", dimension=""
    ).first()
    return row.value_at(107) if row else 0


def test_it_refreshes_the_store_after_an_event(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    populate(cast)
    before = abroad_at_end_of_2023(cast.district.pk)
    refreshed_before = StoreState.objects.get(pk=1).refreshed_at
    # A new person counts from the beginning: the service says so, and the store follows
    # (the event's refresh below recomputes from its date only).
    with django_capture_on_commit_callbacks(execute=True):
        person, _ = do_create_person(
            actor=cast.enumerator,
            household=cast.household,
            given_name="Farhod",
            sex="m",
            birth_year=1995,
        )
    with django_capture_on_commit_callbacks(execute=True):
        do_record_event(
            actor=cast.enumerator,
            person=person,
            kind="departed",
            date=dt.date(2023, 8, 1),
            country="ru",
        )
    # The refresh job is enqueued inside the event's transaction (the immediate backend of
    # the tests runs it there; test_the_refresh_job_commits_with_the_write.py has the queue).
    assert StoreState.objects.get(pk=1).refreshed_at != refreshed_before
    assert abroad_at_end_of_2023(cast.district.pk) == before + 1
    assert abroad_at_end_of_2023(cast.country.pk) == before + 1 + 7
    incremental = snapshot()
    build_all()
    assert snapshot() == incremental


def test_it_does_not_touch_an_unbuilt_store(cast: Cast, django_capture_on_commit_callbacks) -> None:
    person = make_person(cast.household, "Farhod", birth_year=1995)
    with django_capture_on_commit_callbacks(execute=True):
        do_record_event(
            actor=cast.enumerator,
            person=person,
            kind="departed",
            date=dt.date(2023, 8, 1),
            country="RU",
        )
    assert not IndicatorSeries.objects.exists()


def test_a_keeping_agreement_moves_a_vacant_house_to_kept(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    from keyholder.keeping.services import do_create_agreement

    populate(cast)
    house = Household.objects.get(name="Saidov").house
    assert house is not None
    # Through the keeping service, which announces the change of care after commit.
    with django_capture_on_commit_callbacks(execute=True):
        do_create_agreement(
            actor=None,
            house=house,
            keyholder=cast.keyholder,
            start=dt.date(2023, 6, 1),
            fee_amount=100,
            fee_currency="TJS",
            fee_period="month",
        )
    kept = IndicatorSeries.objects.get(
        place=cast.village, indicator="vacant_houses_kept", dimension=""
    )
    assert kept.value_at(107) == 1 and kept.value_at(100) == 0
    incremental = snapshot()
    build_all()
    assert snapshot() == incremental


def test_the_command_builds_the_store(cast: Cast) -> None:
    populate(cast)
    out = StringIO()
    call_command("build_indicators", "--no-progress", stdout=out)
    assert "full build" in out.getvalue()
    call_command("build_indicators", "--village", cast.village.code, stdout=out)
    assert "refresh: 1 villages" in out.getvalue()
