"""API v1 export endpoint: ``GET /api/v1/indicators/export``.

The same export as the dashboard's download form (``exports.response``): scoped to the reader
(anonymous: public figures; a bearer token or a session: exact within the area, 404 outside)
and streamed.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from ninja import Field, Query, Router, Schema

from keyholder.indicators import exports
from keyholder.indicators.api import ERRORS, reader

router = Router(tags=["indicators"])


class ExportQuery(Schema):
    place: str = Field(..., description="Place code, e.g. TJ-SU-ASHT.")
    indicators: str = Field(
        ",".join(exports.DEFAULT_INDICATORS),
        description="Indicator names separated by commas, e.g. abroad,departures.",
    )
    from_: str | None = Field(None, alias="from", description="First month, YYYY-MM.")
    to: str | None = Field(None, description="Last month, YYYY-MM.")
    format: str = Field("csv", description="csv, xlsx, geojson, dhis2 or adx.")
    scope: str | None = Field(
        None,
        description="all (the place and every place inside, the default), children "
        "(the places directly inside, the default for geojson) or self.",
    )


@router.get(
    "/indicators/export",
    auth=None,
    response={200: None, **ERRORS},
    summary="Download indicators as CSV (HXL), XLSX, GeoJSON, DHIS2 JSON or ADX XML",
)
def export_indicators(request: HttpRequest, params: Query[ExportQuery]) -> HttpResponseBase:
    values = {
        "indicators": params.indicators,
        "from": params.from_,
        "to": params.to,
        "format": params.format,
        "scope": params.scope,
    }
    return exports.response(reader(request), params.place, values)
