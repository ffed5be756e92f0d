"""Correcting and removing an event on the household page refresh the analytics store from
the earlier of the old and new dates; a refused change refreshes nothing; the refreshed store
equals a full rebuild."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from keyholder.indicators.models import IndicatorSeries, StoreState
from keyholder.indicators.store import build_all
from keyholder.indicators.tests.helpers import populate
from keyholder.registry.models import MigrationEvent
from keyholder.registry.services import do_create_person
from keyholder.testing import Cast

D = dt.date


def month(year: int, number: int) -> int:
    """The store's index of a month (January 2015 is 0)."""
    return (year - 2015) * 12 + number - 1


def abroad(place_id: int, index: int) -> int:
    row = IndicatorSeries.objects.filter(
        place_id=place_id, indicator="abroad", dimension=""
    ).first()
    return row.value_at(index) if row else 0


def snapshot() -> dict[tuple[int, str, str], list[int]]:
    return {(r.place_id, r.indicator, r.dimension): r.values for r in IndicatorSeries.objects.all()}


def test_the_figures_follow_a_correction_and_a_removal(
    client: Client, cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    populate(cast)
    # Through the service, which has the store count him from the beginning.
    with django_capture_on_commit_callbacks(execute=True):
        farhod, _ = do_create_person(
            actor=cast.enumerator,
            household=cast.household,
            given_name="Farhod",
            sex="m",
            birth_year=1995,
        )
    client.force_login(cast.enumerator)
    record, district = f"p{farhod.pk.hex[:12]}", cast.district.pk
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/registry/persons/{farhod.pk}/events/",
            {
                f"{record}-kind": "departed",
                f"{record}-date": "2023-08-01",
                f"{record}-country": "RU",
            },
        )
    assert response.status_code == 302
    departed = MigrationEvent.objects.get(person=farhod)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/registry/persons/{farhod.pk}/events/",
            {f"{record}-kind": "returned", f"{record}-date": "2024-03-15"},
        )
    returned = MigrationEvent.objects.get(person=farhod, kind="returned")
    # Asht has 25 abroad at the end of 2023 (helpers.populate), and Farhod.
    assert abroad(district, month(2023, 12)) == 26
    assert abroad(district, month(2023, 7)) == 25 - 11  # Nazarov leave in November

    # The departure was in fact in January 2024: from the earlier (old) date the figures change.
    prefix = f"e{departed.pk.hex[:12]}"
    correction = {
        f"{prefix}-kind": "departed",
        f"{prefix}-date": "2024-01-20",
        f"{prefix}-country": "RU",
        f"{prefix}-reason": "The month was misheard",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/registry/events/{departed.pk}/correct/", correction)
    assert response.status_code == 302
    assert abroad(district, month(2023, 12)) == 25
    assert abroad(district, month(2024, 1)) == 26
    assert abroad(cast.country.pk, month(2024, 1)) == 26 + 7

    # A correction that would break the history is refused and refreshes nothing.
    refused = {**correction, f"{prefix}-date": "2024-04-01"}
    refreshed = StoreState.objects.get(pk=1).refreshed_at
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/registry/events/{departed.pk}/correct/", refused)
    assert response.status_code == 400
    assert StoreState.objects.get(pk=1).refreshed_at == refreshed
    assert abroad(district, month(2024, 1)) == 26

    # The return was recorded for the wrong person: removed, Farhod stays abroad.
    back_in_march = month(2024, 3)
    assert abroad(district, back_in_march) == 25
    prefix = f"e{returned.pk.hex[:12]}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/registry/events/{returned.pk}/remove/", {f"{prefix}-reason": "Another Farhod"}
        )
    assert response.status_code == 302
    # Umarov's 3 left in May 2024; without the return Farhod counts in March.
    assert abroad(district, back_in_march) == 26
    incremental = snapshot()
    build_all()
    assert snapshot() == incremental
