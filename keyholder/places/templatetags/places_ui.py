"""Place and country wording for any page: ``{% load places_ui %}``."""

from __future__ import annotations

from django import template

from keyholder.places.countries import country_name as _country_name

register = template.Library()


@register.filter
def country_name(code: str) -> str:
    """A country's name in the active language, from its ISO code."""
    return _country_name(code)
