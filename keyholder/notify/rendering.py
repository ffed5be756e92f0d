"""Render a named message template in one language.

Templates live in ``templates/notify/<name>/subject.txt`` and ``body.txt``. They are plain
text, so they are rendered without HTML escaping: a house called "Karimov & sons" must not
arrive as "Karimov &amp; sons".
"""

from __future__ import annotations

from typing import Any

from django.template import Context
from django.template.loader import get_template
from django.utils import translation


def render_message(template: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
    """Return (subject, body) of ``template`` in ``language``.

    Lazy strings in the context (e.g. ``incident.get_kind_display()`` of a ``gettext_lazy``
    choice, or a date passed through the ``date`` filter) come out in that language too.
    """
    with translation.override(language):
        parts = []
        for part in ("subject", "body"):
            backend_template = get_template(f"notify/{template}/{part}.txt")
            # The backend wrapper always escapes; the engine template under it takes a Context
            # that can turn escaping off.
            engine_template = backend_template.template  # type: ignore[attr-defined]
            parts.append(engine_template.render(Context(context, autoescape=False)))
    subject = " ".join(parts[0].split())
    body = parts[1].strip() + "\n"
    return subject, body
