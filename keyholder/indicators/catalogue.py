"""The indicator catalogue: every figure the store holds, with its exact definition.

``docs/indicators.md`` repeats these definitions for readers; the code below is the source.
A *stock* is counted on the last day of each month; a *flow* is the total over the month.
``derived`` indicators (the shares) are not stored: they are computed when read, from the
stored numerator and denominator of the same place, so they stay right at every level.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

STOCK = "stock"
FLOW = "flow"

PERSONS = "persons"
HOUSEHOLDS = "households"
HOUSES = "houses"
EVENTS = "events"
RATIO = "ratio"

# Age on a date is the calendar year of the date minus the birth year (the registry keeps
# only the birth year). The last band is open.
AGE_BANDS: tuple[tuple[int, int | None], ...] = (
    (0, 14),
    (15, 24),
    (25, 34),
    (35, 44),
    (45, 54),
    (55, 64),
    (65, None),
)
ELDERLY_AGE = 65


def age_band_label(low: int, high: int | None) -> str:
    return f"{low}-{high}" if high is not None else f"{low}+"


AGE_BAND_LABELS = tuple(age_band_label(lo, hi) for lo, hi in AGE_BANDS)

# Dimension prefixes of the breakdowns: "country:RU", "sex:f", "age:25-34".
COUNTRY = "country"
SEX = "sex"
AGE = "age"


@dataclass(frozen=True)
class Indicator:
    name: str
    kind: str
    unit: str
    label: Promise
    definition: Promise
    # The matching category name of IOM's Displacement Tracking Matrix, where one matches.
    iom_dtm: str = ""
    breakdowns: tuple[str, ...] = ()
    # For shares: (numerator, denominator) indicator names.
    derived: tuple[str, str] | None = None
    # Counts are suppressed and rounded for the public; shares follow their parts.
    is_count: bool = True

    @property
    def is_stock(self) -> bool:
        return self.kind == STOCK


_INDICATORS = [
    Indicator(
        "residents",
        STOCK,
        PERSONS,
        _("Registered residents"),
        _(
            "Persons who, on the last day of the month, are living members of a household of "
            "the place: at home, abroad, or moved elsewhere in the country, but not dead, not "
            "yet born or joined, and not left the household. The denominator of the share "
            "abroad."
        ),
    ),
    Indicator(
        "abroad",
        STOCK,
        PERSONS,
        _("Residents abroad"),
        _(
            "Persons whose status on the last day of the month is “abroad”: their last "
            "event on or before that day is a departure abroad, with no return, deportation, "
            "move, departure from the household or death after it."
        ),
        iom_dtm="nationals residing abroad",
        breakdowns=(COUNTRY, SEX, AGE),
    ),
    Indicator(
        "share_abroad",
        STOCK,
        RATIO,
        _("Share of residents abroad"),
        _(
            "Residents abroad divided by registered residents, both on the last day of the "
            "month, for the same place."
        ),
        derived=("abroad", "residents"),
        is_count=False,
    ),
    Indicator(
        "departures",
        FLOW,
        EVENTS,
        _("Departures abroad"),
        _("Departure events dated within the month, by the country of destination."),
        iom_dtm="out-migrants",
        breakdowns=(COUNTRY,),
    ),
    Indicator(
        "returns",
        FLOW,
        EVENTS,
        _("Returns"),
        _(
            "Return events dated within the month (a voluntary return from abroad or from "
            "elsewhere in the country); deportations are counted apart."
        ),
        iom_dtm="return migrants",
    ),
    Indicator(
        "deportations",
        FLOW,
        EVENTS,
        _("Deportations"),
        _("Deportation events dated within the month."),
        iom_dtm="forced returnees",
    ),
    Indicator(
        "entry_bans_active",
        STOCK,
        PERSONS,
        _("Persons with an active entry ban"),
        _(
            "Persons with an entry ban that is in force on the last day of the month: the "
            "ban began on or before that day and its end date is that day or later. A ban "
            "is dropped when its holder dies or leaves the household."
        ),
    ),
    Indicator(
        "households",
        STOCK,
        HOUSEHOLDS,
        _("Households"),
        _(
            "Households of the place with at least one living member on the last day of the "
            "month. The denominator of the share of households fully abroad."
        ),
    ),
    Indicator(
        "households_fully_abroad",
        STOCK,
        HOUSEHOLDS,
        _("Households fully abroad"),
        _(
            "Households of which, on the last day of the month, no living member lives in "
            "the village and at least one is abroad."
        ),
    ),
    Indicator(
        "elderly_only_households",
        STOCK,
        HOUSEHOLDS,
        _("Households of only elderly people"),
        _(
            "Households with at least one member living in the village on the last day of "
            "the month, every one of whom is aged 65 or more (age being the year of that "
            "day minus the birth year)."
        ),
    ),
    Indicator(
        "houses",
        STOCK,
        HOUSES,
        _("Registered houses"),
        _("Houses of the place in which at least one registered household lives or lived."),
    ),
    Indicator(
        "vacant_houses",
        STOCK,
        HOUSES,
        _("Vacant houses"),
        _(
            "Houses of the place of which, on the last day of the month, no household has a "
            "living member living in the village."
        ),
    ),
    Indicator(
        "vacant_houses_kept",
        STOCK,
        HOUSES,
        _("Vacant houses under a keyholder's care"),
        _(
            "Vacant houses with a keeping agreement in force on the last day of the month "
            "(started on or before that day, not ended before it, and not cancelled)."
        ),
    ),
    Indicator(
        "vacant_houses_unkept",
        STOCK,
        HOUSES,
        _("Vacant houses without a keyholder"),
        _("Vacant houses without a keeping agreement in force on the last day of the month."),
    ),
    Indicator(
        "vacancy_rate",
        STOCK,
        RATIO,
        _("Share of houses vacant"),
        _("Vacant houses divided by registered houses, on the last day of the month."),
        derived=("vacant_houses", "houses"),
        is_count=False,
    ),
]

CATALOGUE: dict[str, Indicator] = {i.name: i for i in _INDICATORS}

# Official figures use their publisher's names; this says which registry figure answers each,
# and whether a flow is compared over the calendar year of the figure.
OFFICIAL_EQUIVALENTS: dict[str, tuple[str, str]] = {
    "residents_in_labour_migration": ("abroad", ""),
    "abroad": ("abroad", ""),
    "migrants_departed_to_russia_in_year": ("departures", "country:RU"),
    "labour_migrants_departed": ("departures", ""),
    "labour_migrants_departed_to_russia": ("departures", "country:RU"),
    "labour_migrants_departed_to_kazakhstan": ("departures", "country:KZ"),
    "labour_migrants_returned": ("returns", ""),
    "population": ("residents", ""),
    "departures": ("departures", ""),
    "returns": ("returns", ""),
    "deportations": ("deportations", ""),
    "vacant_houses": ("vacant_houses", ""),
}


def get(name: str) -> Indicator:
    from keyholder.core.errors import Code, ServiceError

    indicator = CATALOGUE.get(name)
    if indicator is None:
        raise ServiceError(Code.INDICATORS_UNKNOWN, field="indicator", value=name)
    return indicator


def check_dimension(indicator: Indicator, dimension: str) -> str:
    """Refuse a breakdown the indicator does not have; "" is the total."""
    from keyholder.core.errors import Code, ServiceError

    if not dimension:
        return ""
    prefix, _sep, value = dimension.partition(":")
    if prefix not in indicator.breakdowns or not value:
        raise ServiceError(Code.INDICATORS_UNKNOWN_DIMENSION, field="dimension", value=dimension)
    if prefix == COUNTRY:
        return f"{COUNTRY}:{value.upper()}"
    return dimension
