"""Finishing touches to the OpenAPI document that django-ninja does not write by itself.

- Operations open to anonymous visitors that also read a bearer token or a session (public
  figures for anyone, exact ones for an officer) declare that authentication as optional:
  ``security: [{}, {BearerToken: []}, {SessionAuth: []}]``. Without it a generated client
  sends no token there, and an officer silently gets the public, rounded figures.
- Binary answers (exports, the owner's PDF report, a visit photo) declare their media types.
- ``servers`` names this server (paths already carry ``/api/v1``), so tools that resolve
  paths against a server do not guess.
- Free text in a request body (a string with no pattern, format or list of values) declares
  that it holds no control character (``core.api.PLAIN_TEXT``): every stored text is checked
  (``invalid.control_character``), and a client that sends one was told nothing of it (a
  schemathesis run sent U+000E in a house's street, valid by the document, and was refused).

``make lint`` lints the document with Redocly (``make openapi-lint``, through ``dump``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from django.utils.translation import get_language
from ninja import NinjaAPI

from keyholder.core.api import PLAIN_TEXT

OPTIONAL_AUTH: list[dict[str, list[str]]] = [{}, {"BearerToken": []}, {"SessionAuth": []}]
# Operations that take no credentials at all (signing in with a password).
NO_AUTH = {("post", "/auth/token")}
EXPORT_TYPES = (
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/geo+json",
    "application/json",
    "application/adx+xml",
)
BINARY: dict[tuple[str, str], tuple[str, ...]] = {
    ("get", "/indicators/export"): EXPORT_TYPES,
    ("get", "/keeping/agreements/{agreement_id}/reports/{month}/pdf"): ("application/pdf",),
    ("get", "/keeping/photos/{photo_id}/image"): ("image/jpeg",),
}


def string_schemas(
    schema: Any, components: dict[str, Any], seen: set[str]
) -> Iterator[dict[str, Any]]:
    """Every string schema under ``schema``, following references into ``components``; a
    component named in ``seen`` is not walked again (and is added to it when walked)."""
    if isinstance(schema, list):
        for item in schema:
            yield from string_schemas(item, components, seen)
        return
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        name = ref.rsplit("/", 1)[1]
        if name not in seen:
            seen.add(name)
            yield from string_schemas(components.get(name), components, seen)
        return
    if schema.get("type") == "string":
        yield schema
    for key in ("properties", "patternProperties"):
        for value in (schema.get(key) or {}).values():
            yield from string_schemas(value, components, seen)
    for key in ("items", "additionalProperties", "anyOf", "oneOf", "allOf"):
        if key in schema:
            yield from string_schemas(schema[key], components, seen)


def _short(path: str) -> str:
    return path[len("/api/v1") :] if path.startswith("/api/v1") else path


def finish(document: dict[str, Any]) -> dict[str, Any]:
    document["servers"] = [{"url": "/", "description": "This keyholder server"}]
    document.setdefault("info", {})["license"] = {
        "name": "AGPL-3.0-or-later",
        "identifier": "AGPL-3.0-or-later",
    }
    components = document.get("components", {}).get("schemas", {})
    walked: set[str] = set()  # components whose strings have been given PLAIN_TEXT
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            key = (method, _short(path))
            if key in NO_AUTH:
                # Declared, and empty: signing in takes a password, not a credential.
                operation["security"] = [{}]
            elif "security" not in operation:
                operation["security"] = OPTIONAL_AUTH
            responses = operation["responses"]
            if not any(str(code).startswith("4") for code in responses):
                # Any operation can be refused (a malformed request, a bad token).
                responses["4XX"] = {
                    "description": "Refused: {code, message} from the error catalogue",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}
                    },
                }
            for media in operation.get("requestBody", {}).get("content", {}).values():
                # Free text: a string with no pattern, format or list of values.
                for string in string_schemas(media.get("schema"), components, walked):
                    if not {"pattern", "format", "enum", "const"} & set(string):
                        string.update(PLAIN_TEXT)
            if key in BINARY:
                ok = operation["responses"].get(200) or operation["responses"].get("200")
                if ok is not None:
                    ok["content"] = {
                        media: {"schema": {"type": "string", "format": "binary"}}
                        for media in BINARY[key]
                    }
    return document


def install(api: NinjaAPI) -> None:
    """Wrap ``api.get_openapi_schema`` so every reader of the document gets it finished."""
    original = api.get_openapi_schema
    # The document only changes with the code (and the language of its texts): built once per
    # process and language, a copy handed out each time (building it takes about a second).
    built: dict[str, Any] = {}

    def schema(*args: Any, **kwargs: Any) -> Any:
        key = repr((args, sorted(kwargs.items()), get_language()))
        if key not in built:
            built[key] = finish(original(*args, **kwargs))
        return copy.deepcopy(built[key])

    api.get_openapi_schema = schema  # type: ignore[method-assign]


def dump(path: str) -> None:
    """Write the finished document to ``path`` (``make openapi-lint`` lints it)."""
    import json

    from django.test import Client

    answer = Client().get("/api/v1/openapi.json")
    with open(path, "w", encoding="utf-8") as target:
        json.dump(json.loads(answer.content), target, ensure_ascii=False, indent=1)
