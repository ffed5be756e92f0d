"""The read interface for pages and exports: headline figures with trends, breakdowns and
children's figures, already scoped and disclosed for the reader."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from keyholder.core.errors import ServiceError
from keyholder.indicators import queries
from keyholder.indicators.tests.helpers import populate
from keyholder.testing import Cast


def test_headline_breakdown_and_children(cast: Cast) -> None:
    populate(cast)
    headline = {
        h.indicator.name: h for h in queries.headline(cast.officer, cast.district, "2023-11")
    }
    # 12 Saidovs and 2 Alievs were abroad in October; 11 Nazarovs left in November.
    assert (headline["abroad"].previous.value, headline["abroad"].value.value) == (14, 25)
    assert headline["abroad"].trend == "up"
    assert headline["departures"].value.value == 11
    assert headline["households_fully_abroad"].value.value == 3
    # The three families abroad, and the cast's Karimov household, which has no members.
    assert headline["vacant_houses"].value.value == 4
    public = {
        h.indicator.name: h for h in queries.headline(AnonymousUser(), "TJ-SU-ASHT", "2023-11")
    }
    assert public["departures"].value.value == 10 and public["departures"].value.rounded
    assert public["deportations"].value.suppressed and public["deportations"].trend is None

    countries = queries.breakdown(cast.officer, cast.district, "abroad", "2023-12", "country")
    assert [(b.key, b.cell.value) for b in countries] == [("RU", 14), ("KZ", 11)]
    ages = queries.breakdown(cast.officer, cast.district, "abroad", "2023-12", "age")
    assert [b.key for b in ages] == sorted(
        (b.key for b in ages), key=lambda k: int(k.split("-")[0].rstrip("+"))
    )

    villages = queries.children_values(cast.officer, cast.jamoat, "abroad", "2023-12")
    assert [(c.place.code, c.cell.value) for c in villages] == [
        ("TJ-SU-ASHT-PONGHOZ-V01", 23),
        ("TJ-SU-ASHT-PONGHOZ-V02", 2),
    ]
    with pytest.raises(ServiceError) as refused:
        queries.series(cast.outsider, cast.district, "abroad")
    assert refused.value.code == "not_found"
    info = queries.store_info()
    assert info.first_month == "2015-01" and info.built_at is not None
