"""An expired or revoked token answers 401 auth.required on reads and writes, never 403."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from keyholder.accounts.models import ApiToken
from keyholder.testing import PASSWORD, Cast


def _token(client: Client) -> str:
    response = client.post(
        "/api/v1/auth/token",
        {"username": "officer", "password": PASSWORD},
        content_type="application/json",
    )
    return response.json()["token"]


def test_an_expired_or_revoked_token_answers_401_on_reads_and_writes(
    client: Client, cast: Cast
) -> None:
    token = _token(client)
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/households", **auth).status_code == 200

    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    read = client.get("/api/v1/households", **auth)
    write = client.post(
        "/api/v1/households",
        {"village": "TJ-SU-ASHT-PONGHOZ-V01", "name": "Nazarov"},
        content_type="application/json",
        **auth,
    )
    for response in (read, write):
        assert response.status_code == 401
        assert response.json()["code"] == "auth.required"

    ApiToken.objects.all().delete()
    revoked = client.post(
        "/api/v1/households", {"name": "x"}, content_type="application/json", **auth
    )
    assert revoked.status_code == 401 and revoked.json()["code"] == "auth.required"
