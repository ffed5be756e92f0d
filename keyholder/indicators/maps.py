"""The dashboard map, drawn on the server as SVG from the shipped boundaries and points.

Why SVG on the server rather than Leaflet: the map must work with no tile server, on a cheap
phone, and without JavaScript. Our shapes are a few dozen simplified polygons (regions,
districts) or a few points (jamoats and sample villages, which have no boundaries); a
projected SVG of them is a few kilobytes, needs no library, draws before any script runs, and
each shape is a plain link for drilling down. A slippy map would add 150 kB of script to show
the same shapes with nothing under them.

Projection: equirectangular with the longitude scaled by the cosine of the middle latitude,
which is close enough at Tajikistan's size (about 7 x 4 degrees) and keeps shapes recognisable.
Coordinates are snapped to a 1,000-unit grid and repeated points dropped, a cheap
simplification that keeps the page small.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from keyholder.places.models import Place, PlaceKind, subtree_q

WIDTH = 1000.0
PAD = 40.0
# Degrees of land shown at least around a jamoat's villages (about 7 km).
MIN_SPAN = 0.06
Coord = tuple[float, float]


@dataclass
class Shape:
    """One child place on the map: a polygon path or a circle, with its two figures."""

    place: Place
    path: str = ""
    cx: float | None = None
    cy: float | None = None
    # Classes of the choropleth ("q0".."q4", or "qn" for a withheld or missing figure).
    share_class: str = "qn"
    vacancy_class: str = "qn"
    share_text: str = ""
    vacancy_text: str = ""
    approximate: bool = False
    # Where the name is written when the shape is touched or focused (a polygon's middle).
    label_x: float = 0.0
    label_y: float = 0.0


@dataclass
class MapData:
    width: float
    height: float
    outline: str = ""
    shapes: list[Shape] = field(default_factory=list)
    dots: list[tuple[float, float]] = field(default_factory=list)

    @property
    def drawn(self) -> bool:
        return bool(self.outline or self.shapes)


def _rings(geometry: dict[str, Any] | None) -> list[list[Coord]]:
    if not geometry:
        return []
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return [[(float(x), float(y)) for x, y, *_ in ring] for ring in coords]
    if kind == "MultiPolygon":
        return [[(float(x), float(y)) for x, y, *_ in ring] for poly in coords for ring in poly]
    if kind == "GeometryCollection":
        return [r for g in geometry.get("geometries", []) for r in _rings(g)]
    return []


class Projection:
    def __init__(self, points: Iterable[Coord], min_span: float = 0.0) -> None:
        listed = list(points) or [(70.0, 39.0)]
        xs, ys = [p[0] for p in listed], [p[1] for p in listed]
        self.min_x, self.max_x = min(xs), max(xs)
        self.min_y, self.max_y = min(ys), max(ys)
        # A few villages close together (or a single one) get some land around them.
        for low, high in (("min_x", "max_x"), ("min_y", "max_y")):
            gap = min_span - (getattr(self, high) - getattr(self, low))
            if gap > 0:
                setattr(self, low, getattr(self, low) - gap / 2)
                setattr(self, high, getattr(self, high) + gap / 2)
        self.kx = math.cos(math.radians((self.min_y + self.max_y) / 2))
        span_x = max((self.max_x - self.min_x) * self.kx, 1e-3)
        span_y = max(self.max_y - self.min_y, 1e-3)
        # Fill the width, unless the shape is so tall that the map would pass 1.2 times its
        # width (a phone screen holds the whole map).
        self.scale = (WIDTH - 2 * PAD) / max(span_x, span_y / 1.2)
        self.height = span_y * self.scale + 2 * PAD
        self.offset_x = (WIDTH - span_x * self.scale) / 2

    def __call__(self, lon: float, lat: float) -> Coord:
        x = self.offset_x + (lon - self.min_x) * self.kx * self.scale
        y = PAD + (self.max_y - lat) * self.scale
        return round(x, 1), round(y, 1)


def _path(rings: Sequence[Sequence[Coord]], project: Projection) -> str:
    parts = []
    for ring in rings:
        points: list[Coord] = []
        for lon, lat in ring:
            point = project(lon, lat)
            snapped = (round(point[0]), round(point[1]))
            if points and (round(points[-1][0]), round(points[-1][1])) == snapped:
                continue
            points.append(point)
        if len(points) >= 3:
            parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in points) + "Z")
    return "".join(parts)


def build_map(
    outline_place: Place | None,
    children: Sequence[Place],
    fallback_points: dict[int, Coord],
    village_points: Sequence[Coord] = (),
    frame_outline: bool = True,
) -> MapData:
    """Project the outline of the place (or of its nearest ancestor with a boundary), the
    children's boundaries, and points for children that have none.

    ``fallback_points`` gives a (lon, lat) for a child without a boundary or point of its own
    (the mean of its villages' points); such a child is drawn as an approximate circle.
    With ``frame_outline`` false (the outline is an ancestor's, e.g. a jamoat's district), the
    map is framed on the children and the outline runs off its edges.
    """
    outline_rings = _rings(outline_place.boundary) if outline_place else []
    child_rings = {c.pk: _rings(c.boundary) for c in children}
    points: dict[int, tuple[Coord, bool]] = {}
    for child in children:
        if child_rings[child.pk]:
            continue
        if child.longitude is not None and child.latitude is not None:
            points[child.pk] = ((child.longitude, child.latitude), False)
        elif child.pk in fallback_points:
            points[child.pk] = (fallback_points[child.pk], True)
    every = [pt for ring in outline_rings for pt in ring] if frame_outline else []
    every += [pt for rings in child_rings.values() for ring in rings for pt in ring]
    every += [pt for pt, _approx in points.values()]
    every += list(village_points)
    if not every:
        return MapData(WIDTH, 0)
    project = Projection(every, min_span=0.0 if frame_outline else MIN_SPAN)
    data = MapData(WIDTH, round(project.height, 1), outline=_path(outline_rings, project))
    for child in children:
        shape = Shape(child)
        if child_rings[child.pk]:
            shape.path = _path(child_rings[child.pk], project)
            corners = [project(lon, lat) for ring in child_rings[child.pk] for lon, lat in ring]
            shape.label_x = round(sum(x for x, _y in corners) / len(corners), 1)
            shape.label_y = round(sum(y for _x, y in corners) / len(corners), 1)
        elif child.pk in points:
            (lon, lat), shape.approximate = points[child.pk]
            shape.cx, shape.cy = project(lon, lat)
        else:
            continue
        data.shapes.append(shape)
    data.dots = [project(lon, lat) for lon, lat in village_points]
    return data


def village_points(place: Place) -> tuple[list[Coord], dict[str, Coord]]:
    """The (lon, lat) of every village under ``place`` with a point, and for each child of
    ``place`` (by code) the middle of its villages: where a jamoat without a point of its own
    is drawn (approximately). One query."""
    rows = Place.objects.filter(
        subtree_q(place), kind=PlaceKind.VILLAGE, latitude__isnull=False, longitude__isnull=False
    ).values_list("path", "longitude", "latitude")
    points: list[Coord] = []
    sums: dict[str, list[float]] = {}
    for path, lon_or_none, lat_or_none in rows:
        # Filtered on both being set; the ORM's types do not know it.
        lon, lat = float(lon_or_none or 0), float(lat_or_none or 0)
        points.append((lon, lat))
        codes = path.split("/")
        if len(codes) > place.depth + 1:
            acc = sums.setdefault(codes[place.depth + 1], [0.0, 0.0, 0.0])
            acc[0], acc[1], acc[2] = acc[0] + lon, acc[1] + lat, acc[2] + 1
    middles = {code: (acc[0] / acc[2], acc[1] / acc[2]) for code, acc in sums.items()}
    return points, middles


# Five classes for a share from 0 to 1: the breaks are fixed so that colours mean the same
# on every page (a map of Asht and one of Sughd can be compared at a glance).
SHARE_BREAKS = (0.05, 0.10, 0.20, 0.30)
VACANCY_BREAKS = (0.05, 0.10, 0.20, 0.30)


def share_class(value: float | None, breaks: Sequence[float] = SHARE_BREAKS) -> str:
    if value is None:
        return "qn"
    for index, limit in enumerate(breaks):
        if value < limit:
            return f"q{index}"
    return f"q{len(breaks)}"


def legend(breaks: Sequence[float] = SHARE_BREAKS) -> list[tuple[str, str]]:
    """(class, label) pairs: "under 5%", "5-10%", ..., "30% and more"."""
    labels = []
    bounds = [0.0, *breaks]
    for index in range(len(breaks)):
        low, high = bounds[index], bounds[index + 1]
        labels.append((f"q{index}", f"{low * 100:g}–{high * 100:g} %"))
    labels.append((f"q{len(breaks)}", f"≥ {breaks[-1] * 100:g} %"))
    return labels
