"""The OpenAPI document tells a generated client what it needs: optional authentication where
a token changes the answer, media types of binary answers, the server, and that free text
holds no control character."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from keyholder.openapi import string_schemas
from keyholder.testing import Cast, bearer

OPTIONAL: list[dict[str, list[str]]] = [{}, {"BearerToken": []}, {"SessionAuth": []}]


def test_it_declares_optional_auth_binary_media_types_and_servers(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert document["servers"] == [{"url": "/", "description": "This keyholder server"}]
    paths = document["paths"]
    # Public figures for anyone, exact ones with a token: the token is declared, optional.
    for path in (
        "/api/v1/indicators",
        "/api/v1/official-figures",
        "/api/v1/reconciliation",
        "/api/v1/indicators/export",
        "/api/v1/indicators/catalogue",
        "/api/v1/places",
        "/api/v1/places/{code}",
        "/api/v1/migrant/rules",
    ):
        assert paths[path]["get"]["security"] == OPTIONAL, path
    # Every operation declares its security; signing in declares none needed.
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert "security" in operation, (method, path)
    assert paths["/api/v1/auth/token"]["post"]["security"] == [{}]
    export = paths["/api/v1/indicators/export"]["get"]["responses"]["200"]["content"]
    assert set(export) == {
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/geo+json",
        "application/json",
        "application/adx+xml",
    }
    assert export["text/csv"]["schema"] == {"type": "string", "format": "binary"}
    pdf = "/api/v1/keeping/agreements/{agreement_id}/reports/{month}/pdf"
    assert set(paths[pdf]["get"]["responses"]["200"]["content"]) == {"application/pdf"}
    photo = "/api/v1/keeping/photos/{photo_id}/image"
    assert set(paths[photo]["get"]["responses"]["200"]["content"]) == {"image/jpeg"}


@pytest.mark.django_db
def test_free_text_in_a_request_says_it_holds_no_control_character(cast: Cast) -> None:
    """The server refuses a control character in any stored text (invalid.control_character);
    the document says so on every free text a request body takes, so a client that follows
    the document is never refused for one (schemathesis sent U+000E in a house's street)."""
    document = Client().get("/api/v1/openapi.json").json()
    components = document["components"]["schemas"]
    free = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                for string in string_schemas(media["schema"], components, set()):
                    if {"format", "enum", "const"} & set(string):
                        continue
                    assert "pattern" in string, (method, path, string)
                    free += 1
                    pattern = re.compile(string["pattern"])
                    assert not pattern.search("Ko\x0echa"), (method, path, string["pattern"])
    assert free > 20
    street = document["components"]["schemas"]["HouseIn"]["properties"]["street"]
    assert re.fullmatch(street["pattern"], "Кӯчаи Сомонӣ\t12\n")

    client, auth = Client(), bearer(cast.enumerator)
    house = {"village": cast.village.code, "street": "Ko\x0echa", "number": "9"}
    refused = client.post("/api/v1/houses", house, content_type="application/json", **auth)
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid.control_character"
    assert refused.json()["field"] == "street"
    house["street"] = "Kocha"
    accepted = client.post("/api/v1/houses", house, content_type="application/json", **auth)
    assert accepted.status_code == 201
