"""API v1 endpoints of the places app: public reference data, anonymous reads allowed."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from keyholder.core.api import PLACE_CODE, one_of
from keyholder.core.errors import Code, ErrorOut, ServiceError
from keyholder.core.pagination import Page, PageQuery, paginate
from keyholder.places.models import Place, PlaceKind

router = Router(tags=["places"])

ORDERING = ("path", "id")


class PlaceOut(Schema):
    code: str
    kind: str
    parent: str | None = Field(None, description="Code of the parent place.")
    name: str = Field(..., description="The name in the request's language.")
    name_tg: str
    name_ru: str
    name_en: str
    latitude: float | None
    longitude: float | None
    population: int | None
    population_year: int | None
    population_source: str
    is_sample: bool = Field(..., description="True for synthetic places (the sample villages).")

    @staticmethod
    def resolve_parent(obj: Any) -> str | None:
        # Annotated by the queries below, so that no parent row (with its boundary) is loaded.
        return getattr(obj, "parent_code", None)


class PlaceDetailOut(PlaceOut):
    boundary: dict[str, Any] | None = Field(None, description="GeoJSON geometry, EPSG:4326.")


class PlacePage(Schema):
    count: int
    next: str | None
    results: list[PlaceOut]


class PlaceFilters(Schema):
    q: str | None = Field(None, description="Part of a name (tg, ru or en) or of the code.")
    kind: str | None = Field(
        None,
        description="One of: " + ", ".join(PlaceKind.values),
        json_schema_extra=one_of(PlaceKind.values),
    )
    parent: str | None = Field(
        None,
        max_length=64,
        description="Code of the parent: its direct children.",
        json_schema_extra=PLACE_CODE,
    )


def _matching(text: str) -> list[int]:
    """Ids of the places whose code or a name contains ``text``, ignoring case.

    Matched in Python: SQLite's LIKE ignores the case of ASCII letters only, and most names
    are in Cyrillic. The place tree is small (hundreds of rows), so this stays cheap.
    """
    needle = text.strip().casefold()
    rows = Place.objects.values_list("pk", "code", "name_tg", "name_ru", "name_en")
    return [pk for pk, *texts in rows if any(needle in t.casefold() for t in texts)]


def _filtered(filters: PlaceFilters) -> QuerySet[Place]:
    places = Place.objects.defer("boundary").annotate(parent_code=F("parent__code"))
    if filters.q:
        places = places.filter(pk__in=_matching(filters.q))
    if filters.kind:
        if filters.kind not in PlaceKind.values:
            raise ServiceError(Code.INVALID_FIELD, field="kind", detail=filters.kind)
        places = places.filter(kind=filters.kind)
    if filters.parent:
        if not Place.objects.filter(code=filters.parent).exists():
            raise ServiceError(Code.INVALID_PLACE, field="parent", value=filters.parent)
        places = places.filter(parent__code=filters.parent)
    return places


@router.get("/places", auth=None, response={200: PlacePage, 400: ErrorOut}, summary="List places")
def list_places(
    request: HttpRequest, filters: Query[PlaceFilters], page: Query[PageQuery]
) -> Page[Place]:
    return paginate(_filtered(filters), ORDERING, page.cursor, page.limit)


@router.get(
    "/places/{code}",
    auth=None,
    response={200: PlaceDetailOut, 404: ErrorOut},
    summary="One place, with its boundary",
)
def get_place(request: HttpRequest, code: str) -> Place:
    place = Place.objects.annotate(parent_code=F("parent__code")).filter(code=code).first()
    if place is None:
        raise ServiceError(Code.NOT_FOUND)
    return place
