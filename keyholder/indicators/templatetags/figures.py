"""How a disclosed figure reads on a page: withheld, rounded or exact, in the active language."""

from __future__ import annotations

from functools import cache

from django import template
from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from keyholder.indicators.disclosure import Cell, threshold

register = template.Library()


@cache
def _separators(language: str) -> tuple[str, str, int]:
    # ``number_format`` looks these up on every call; a dashboard formats over a thousand
    # figures, so they are read once per language.
    return (
        str(get_format("DECIMAL_SEPARATOR", language, use_l10n=True)),
        str(get_format("THOUSAND_SEPARATOR", language, use_l10n=True)),
        int(get_format("NUMBER_GROUPING", language, use_l10n=True)),
    )


def number_format(
    value: float | int, decimal_pos: int, use_l10n: bool = True, force_grouping: bool = False
) -> str:
    decimal, thousand, grouping = _separators(get_language() or "tg")
    return numberformat.format(
        value,
        decimal,
        decimal_pos,
        grouping,
        thousand,
        force_grouping=force_grouping,
        use_l10n=use_l10n,
    )


def _count(value: float | int) -> str:
    return number_format(int(value), 0, force_grouping=True)


def _share(value: float) -> str:
    return number_format(value * 100, 1) + " %"


@register.filter
def count(cell: Cell | None) -> SafeString | str:
    """A count, or "<5" (with an explanation for screen readers) when it is withheld."""
    if cell is None:
        return "—"
    if cell.value is None:
        if cell.suppressed:
            return format_html(
                '<abbr class="withheld" title="{}">&lt;{}</abbr>',
                _("Withheld: fewer than %(n)s") % {"n": threshold()},
                threshold(),
            )
        return "—"
    return _count(cell.value)


@register.filter
def share(cell: Cell | None) -> SafeString | str:
    if cell is None:
        return "—"
    if cell.value is None:
        if cell.suppressed:
            return format_html(
                '<abbr class="withheld" title="{}">·</abbr>', _("Withheld: a part is too small")
            )
        return "—"
    return _share(float(cell.value))


@register.filter
def percent(value: float | None) -> str:
    if value is None:
        return "—"
    return _share(value)


@register.filter
def signed_percent(value: float | None) -> str:
    if value is None:
        return "—"
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return sign + number_format(abs(value) * 100, 0, use_l10n=True) + " %"


@register.filter
def number(value: float | int | None) -> str:
    if value is None:
        return "—"
    if float(value).is_integer():
        return _count(value)
    return number_format(value, 1, use_l10n=True, force_grouping=True)


@register.filter
def figure(cell: Cell | None, is_share: bool) -> SafeString | str:
    return share(cell) if is_share else count(cell)


@register.filter
def source(text: str) -> str:
    """An official figure's source (or reporter) in the page's language, when it is shipped."""
    from keyholder.indicators.sources import source_name

    return source_name(text or "")
