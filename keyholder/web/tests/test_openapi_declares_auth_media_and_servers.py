"""The OpenAPI document tells a generated client what it needs: optional authentication where
a token changes the answer, media types of binary answers, and the server."""

from __future__ import annotations

from django.test import Client

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
