"""Public figures locate nothing: counts of empty houses stop at the district, pages stop at
the jamoat, and a child's figure cannot be recovered by subtracting its public siblings from
its public parent (docs/indicators.md, "Disclosure control")."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keyholder.indicators import queries
from keyholder.indicators.disclosure import Cell, count_cell, round_count, threshold
from keyholder.indicators.models import IndicatorSeries, StoreState
from keyholder.indicators.months import current_month_count
from keyholder.indicators.tests.dashboard_setup import asht
from keyholder.indicators.tests.export_checks import body, csv_rows
from keyholder.places.models import PlaceKind
from keyholder.testing import Cast, examples, make_place

API = "/api/v1/indicators"
HOUSE_FIGURES = (
    "vacant_houses",
    "vacant_houses_kept",
    "vacant_houses_unkept",
    "vacancy_rate",
    "households_fully_abroad",
)


def test_anonymous_requests_for_vacancy_below_the_district_get_nothing(
    client: Client, cast: Cast
) -> None:
    asht(cast)
    for name in HOUSE_FIGURES:
        jamoat = client.get(API, {"place": "TJ-SU-ASHT-PONGHOZ", "indicator": name}).json()
        assert jamoat["exact"] is False
        assert all(p["value"] is None and p["suppressed"] for p in jamoat["series"]), name
        # A village is not even a public page.
        village = client.get(API, {"place": "TJ-SU-ASHT-PONGHOZ-V01", "indicator": name})
        assert village.status_code == 404
        # By children of the district: every jamoat withheld.
        children = client.get(API, {"place": "TJ-SU-ASHT", "indicator": name, "by": "children"})
        for child in children.json()["children"]:
            assert all(p["value"] is None for p in child["series"]), name
    # The public export of Asht has no village rows and no house figure below the district.
    rows = csv_rows(
        body(
            client.get(
                "/indicators/TJ-SU-ASHT/export/",
                {"indicators": ",".join(HOUSE_FIGURES), "from": "2024-01", "to": "2024-06"},
            )
        )
    )
    levels = {row[2] for row in rows[2:]}
    assert levels == {"district", "jamoat"}
    assert all(row[9] == "" for row in rows[2:] if row[2] != "district")
    # Officers still read every level exactly.
    client.force_login(cast.officer)
    exact = client.get(API, {"place": "TJ-SU-ASHT-PONGHOZ-V01", "indicator": "vacant_houses"})
    assert exact.status_code == 200 and exact.json()["exact"] is True
    # The dashboard of a jamoat shows the house tiles withheld to the public.
    client.logout()
    html = client.get("/indicators/TJ-SU-ASHT-PONGHOZ/").content.decode()
    for name in ("vacant_houses", "vacant_houses_unkept"):
        tile = html.split(f'data-indicator="{name}"', 1)[1].split("</li>", 1)[0]
        assert 'class="withheld"' in tile


def _interval(cell: Cell) -> range:
    """The true values a public cell allows, as a reader who knows the rules works it out."""
    if cell.value is None:
        return range(0, threshold()) if cell.suppressed else range(0, 1)
    value = int(cell.value)
    return range(max(threshold(), value - 2), value + 3)


def test_rounding_each_level_alone_would_pin_a_child() -> None:
    # Why the rule is a sum: rounding the parent on its own, 23 (shown 25) minus 12 (shown 10)
    # and a withheld cell (at most 4) pins a 7 shown as 5: 23 - 12 - 4 = 7 at the least.
    children = [7, 12, 4]
    parent = count_cell(sum(children), False)
    cells = [count_cell(v, False) for v in children]
    low = int(parent.value or 0) - 2 - (int(cells[1].value or 0) + 2) - (threshold() - 1)
    assert low == 7 and _interval(cells[0]).stop - 1 == 7
    assert round_count(7) == 5


@pytest.mark.django_db
@settings(
    max_examples=examples(30),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    values=st.lists(st.integers(min_value=0, max_value=40), min_size=2, max_size=5),
    pick=st.integers(min_value=0, max_value=4),
    shift=st.integers(min_value=-4, max_value=4),
)
def test_a_child_cannot_be_recovered_from_its_public_parent_and_siblings(
    values: list[int], pick: int, shift: int
) -> None:
    StoreState.objects.update_or_create(pk=1, defaults={"months": current_month_count()})
    district = make_place("TJ-XX-D", PlaceKind.DISTRICT)
    jamoats = [make_place(f"TJ-XX-D-J{i}", PlaceKind.JAMOAT, district) for i in range(len(values))]

    def publish(figures: list[int]) -> tuple[Cell, list[Cell]]:
        IndicatorSeries.objects.all().delete()
        rows = []
        for jamoat, value in zip(jamoats, figures, strict=True):
            rows.append(IndicatorSeries(place=jamoat, indicator="households", values=[1]))
            rows.append(IndicatorSeries(place=jamoat, indicator="abroad", values=[value]))
        rows.append(IndicatorSeries(place=district, indicator="abroad", values=[sum(figures)]))
        IndicatorSeries.objects.bulk_create(rows)
        public = AnonymousUser()
        parent = queries.series(public, district, "abroad", 0, 0).points[0].cell
        found = queries.children_series(public, district, "abroad", 0, 0)
        return parent, [s.points[0].cell for s in found]

    parent, children = publish(values)
    # The public parent is exactly the sum of its public children (withheld ones add nothing)...
    assert (parent.value or 0) == sum(int(c.value or 0) for c in children)
    # ...so any other value the child's own public cell allows gives the very same page:
    # subtracting the siblings from the parent cannot tell them apart.
    j = pick % len(values)
    allowed = list(_interval(children[j]))
    other = allowed[(allowed.index(values[j]) + shift) % len(allowed)]
    changed = [*values]
    changed[j] = other
    assert publish(changed) == (parent, children)
