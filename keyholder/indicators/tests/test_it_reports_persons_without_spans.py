"""The store is made from the status spans: a person stored around the services without
spans is left out of it and reported, until ``rebuild_spans`` makes their spans."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command

from keyholder.indicators.models import IndicatorSeries
from keyholder.indicators.months import month_index
from keyholder.indicators.store import build_all
from keyholder.registry.models import MigrationEvent, Person
from keyholder.testing import Cast, make_event, make_person

MONTH = month_index(dt.date(2024, 3, 1))


def abroad(cast: Cast) -> int:
    row = IndicatorSeries.objects.filter(place=cast.country, indicator="abroad").first()
    return row.value_at(MONTH) if row else 0


def test_a_person_without_spans_is_reported_until_rebuilt(cast: Cast) -> None:
    make_event(make_person(cast.household, "Aziz"), "departed", dt.date(2023, 5, 2))
    # Loaded around the services: no spans.
    bare = Person.objects.create(
        household=cast.household, given_name="Bare", sex="f", birth_year=1990
    )
    MigrationEvent.objects.create(
        person=bare, kind="departed", date=dt.date(2023, 6, 1), country="KZ"
    )
    report = build_all()
    assert report.skipped_persons == 1
    assert abroad(cast) == 1
    call_command("rebuild_spans", quiet=True)
    report = build_all()
    assert report.skipped_persons == 0
    assert abroad(cast) == 2
    kz = IndicatorSeries.objects.get(place=cast.country, indicator="abroad", dimension="country:KZ")
    assert kz.value_at(MONTH) == 1
