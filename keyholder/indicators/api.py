"""API v1 endpoints of the indicators app.

Indicator, official-figure and reconciliation reads are open to anonymous visitors, who get
the public (suppressed and rounded) figures; a bearer token or a session gives exact figures
within the reader's area and "not found" outside it. Endpoints stay thin: parse, call
``queries`` / ``reconcile`` / ``services``, render.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import WithJsonSchema

from keyholder.accounts.services import user_for_token
from keyholder.core.api import (
    MONTH_TEXT,
    PLACE_CODE,
    SOME_TEXT,
    Figure,
    one_of,
    token_or_session_user,
)
from keyholder.core.errors import Code, ErrorOut, ServiceError
from keyholder.core.text import NOTE_MAX_LENGTH
from keyholder.indicators import catalogue, queries
from keyholder.indicators.access import indicator_place
from keyholder.indicators.catalogue import Indicator
from keyholder.indicators.disclosure import Cell
from keyholder.indicators.queries import PlaceSeries
from keyholder.indicators.reconcile import Comparison, official_figures, reconcile
from keyholder.indicators.services import INDICATOR_NAME, do_add_official_figure
from keyholder.places.models import OfficialFigure, Place

router = Router(tags=["indicators"])

ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def reader(request: HttpRequest) -> Any:
    """The user behind a bearer token or a session, or the anonymous visitor.

    A token that is sent but not valid is refused rather than read as anonymous, so that a
    client with an expired token learns it instead of silently getting public figures.
    """
    return token_or_session_user(request, user_for_token)


@dataclass(frozen=True)
class SeriesAnswer:
    """One indicator's series for a place, as the reader may see it (and its children's)."""

    found: PlaceSeries
    suppression_threshold: int
    children: list[PlaceSeries] | None = None


@dataclass(frozen=True)
class Reconciliation:
    """A place's official figures beside the registry's, as the reader may see them."""

    place: Place
    on: dt.date | None
    exact: bool
    comparisons: list[Comparison]


# One month of a series, read from a ``queries.Point``.
class CellOut(Schema):
    month: str
    value: float | None = Field(..., alias="cell.value")
    suppressed: bool = Field(..., alias="cell.suppressed")
    rounded: bool = Field(..., alias="cell.rounded")


class PlaceOut(Schema):
    code: str
    name: str
    kind: str
    is_sample: bool


# Read from a ``queries.PlaceSeries``.
class PlaceSeriesOut(Schema):
    place: PlaceOut
    series: list[CellOut] = Field(..., alias="points")


class IndicatorOut(Schema):
    name: str
    kind: str
    unit: str
    label: str
    definition: str
    iom_dtm: str
    breakdowns: list[str]

    @staticmethod
    def resolve_label(obj: Indicator) -> str:
        return str(obj.label)

    @staticmethod
    def resolve_definition(obj: Indicator) -> str:
        return str(obj.definition)


# Read from a ``SeriesAnswer``.
class SeriesOut(Schema):
    place: PlaceOut = Field(..., alias="found.place")
    indicator: IndicatorOut = Field(..., alias="found.indicator")
    dimension: str = Field(..., alias="found.dimension")
    exact: bool = Field(
        ...,
        alias="found.exact",
        description="False: public figures, suppressed under the threshold and rounded.",
    )
    suppression_threshold: int
    series: list[CellOut] = Field(..., alias="found.points")
    children: list[PlaceSeriesOut] | None = None


class SeriesQuery(Schema):
    place: str = Field(
        ..., max_length=64, description="Place code, e.g. TJ-SU-ASHT.", json_schema_extra=PLACE_CODE
    )
    indicator: str = Field(
        ...,
        description="Indicator name, e.g. abroad.",
        json_schema_extra=one_of(catalogue.CATALOGUE),
    )
    from_: str | None = Field(
        None, alias="from", description="First month, YYYY-MM.", json_schema_extra=MONTH_TEXT
    )
    to: str | None = Field(None, description="Last month, YYYY-MM.", json_schema_extra=MONTH_TEXT)
    by: str | None = Field(
        None,
        description="“children”: also every child place's series.",
        json_schema_extra=one_of(["children"]),
    )
    dimension: str = Field("", description="A breakdown, e.g. country:RU, sex:f, age:25-34.")


@router.get(
    "/indicators/catalogue",
    auth=None,
    response={200: list[IndicatorOut]},
    summary="The indicator catalogue with exact definitions",
)
def indicator_catalogue(request: HttpRequest) -> list[Indicator]:
    return list(catalogue.CATALOGUE.values())


@router.get(
    "/indicators",
    auth=None,
    response={200: SeriesOut, **ERRORS},
    summary="Monthly series of one indicator for a place (and its children)",
)
def indicator_series(request: HttpRequest, params: Query[SeriesQuery]) -> SeriesAnswer:
    user = reader(request)
    if params.by not in (None, "", "children"):
        raise ServiceError(Code.INDICATORS_BAD_BY, field="by", value=params.by)
    found = queries.series(
        user, params.place, params.indicator, params.from_, params.to, params.dimension
    )
    children = None
    if params.by == "children":
        children = queries.children_series(
            user, found.place, params.indicator, params.from_, params.to, params.dimension
        )
    return SeriesAnswer(found, queries.disclosure_threshold(), children)


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
    place: str = Field(max_length=64, json_schema_extra=PLACE_CODE)
    indicator: str = Field(
        max_length=64,
        description="A name of lower-case Latin letters, digits and _, e.g. abroad.",
        json_schema_extra={"pattern": INDICATOR_NAME.pattern},
    )
    value: Figure
    as_of: dt.date = Field(description="The day the figure counts; not in the future.")
    # Lengths as the service checks them (indicators/services.py); text has a letter in it.
    source: str = Field(min_length=1, max_length=500, json_schema_extra=SOME_TEXT)
    qualifier: str = Field("", max_length=32)
    unit: str = Field("", max_length=32)
    period: str = Field("", max_length=32)
    source_url: str = Field(
        "",
        max_length=1000,
        description="An http or https address.",
        json_schema_extra={
            "pattern": r"^(https?://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/[A-Za-z0-9._~/-]*)?)?$"
        },
    )
    reported_by: str = Field("", max_length=500)
    note: str = Field("", max_length=NOTE_MAX_LENGTH)


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


# One figure as the reader may see it, read from a ``disclosure.Cell``. A count stays an
# integer (a share is a float), as the comparison has always shown it.
class FigureOut(Schema):
    value: int | float | None
    suppressed: bool
    rounded: bool


# Read from a ``reconcile.Comparison``.
class ComparisonOut(Schema):
    indicator: str = Field(..., alias="figure.indicator")
    as_of: str
    period: str = Field(..., alias="figure.period")
    official: float = Field(..., alias="figure.value")
    qualifier: str = Field(..., alias="figure.qualifier")
    unit: str = Field(..., alias="figure.unit")
    source: str = Field(..., alias="figure.source")
    source_url: str = Field(..., alias="figure.source_url")
    registry_indicator: str | None
    registry_dimension: str | None
    # Typed here, but documented as the free-form object the OpenAPI document always showed.
    registry: Annotated[
        FigureOut | None,
        WithJsonSchema(
            {"anyOf": [{"additionalProperties": True, "type": "object"}, {"type": "null"}]}
        ),
    ] = Field(..., title="Registry")
    coverage: float | None
    gap: float | None
    previous_as_of: str | None
    previous_official: float | None
    official_growth: float | None
    registry_growth: float | None

    @staticmethod
    def resolve_as_of(obj: Comparison) -> str:
        return obj.figure.as_of.isoformat()

    @staticmethod
    def resolve_registry_indicator(obj: Comparison) -> str | None:
        return obj.registry.indicator if obj.registry else None

    @staticmethod
    def resolve_registry_dimension(obj: Comparison) -> str | None:
        return obj.registry.dimension if obj.registry else None

    @staticmethod
    def resolve_registry(obj: Comparison) -> Cell | None:
        return obj.registry.cell if obj.registry else None

    @staticmethod
    def resolve_previous_as_of(obj: Comparison) -> str | None:
        return obj.previous.as_of.isoformat() if obj.previous else None

    @staticmethod
    def resolve_previous_official(obj: Comparison) -> Decimal | None:
        return obj.previous.value if obj.previous else None


# Read from a ``Reconciliation``.
class ReconciliationOut(Schema):
    place: PlaceOut
    on: str | None
    exact: bool
    comparisons: list[ComparisonOut]

    @staticmethod
    def resolve_on(obj: Reconciliation) -> str | None:
        return obj.on.isoformat() if obj.on else None


@router.get(
    "/reconciliation",
    auth=None,
    response={200: ReconciliationOut, **ERRORS},
    summary="Registry figures beside official ones: coverage, gap, growth",
)
def reconciliation(request: HttpRequest, place: str, on: dt.date | None = None) -> Reconciliation:
    user = reader(request)
    view = indicator_place(user, place)
    return Reconciliation(view.place, on, view.exact, reconcile(user, view.place, on))
