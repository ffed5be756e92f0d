"""API v1 export endpoint: ``GET /api/v1/indicators/export``.

The same export as the dashboard's download form (``exports.response``): scoped to the reader
(anonymous: public figures; a bearer token or a session: exact within the area, 404 outside)
and streamed.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from ninja import Field, Query, Router, Schema

from keyholder.core.api import MONTH_TEXT, PLACE_CODE, one_of
from keyholder.indicators import exports
from keyholder.indicators.api import ERRORS, reader
from keyholder.indicators.catalogue import CATALOGUE

router = Router(tags=["indicators"])


# One or more names of the catalogue, separated by commas.
_NAME = "(" + "|".join(sorted(CATALOGUE)) + ")"
_NAMES = f"^{_NAME}(,{_NAME})*$"


class ExportQuery(Schema):
    place: str = Field(
        ..., max_length=64, description="Place code, e.g. TJ-SU-ASHT.", json_schema_extra=PLACE_CODE
    )
    indicators: str = Field(
        ",".join(exports.DEFAULT_INDICATORS),
        description="Indicator names separated by commas, e.g. abroad,departures.",
        json_schema_extra={"pattern": _NAMES},
    )
    from_: str | None = Field(
        None, alias="from", description="First month, YYYY-MM.", json_schema_extra=MONTH_TEXT
    )
    to: str | None = Field(None, description="Last month, YYYY-MM.", json_schema_extra=MONTH_TEXT)
    format: str = Field(
        "csv",
        description="csv, xlsx, geojson, dhis2, adx or dhis2-metadata.",
        json_schema_extra=one_of(dict(exports.FORMATS)),
    )
    scope: str | None = Field(
        None,
        json_schema_extra=one_of(exports.SCOPES),
        description="all (the place and every place inside, the default), children "
        "(the places directly inside, the default for geojson) or self.",
    )
    level: str | None = Field(
        None,
        json_schema_extra=one_of(exports.LEVELS),
        description="all (the default), lowest (the default for dhis2, adx and "
        "dhis2-metadata: each person counted once), or one kind: country, region, district, "
        "jamoat, town, village.",
    )
    bom: bool = Field(False, description="Start a CSV with a UTF-8 byte order mark (Excel).")


@router.get(
    "/indicators/export",
    auth=None,
    response={200: None, **ERRORS},
    summary="Download indicators as CSV (HXL), XLSX, GeoJSON, DHIS2 JSON, ADX XML or DHIS2 metadata",
)
def export_indicators(request: HttpRequest, params: Query[ExportQuery]) -> HttpResponseBase:
    values = {
        "indicators": params.indicators,
        "from": params.from_,
        "to": params.to,
        "format": params.format,
        "scope": params.scope,
        "level": params.level,
        "bom": "1" if params.bom else "",
    }
    return exports.response(reader(request), params.place, values)
