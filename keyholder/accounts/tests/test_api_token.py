"""POST /api/v1/auth/token exchanges a username and password for a bearer token."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from keyholder.accounts.models import ApiToken, AuditLog
from keyholder.testing import PASSWORD


def _issue(client, username: str, password: str):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


def test_it_issues_a_token_that_opens_the_api(client, cast):
    response = _issue(client, "officer", PASSWORD)
    assert response.status_code == 200
    token = response.json()["token"]
    assert ApiToken.objects.filter(user=cast.officer).count() == 1
    assert AuditLog.objects.filter(user=cast.officer, action=AuditLog.Action.SIGN_IN).exists()

    listed = client.get("/api/v1/households", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert listed.status_code == 200
    assert listed.json()["count"] == 1


def test_it_refuses_bad_credentials(client, cast):
    for username, password in [("officer", "wrong"), ("nobody", PASSWORD)]:
        response = _issue(client, username, password)
        assert response.status_code == 401
        assert response.json()["code"] == "auth.invalid_credentials"
        assert response.json()["message"]
    assert not ApiToken.objects.exists()


def test_it_refuses_an_inactive_user(client, cast):
    cast.officer.is_active = False
    cast.officer.save()
    assert _issue(client, "officer", PASSWORD).status_code == 401


def test_it_names_the_missing_field(client, cast):
    response = client.post(
        "/api/v1/auth/token", {"username": "officer"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["field"] == "password"


def test_it_answers_401_without_a_valid_token(client, cast):
    token = _issue(client, "officer", PASSWORD).json()["token"]
    for header in [None, "Bearer not-a-token", f"Basic {token}", "Bearer "]:
        extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
        response = client.get("/api/v1/persons", **extra)
        assert response.status_code == 401, header
        assert response.json()["code"] == "auth.required"


def test_it_refuses_an_expired_token(client, cast):
    token = _issue(client, "officer", PASSWORD).json()["token"]
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/api/v1/households", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
