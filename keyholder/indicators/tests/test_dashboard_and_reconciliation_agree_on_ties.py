"""The dashboard and the reconciliation set the same registry figure beside an official one,
with the same growth, also when several sources published a figure for the same date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from keyholder.indicators.reconcile import reconcile
from keyholder.indicators.tests.helpers import populate
from keyholder.places.models import OfficialFigure, Place
from keyholder.testing import Cast


def test_it_takes_growth_from_the_last_figure_entered_for_the_earlier_date(
    cast: Cast, client: Client
) -> None:
    populate(cast)
    asht = Place.objects.get(code="TJ-SU-ASHT")
    # Two sources for each date, entered in this order: 25 abroad in the registry at the end of
    # 2023, 28 on 15 July 2024.
    entered = {}
    for as_of, value, source in (
        (dt.date(2023, 12, 31), "17500", "Migration Service"),
        (dt.date(2023, 12, 31), "20000", "Survey"),
        (dt.date(2024, 7, 15), "24000", "Migration Service"),
        (dt.date(2024, 7, 15), "26000", "Survey"),
    ):
        entered[(as_of.year, source)] = OfficialFigure.objects.create(
            place=asht,
            indicator="residents_in_labour_migration",
            value=Decimal(value),
            as_of=as_of,
            source=source,
            unit="persons",
        )
    [comparison] = reconcile(cast.officer, asht)
    # The latest figure is the last entered of the latest date; it grows from the last entered
    # of the date before, the figure the reconciliation showed as latest on that date.
    assert comparison.figure == entered[(2024, "Survey")]
    assert comparison.previous == entered[(2023, "Survey")]
    assert comparison.official_growth == pytest.approx(26000 / 20000 - 1)
    assert comparison.registry is not None and comparison.registry.cell.value == 28
    assert comparison.registry_growth == pytest.approx(28 / 25 - 1)

    client.force_login(cast.officer)
    response = client.get(f"/indicators/{asht.code}/")
    assert response.status_code == 200
    rows = {row.figure.pk: row for row in response.context["official"]}
    assert len(rows) == 4
    shown = rows[comparison.figure.pk]
    assert shown.registry == comparison.registry.cell
    assert (shown.coverage, shown.gap) == (comparison.coverage, comparison.gap)
    assert shown.previous == comparison.previous
    assert (shown.official_growth, shown.registry_growth) == (
        comparison.official_growth,
        comparison.registry_growth,
    )
    # Both figures of July grow from the same December figure; those of December from none.
    assert rows[entered[(2024, "Migration Service")].pk].previous == entered[(2023, "Survey")]
    assert rows[entered[(2023, "Survey")].pk].previous is None
