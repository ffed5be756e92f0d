"""The place hierarchy and the official statistics attached to places."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from keyholder.core.errors import Code, ServiceError


class PlaceKind(models.TextChoices):
    COUNTRY = "country", _("Country")
    REGION = "region", _("Region")
    DISTRICT = "district", _("District")
    JAMOAT = "jamoat", _("Jamoat")
    TOWN = "town", _("Town")
    VILLAGE = "village", _("Village")


# Depth of each kind in the tree; a town sits at the jamoat level.
KIND_LEVEL = {
    PlaceKind.COUNTRY: 0,
    PlaceKind.REGION: 1,
    PlaceKind.DISTRICT: 2,
    PlaceKind.JAMOAT: 3,
    PlaceKind.TOWN: 3,
    PlaceKind.VILLAGE: 4,
}


class Place(models.Model):
    """A node of country > region > district > jamoat/town > village.

    ``path`` is the materialised chain of codes from the country down ("TJ/TJ-SU/..."), so
    that "everything inside this place" is one indexed prefix query; scoping depends on it.
    """

    code = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=16, choices=PlaceKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=512, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    name_tg = models.CharField(max_length=200)
    name_ru = models.CharField(max_length=200, blank=True)
    name_en = models.CharField(max_length=200, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # Where the point comes from, e.g. "GeoNames 1514921" or "approximate: sample village".
    point_source = models.CharField(max_length=300, blank=True)
    # GeoJSON geometry (EPSG:4326) of the boundary, where a public source has one.
    boundary = models.JSONField(null=True, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(null=True, blank=True)
    population_source = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=500, blank=True)
    # Synthetic places (the Asht villages) are flagged wherever they show.
    is_sample = models.BooleanField(default=False)

    class Meta:
        ordering = ["path"]
        indexes = [models.Index(fields=["kind", "parent"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args: object, **kwargs: object) -> None:
        self.compute_path()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def name(self) -> str:
        lang = (get_language() or "tg")[:2]
        if lang == "ru" and self.name_ru:
            return self.name_ru
        if lang == "en" and self.name_en:
            return self.name_en
        return self.name_tg or self.name_en or self.name_ru

    def compute_path(self) -> None:
        if self.parent_id is None:
            self.path = self.code
            self.depth = 0
        else:
            parent = self.parent
            assert parent is not None
            self.path = f"{parent.path}/{self.code}"
            self.depth = parent.depth + 1

    def ancestors(self) -> list[Place]:
        codes = self.path.split("/")[:-1]
        by_code = {p.code: p for p in Place.objects.filter(code__in=codes)}
        return [by_code[c] for c in codes if c in by_code]

    def is_within(self, other: Place) -> bool:
        """True when this place is ``other`` or lies inside it."""
        return self.path == other.path or self.path.startswith(other.path + "/")


def subtree_q(place: Place, prefix: str = "") -> models.Q:
    """A Q matching ``place`` and every place under it, through the field ``prefix``."""
    field = f"{prefix}path" if prefix else "path"
    return models.Q(**{field: place.path}) | models.Q(**{f"{field}__startswith": place.path + "/"})


# The level whose places a person carries (``registry.Person.district``): lists of a district's
# persons are read from one index in name order. A level below would be too small to need it
# (a jamoat's few thousand are sorted), one above large enough to walk the country's names.
DISTRICT_DEPTH = KIND_LEVEL[PlaceKind.DISTRICT]


def district_code(place: Place) -> str | None:
    """The code of the district ``place`` is in (itself if it is one), from its path; None
    above the district level."""
    codes = place.path.split("/")
    return codes[DISTRICT_DEPTH] if len(codes) > DISTRICT_DEPTH else None


def districts_of(places: Iterable[Place]) -> dict[int, int | None]:
    """The id of the district of each of ``places`` (``district_code``), by place id, in one
    query: what the bulk writers of persons copy onto them."""
    codes = {place.pk: district_code(place) for place in places}
    ids = dict(
        Place.objects.filter(code__in={c for c in codes.values() if c}).values_list("code", "pk")
    )
    return {pk: ids.get(code) if code else None for pk, code in codes.items()}


def district_of(place: Place) -> int | None:
    """The id of the district ``place`` is in (``districts_of`` for one place)."""
    if place.depth == DISTRICT_DEPTH:
        return int(place.pk)
    return districts_of([place])[place.pk]


def place_by_code(code: str) -> Place | None:
    """The place with this code, or None. Places are public reference data: any user may name
    any place; whether they may *open* it is ``accounts.access.get_place``'s question. Codes
    are upper-case ASCII, so a code typed in lower case is found too (and one holding any
    other character is not: ``place_refusal`` says which)."""
    code = code.strip().upper()
    if not code or not code.isascii():
        return None
    return Place.objects.defer("boundary").filter(code=code).first()


# Scripts whose letters look like Latin ones, by the first word of their Unicode names.
SCRIPTS = {
    "CYRILLIC": _("Cyrillic"),
    "GREEK": _("Greek"),
    "LATIN": _("Latin with a mark"),
    "FULLWIDTH": _("full-width"),
    "ARMENIAN": _("Armenian"),
}


def place_refusal(code: str, field: str = "place") -> ServiceError:
    """Why no place has this code: a character that is not ASCII (a Cyrillic "О" among Latin
    letters looks right and is not), named with its script, code point and position; or
    simply ``invalid.place``."""
    typed = code.strip()
    for position, char in enumerate(typed, start=1):
        if not char.isascii():
            name = unicodedata.name(char, "")
            script = SCRIPTS.get(name.split(" ")[0], _("not Latin")) if name else _("not Latin")
            return ServiceError(
                Code.INVALID_PLACE_CHARACTER,
                field=field,
                value=typed,
                char=char,
                script=script,
                codepoint=f"U+{ord(char):04X}",
                position=position,
            )
    return ServiceError(Code.INVALID_PLACE, field=field, value=code)


def require_place(code: str, field: str = "place") -> Place:
    """The place with this code, or the catalogue's refusal on ``field`` (``place_refusal``)."""
    place = place_by_code(code)
    if place is None:
        raise place_refusal(code, field)
    return place


class OfficialFigure(models.Model):
    """A number published by an authority for a place and a date, with its source."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="official_figures")
    indicator = models.CharField(max_length=64)
    value = models.DecimalField(max_digits=16, decimal_places=4)
    qualifier = models.CharField(max_length=32, blank=True)
    unit = models.CharField(max_length=32, blank=True)
    # The date the figure describes; ``period`` keeps the wording of the source ("2024-07").
    as_of = models.DateField()
    period = models.CharField(max_length=32, blank=True)
    source = models.CharField(max_length=500)
    source_url = models.URLField(max_length=1000, blank=True)
    reported_by = models.CharField(max_length=500, blank=True)
    note = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["place", "indicator", "as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "indicator", "as_of", "source"], name="official_figure_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.place.code} {self.indicator} {self.as_of}: {self.value}"
