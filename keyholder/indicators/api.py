"""API v1 endpoints of the indicators app.

Indicator, official-figure and reconciliation reads are open to anonymous visitors, who get
the public (suppressed and rounded) figures; a bearer token or a session gives exact figures
within the reader's area and "not found" outside it. Endpoints stay thin: parse, call
``queries`` / ``reconcile`` / ``services``, render.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from keyholder.accounts.services import user_for_token
from keyholder.core.api import token_or_session_user
from keyholder.core.errors import Code, ErrorOut, ServiceError
from keyholder.indicators import catalogue, queries
from keyholder.indicators.access import indicator_place
from keyholder.indicators.reconcile import official_figures, reconciliation_dict
from keyholder.indicators.services import do_add_official_figure
from keyholder.places.models import OfficialFigure

router = Router(tags=["indicators"])

ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def reader(request: HttpRequest) -> Any:
    """The user behind a bearer token or a session, or the anonymous visitor.

    A token that is sent but not valid is refused rather than read as anonymous, so that a
    client with an expired token learns it instead of silently getting public figures.
    """
    return token_or_session_user(request, user_for_token)


class CellOut(Schema):
    month: str
    value: float | None
    suppressed: bool
    rounded: bool


class PlaceOut(Schema):
    code: str
    name: str
    kind: str
    is_sample: bool


class PlaceSeriesOut(Schema):
    place: PlaceOut
    series: list[CellOut]


class IndicatorOut(Schema):
    name: str
    kind: str
    unit: str
    label: str
    definition: str
    iom_dtm: str
    breakdowns: list[str]


class SeriesOut(Schema):
    place: PlaceOut
    indicator: IndicatorOut
    dimension: str
    exact: bool = Field(
        ..., description="False: public figures, suppressed under the threshold and rounded."
    )
    suppression_threshold: int
    series: list[CellOut]
    children: list[PlaceSeriesOut] | None = None


class SeriesQuery(Schema):
    place: str = Field(..., description="Place code, e.g. TJ-SU-ASHT.")
    indicator: str = Field(..., description="Indicator name, e.g. abroad.")
    from_: str | None = Field(None, alias="from", description="First month, YYYY-MM.")
    to: str | None = Field(None, description="Last month, YYYY-MM.")
    by: str | None = Field(None, description="“children”: also every child place's series.")
    dimension: str = Field("", description="A breakdown, e.g. country:RU, sex:f, age:25-34.")


@router.get(
    "/indicators/catalogue",
    auth=None,
    response={200: list[IndicatorOut]},
    summary="The indicator catalogue with exact definitions",
)
def indicator_catalogue(request: HttpRequest) -> list[dict[str, object]]:
    return [indicator.as_dict() for indicator in catalogue.CATALOGUE.values()]


@router.get(
    "/indicators",
    auth=None,
    response={200: SeriesOut, **ERRORS},
    summary="Monthly series of one indicator for a place (and its children)",
)
def indicator_series(request: HttpRequest, params: Query[SeriesQuery]) -> dict[str, object]:
    user = reader(request)
    if params.by not in (None, "", "children"):
        raise ServiceError(Code.INDICATORS_BAD_BY, field="by", value=params.by)
    found = queries.series(
        user, params.place, params.indicator, params.from_, params.to, params.dimension
    )
    body: dict[str, object] = {
        "place": queries.place_dict(found.place),
        "indicator": found.indicator.as_dict(),
        "dimension": found.dimension,
        "exact": found.exact,
        "suppression_threshold": queries.disclosure_threshold(),
        "series": [p.as_dict() for p in found.points],
    }
    if params.by == "children":
        body["children"] = [
            {"place": queries.place_dict(s.place), "series": [p.as_dict() for p in s.points]}
            for s in queries.children_series(
                user, found.place, params.indicator, params.from_, params.to, params.dimension
            )
        ]
    return body


class OfficialFigureOut(Schema):
    place: str
    indicator: str
    value: float
    qualifier: str
    unit: str
    as_of: dt.date
    period: str
    source: str
    source_url: str
    reported_by: str
    note: str

    @staticmethod
    def resolve_place(obj: OfficialFigure) -> str:
        return obj.place.code


class OfficialFigureIn(Schema):
    place: str
    indicator: str
    value: Decimal
    as_of: dt.date
    source: str
    qualifier: str = ""
    unit: str = ""
    period: str = ""
    source_url: str = ""
    reported_by: str = ""
    note: str = ""


@router.get(
    "/official-figures",
    auth=None,
    response={200: list[OfficialFigureOut], **ERRORS},
    summary="Official figures of a place, with their sources",
)
def list_official_figures(request: HttpRequest, place: str) -> list[OfficialFigure]:
    return official_figures(reader(request), place)


@router.post(
    "/official-figures",
    response={201: OfficialFigureOut, **ERRORS, 409: ErrorOut},
    summary="Enter an official figure (officers within their area, administrators)",
)
def add_official_figure(
    request: HttpRequest, payload: OfficialFigureIn
) -> tuple[int, OfficialFigure]:
    user = request.user
    view = indicator_place(user, payload.place)
    figure = do_add_official_figure(
        actor=user,
        place=view.place,
        indicator=payload.indicator,
        value=payload.value,
        as_of=payload.as_of,
        source=payload.source,
        qualifier=payload.qualifier,
        unit=payload.unit,
        period=payload.period,
        source_url=payload.source_url,
        reported_by=payload.reported_by,
        note=payload.note,
    )
    return 201, figure


class ComparisonOut(Schema):
    indicator: str
    as_of: str
    period: str
    official: float
    qualifier: str
    unit: str
    source: str
    source_url: str
    registry_indicator: str | None
    registry_dimension: str | None
    registry: dict[str, Any] | None
    coverage: float | None
    gap: float | None
    previous_as_of: str | None
    previous_official: float | None
    official_growth: float | None
    registry_growth: float | None


class ReconciliationOut(Schema):
    place: PlaceOut
    on: str | None
    exact: bool
    comparisons: list[ComparisonOut]


@router.get(
    "/reconciliation",
    auth=None,
    response={200: ReconciliationOut, **ERRORS},
    summary="Registry figures beside official ones: coverage, gap, growth",
)
def reconciliation(
    request: HttpRequest, place: str, on: dt.date | None = None
) -> dict[str, object]:
    return reconciliation_dict(reader(request), place, on)
