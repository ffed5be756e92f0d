"""Exports of the analytics store for a place, an indicator set and a period.

Formats (``format=``): ``csv`` (with an HXL hashtag row), ``xlsx``, ``geojson`` (the child
places with their figures as properties, EPSG:4326), ``dhis2`` (``dataValueSets`` JSON) and
``adx`` (ADX XML, urn:ihe:qrph:adx:2015). ``docs/indicators.md`` documents columns, tags and the
DHIS2/ADX codes.

Scoping and disclosure are the pages' own: the place is checked with
``access.indicator_place`` (404 outside an officer's area) and every figure passes through
``disclosure`` (public figures suppressed and rounded). Suppressed figures are empty in CSV,
XLSX and GeoJSON and left out of DHIS2 and ADX, which have no way to say "withheld".

Streaming: places are read in chunks of ``CHUNK`` in path order, with one store query per
chunk, and each row is written as soon as it is made, so a national export (every village,
ten years, every indicator) never holds more than one chunk. XLSX is written row by row
(openpyxl's write-only mode) to a temporary file, which is then streamed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import quoteattr

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from keyholder.core.errors import Code, ServiceError
from keyholder.core.text import csv_cell, xlsx_cell
from keyholder.indicators import catalogue, public, queries
from keyholder.indicators.access import PlaceView, indicator_place
from keyholder.indicators.catalogue import Indicator
from keyholder.indicators.disclosure import PUBLIC_LEVEL, Cell, count_cell, disclose_series
from keyholder.indicators.maps import village_points
from keyholder.indicators.months import label, month_start
from keyholder.places.models import KIND_LEVEL, Place, PlaceKind, subtree_q

CHUNK = 500
StoredSeries = dict[tuple[int, str, str], tuple[int, list[int]]]
FORMATS = (
    ("csv", _("CSV with HXL tags")),
    ("xlsx", _("Excel workbook (XLSX)")),
    ("geojson", _("GeoJSON map of the places inside")),
    ("dhis2", _("DHIS2 data value set (JSON)")),
    ("adx", _("ADX for DHIS2 (XML)")),
    ("dhis2-metadata", _("DHIS2 metadata: data elements, places, data set (JSON)")),
)
# Formats for DHIS2: lowest level by default, shares as DHIS2 indicators (their parts as data).
DHIS2_FORMATS = ("dhis2", "adx", "dhis2-metadata")
DEFAULT_INDICATORS = ("abroad", "departures", "returns")
SCOPES = ("all", "children", "self")
XLSX_MAX_ROWS = 1_048_576
# Places small enough that finding the middle of their villages costs nothing.
SMALL_KINDS = (PlaceKind.DISTRICT, PlaceKind.JAMOAT, PlaceKind.TOWN)

# DHIS2 and ADX identify data elements and data sets by code: ours are the indicator names in
# capitals after "KH_" (documented in docs/indicators.md), and org units by our place codes.
DATA_SET = "KH_MIGRATION"


def data_element(name: str) -> str:
    return f"KH_{name.upper()}"


# Codes carry an HXL vocabulary attribute (+v_...) saying what they are: the country is
# ISO 3166-1 alpha-2; every other code is ours (region codes follow ISO 3166-2 where one
# exists, but not all do), not an OCHA P-code, so tools that join on P-codes do not mistake them.
COLUMNS = (
    ("place_code", "#loc+code+v_keyholder"),
    ("place_name", "#loc+name"),
    ("place_level", "#loc+type"),
    ("country_code", "#country+code+v_iso2"),
    ("region_code", "#adm1+code+v_keyholder"),
    ("district_code", "#adm2+code+v_keyholder"),
    ("jamoat_code", "#adm3+code+v_keyholder"),
    ("month", "#date+month"),
    ("indicator", "#indicator+code"),
    ("value", "#indicator+num"),
    ("suppressed", "#meta+suppressed"),
    ("rounded", "#meta+rounded"),
    ("sample", "#meta+sample"),
)


@dataclass(frozen=True)
class Export:
    view: PlaceView
    indicators: list[Indicator]
    first: int
    last: int
    format: str
    scope: str
    language: str
    # Place kinds written ("" for every level); DHIS2 and ADX default to the lowest level only,
    # so that an import (or any sum of the file) counts each person once.
    levels: tuple[str, ...] = ()
    bom: bool = False

    @property
    def filename(self) -> str:
        ext = {"dhis2": "json", "adx": "xml", "dhis2-metadata": "json"}.get(
            self.format, self.format
        )
        return f"keyholder-{self.view.place.code}-{label(self.first)}-{label(self.last)}.{ext}"


def _names(params: Mapping[str, Any]) -> list[str]:
    raw: list[str] = []
    getlist = getattr(params, "getlist", None)
    values = getlist("indicators") if getlist else [params.get("indicators") or ""]
    for value in values:
        raw.extend(part.strip() for part in str(value).split(","))
    names = [name for name in dict.fromkeys(raw) if name]
    return names or list(DEFAULT_INDICATORS)


def parse(user: Any, code: str, params: Mapping[str, Any]) -> Export:
    """Check the place for the reader and the request's parameters (``ServiceError``)."""
    view = indicator_place(user, code)
    indicators = [catalogue.get(name) for name in _names(params)]
    held = queries.store_info().months
    first = max(queries.month_of(params.get("from") or None, 0, "from"), 0)
    last = min(queries.month_of(params.get("to") or None, held - 1, "to"), held - 1)
    if last < first:
        raise ServiceError(Code.INDICATORS_BAD_PERIOD, field="to")
    fmt = params.get("format") or "csv"
    if fmt not in dict(FORMATS):
        raise ServiceError(Code.INDICATORS_BAD_FORMAT, field="format", value=fmt)
    default_scope = "children" if fmt == "geojson" else "all"
    scope = params.get("scope") or default_scope
    if scope not in SCOPES:
        raise ServiceError(Code.INDICATORS_BAD_SCOPE, field="scope", value=scope)
    language = translation.get_language() or "tg"
    level = params.get("level") or ("lowest" if fmt in DHIS2_FORMATS else "all")
    levels = _levels(view, level, scope)
    if levels and not view.exact:
        # Public figures stop at the jamoat, whatever level is asked.
        levels = tuple(k for k in levels if KIND_LEVEL[PlaceKind(k)] <= PUBLIC_LEVEL)
        levels = levels or _levels(view, "lowest", scope)
    if fmt == "dhis2-metadata" and not levels:
        levels = _levels(view, "lowest", scope)
    if fmt in ("dhis2", "adx"):
        # DHIS2 computes a share itself from the indicator's numerator and denominator (the
        # metadata's indicators): the data carries the parts, never a share to be summed.
        parts: list[Indicator] = []
        for spec in indicators:
            parts.extend(catalogue.get(n) for n in (spec.derived or (spec.name,)))
        indicators = list({spec.name: spec for spec in parts}.values())
    bom = str(params.get("bom") or "") in ("1", "true", "yes")
    return Export(view, indicators, first, last, fmt, scope, language, levels, bom)


LEVELS = ("all", "lowest", *(kind.value for kind in PlaceKind))


def _levels(view: PlaceView, level: str, scope: str) -> tuple[str, ...]:
    """The place kinds of ``level``: one kind, every kind (all), or the lowest level the reader
    sees under the place (villages; jamoats and towns for the public)."""
    if level not in LEVELS:
        raise ServiceError(Code.INDICATORS_BAD_LEVEL, field="level", value=level)
    if level == "all":
        return ()
    if level != "lowest":
        return (level,)
    if scope == "self":
        return (view.place.kind,)
    deepest = PUBLIC_LEVEL if not view.exact else max(KIND_LEVEL.values())
    below = Place.objects.filter(subtree_q(view.place)).values_list("kind", flat=True).distinct()
    found = [KIND_LEVEL[PlaceKind(k)] for k in below if KIND_LEVEL[PlaceKind(k)] <= deepest]
    lowest = max(found, default=KIND_LEVEL[PlaceKind(view.place.kind)])
    return tuple(k.value for k, at in KIND_LEVEL.items() if at == lowest)


def _places(export: Export, with_geometry: bool = False) -> QuerySet[Place]:
    place = export.view.place
    if export.scope == "self":
        rows = Place.objects.filter(pk=place.pk)
    elif export.scope == "children":
        rows = Place.objects.filter(parent=place)
    else:
        rows = Place.objects.filter(subtree_q(place))
    if export.levels:
        rows = rows.filter(kind__in=export.levels)
    if not with_geometry:
        rows = rows.defer("boundary")
    return rows.order_by("path")


def _chunks(rows: QuerySet[Place]) -> Iterator[list[Place]]:
    batch: list[Place] = []
    for row in rows.iterator(chunk_size=CHUNK):
        batch.append(row)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def blocks(
    export: Export, with_geometry: bool = False
) -> Iterator[tuple[Place, dict[str, list[Cell]]]]:
    """For each place in path order: indicator name -> disclosed cells from first to last."""
    needed = {n for spec in export.indicators for n in (spec.derived or (spec.name,))}
    span = export.last - export.first + 1
    for batch in _chunks(_places(export, with_geometry)):
        if not export.view.exact:
            # Public figures: the pages' own (``public.py``), never below the jamoat.
            batch = [p for p in batch if not public.is_below_public(p)]
            found = public.counts(batch, needed, export.first, export.last)
            for place in batch:
                shown: dict[str, list[Cell]] = {}
                for spec in export.indicators:
                    if spec.derived:
                        top, bottom = spec.derived
                        shown[spec.name] = public.share(
                            found[(place.pk, top, "")], found[(place.pk, bottom, "")]
                        )
                    else:
                        shown[spec.name] = found[(place.pk, spec.name, "")]
                yield place, shown
            continue
        stored = queries.load([p.pk for p in batch], needed, [""])

        def values(place_id: int, name: str, stored: StoredSeries = stored) -> list[int]:
            start, series = stored.get((place_id, name, ""), (0, []))
            out = []
            for m in range(export.first, export.last + 1):
                offset = m - start
                out.append(int(series[offset]) if 0 <= offset < len(series) else 0)
            return out

        for place in batch:
            cells: dict[str, list[Cell]] = {}
            for spec in export.indicators:
                if spec.derived:
                    top, bottom = spec.derived
                    cells[spec.name] = disclose_series(
                        values(place.pk, top), export.view.exact, values(place.pk, bottom)
                    )
                else:
                    cells[spec.name] = disclose_series(
                        values(place.pk, spec.name), export.view.exact
                    )
                assert len(cells[spec.name]) == span
            yield place, cells


def plain(cell: Cell) -> int | float | None:
    """The value written to a file: ints for counts, shares to 4 decimals, None if withheld."""
    if cell.value is None:
        return None
    if isinstance(cell.value, float):
        value = round(cell.value, 4)
        # A share of exactly 0 or 1 is written "0" or "1" everywhere (spreadsheets do so).
        return int(value) if value.is_integer() else value
    return int(cell.value)


def table_rows(export: Export) -> Iterator[list[Any]]:
    """The rows of CSV and XLSX after the two header rows: one per place, indicator, month."""
    for place, cells in blocks(export):
        codes = place.path.split("/")
        admin = [codes[i] if len(codes) > i else "" for i in range(4)]
        for spec in export.indicators:
            for offset, cell in enumerate(cells[spec.name]):
                yield [
                    place.code,
                    place.name,
                    place.kind,
                    *admin,
                    label(export.first + offset),
                    spec.name,
                    plain(cell),
                    int(cell.suppressed),
                    int(cell.rounded),
                    int(place.is_sample),
                ]


def header_rows() -> list[list[str]]:
    return [[name for name, _tag in COLUMNS], [tag for _name, tag in COLUMNS]]


def csv_chunks(export: Export) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    with translation.override(export.language):
        if export.bom:
            # Excel reads a UTF-8 CSV as UTF-8 only after a byte order mark.
            buffer.write("\ufeff")
        writer.writerows(header_rows())
        for count, row in enumerate(table_rows(export), start=1):
            # Place names are text from the registry: no cell may start a formula.
            writer.writerow(["" if v is None else csv_cell(v) for v in row])
            if count % 2000 == 0:
                yield flush()
        yield flush()


def write_xlsx(export: Export, target: Any) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheets = 0
    used = XLSX_MAX_ROWS

    with translation.override(export.language):
        for row in table_rows(export):
            # A sheet holds at most 1,048,576 rows: a national export goes on over further
            # sheets, each with the two header rows.
            if used == XLSX_MAX_ROWS:
                sheets += 1
                sheet = workbook.create_sheet(
                    title="indicators" if sheets == 1 else f"indicators {sheets}"
                )
                for header in header_rows():
                    sheet.append(header)
                used = 2
            sheet.append([xlsx_cell(sheet, v) for v in row])
            used += 1
        if sheets == 0:
            sheet = workbook.create_sheet(title="indicators")
            for header in header_rows():
                sheet.append(header)
    workbook.save(target)


def _rounded(coordinates: Any) -> Any:
    """Coordinates to 6 decimals (about 0.1 m): RFC 7946 advises no more precision than real."""
    if isinstance(coordinates, (int, float)):
        return round(float(coordinates), 6)
    return [_rounded(c) for c in coordinates]


def _geometry(place: Place, middles: dict[str, tuple[float, float]]) -> dict[str, Any] | None:
    """The boundary, else the point, else the middle of the place's villages (as the map
    draws it), else none (a valid GeoJSON feature without geometry)."""
    if place.boundary:
        geometry = dict(place.boundary)
        if "coordinates" in geometry:
            geometry["coordinates"] = _rounded(geometry["coordinates"])
        return geometry
    if place.longitude is not None and place.latitude is not None:
        return {"type": "Point", "coordinates": _rounded([place.longitude, place.latitude])}
    if place.code in middles:
        return {"type": "Point", "coordinates": _rounded(list(middles[place.code]))}
    return None


def geojson_chunks(export: Export) -> Iterator[str]:
    with translation.override(export.language):
        yield '{"type":"FeatureCollection","features":['
        separator = ""
        middles: dict[str, tuple[float, float]] = {}
        if export.scope == "children" and export.view.place.kind in SMALL_KINDS:
            middles = village_points(export.view.place)[1]
        for place, cells in blocks(export, with_geometry=True):
            properties: dict[str, Any] = {
                "code": place.code,
                "name": place.name,
                "level": place.kind,
                "sample": place.is_sample,
                "approximate_point": not place.boundary
                and place.latitude is None
                and place.code in middles,
            }
            for spec in export.indicators:
                for offset, cell in enumerate(cells[spec.name]):
                    properties[f"{spec.name}_{label(export.first + offset)}"] = plain(cell)
            feature = {
                "type": "Feature",
                "id": place.code,
                "geometry": _geometry(place, middles),
                "properties": properties,
            }
            yield separator + json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
            separator = ","
        yield "]}"


def _values(export: Export) -> Iterator[tuple[Place, int, str, int | float]]:
    """(place, month index, data element, value) for every figure the reader may see."""
    for place, cells in blocks(export):
        for offset in range(export.last - export.first + 1):
            for spec in export.indicators:
                value = plain(cells[spec.name][offset])
                if value is not None:
                    yield place, export.first + offset, data_element(spec.name), value


def breakdown_values(export: Export) -> Iterator[tuple[Place, int, str, str, int | float]]:
    """(place, month index, data element, category option combo, value) of the breakdowns
    (by country, sex, age) of the exported indicators, disclosed like their totals."""
    from keyholder.indicators.dhis2 import breakdown_element, option_code

    specs = [s for s in export.indicators if s.breakdowns]
    if not specs:
        return
    span = range(export.first, export.last + 1)
    for batch in _chunks(_places(export)):
        if not export.view.exact:
            batch = [p for p in batch if not public.is_below_public(p)]
        by_id = {p.pk: p for p in batch}
        for spec in specs:
            for prefix in spec.breakdowns:
                if export.view.exact:
                    stored = queries.load(list(by_id), [spec.name], dimension_prefix=prefix)
                    found = {
                        key: [
                            count_cell(
                                values[m - start] if 0 <= m - start < len(values) else 0, True
                            )
                            for m in span
                        ]
                        for key, (start, values) in stored.items()
                    }
                else:
                    found = public.counts(
                        batch, [spec.name], export.first, export.last, None, prefix
                    )
                for (place_id, _name, dimension), cells in sorted(found.items()):
                    if not dimension or place_id not in by_id:
                        continue
                    combo = option_code(prefix, dimension.partition(":")[2])
                    element = breakdown_element(spec.name, prefix)
                    for offset, cell in enumerate(cells):
                        value = plain(cell)
                        if value is not None:
                            yield by_id[place_id], export.first + offset, element, combo, value


def dhis2_chunks(export: Export) -> Iterator[str]:
    yield '{"dataSet":' + json.dumps(DATA_SET) + ',"dataValues":['
    separator = ""
    for place, month, element, value in _values(export):
        start = month_start(month)
        item = {
            "dataElement": element,
            "period": f"{start.year:04d}{start.month:02d}",
            "orgUnit": place.code,
            "value": str(value),
        }
        yield separator + json.dumps(item, separators=(",", ":"))
        separator = ","
    for place, month, element, combo, value in breakdown_values(export):
        start = month_start(month)
        item = {
            "dataElement": element,
            "categoryOptionCombo": combo,
            "period": f"{start.year:04d}{start.month:02d}",
            "orgUnit": place.code,
            "value": str(value),
        }
        yield separator + json.dumps(item, separators=(",", ":"))
        separator = ","
    yield "]}"


def adx_chunks(export: Export) -> Iterator[str]:
    exported = timezone.now().astimezone(dt.UTC).replace(microsecond=0).isoformat()
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<adx xmlns="urn:ihe:qrph:adx:2015" exported="{exported}">\n'
    )
    group: tuple[str, int] | None = None
    for place, month, element, value in _values(export):
        key = (place.code, month)
        if key != group:
            if group is not None:
                yield "</group>\n"
            period = f"{month_start(month).isoformat()}/P1M"
            yield (
                f"<group orgUnit={quoteattr(place.code)} period={quoteattr(period)} "
                f"dataSet={quoteattr(DATA_SET)}>\n"
            )
            group = key
        yield f"<dataValue dataElement={quoteattr(element)} value={quoteattr(str(value))}/>\n"
    if group is not None:
        yield "</group>\n"
    yield "</adx>\n"


def metadata_chunks(export: Export) -> Iterator[str]:
    from keyholder.indicators.dhis2 import metadata_chunks as chunks

    with translation.override(export.language):
        yield from chunks(export.view.place, export.indicators, export.levels)


CONTENT_TYPES = {
    "dhis2-metadata": "application/json",
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
    "dhis2": "application/json",
    "adx": "application/adx+xml",
}
GENERATORS = {
    "dhis2-metadata": metadata_chunks,
    "csv": csv_chunks,
    "geojson": geojson_chunks,
    "dhis2": dhis2_chunks,
    "adx": adx_chunks,
}


def _encoded(chunks: Iterable[str]) -> Iterator[bytes]:
    for chunk in chunks:
        yield chunk.encode("utf-8")


def response(user: Any, code: str, params: Mapping[str, Any]) -> HttpResponseBase:
    """The download for ``params`` (indicators, from, to, format, scope), streamed."""
    export = parse(user, code, params)
    if export.format == "xlsx":
        # A zip cannot be streamed as it is written; a temporary file (deleted on close)
        # keeps memory flat and is then streamed in blocks.
        target = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        write_xlsx(export, target)
        target.seek(0)
        return FileResponse(
            target,
            as_attachment=True,
            filename=export.filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    chunks: Iterable[str] = GENERATORS[export.format](export)
    # The ADX schema wants at least one group: with no figure to show (all withheld, or none
    # held), the answer is a clear 404 with the catalogue's code, not an empty <adx/>.
    if export.format == "adx" and next(_values(export), None) is None:
        raise ServiceError(Code.INDICATORS_EXPORT_EMPTY)
    streamed = StreamingHttpResponse(_encoded(chunks), content_type=CONTENT_TYPES[export.format])
    streamed["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    # Figures within an officer's area must not sit in shared caches.
    streamed["Cache-Control"] = "private, no-store" if export.view.exact else "public, max-age=300"
    return streamed
