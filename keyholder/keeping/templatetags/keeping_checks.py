"""Checklist answers as the pages show them: ✓ fine or ✗ the problem found, never "no"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from keyholder.keeping import checklist

register = template.Library()


@register.filter
def checks(answers: Mapping[str, Any] | None) -> list[checklist.Check]:
    return checklist.checks(answers or {})


@register.filter
def failed_checks(answers: Mapping[str, Any] | None) -> list[checklist.Item]:
    return checklist.problems(answers or {})
