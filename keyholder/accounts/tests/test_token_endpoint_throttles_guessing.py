"""POST /api/v1/auth/token refuses guessing: 429 with Retry-After, per account and per address."""

from __future__ import annotations

from django.test import Client, override_settings

from keyholder.accounts.models import ApiToken, AuditLog
from keyholder.testing import PASSWORD, Cast


def _issue(client: Client, username: str, password: str, addr: str = "10.0.0.1", lang: str = "tg"):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=addr,
        HTTP_ACCEPT_LANGUAGE=lang,
    )


@override_settings(SIGNIN_LIMIT=5, SIGNIN_ADDRESS_LIMIT=20, SIGNIN_WINDOW_MINUTES=15)
def test_it_locks_the_account_after_five_failures_even_for_the_right_password(
    client: Client, cast: Cast
) -> None:
    for _ in range(5):
        assert _issue(client, "officer", "wrong-guess").status_code == 401

    refused = _issue(client, "officer", PASSWORD, lang="ru")
    assert refused.status_code == 429
    assert refused.json()["code"] == "auth.throttled"
    assert "Слишком много" in refused.json()["message"]
    assert 0 < int(refused["Retry-After"]) <= 15 * 60
    assert not ApiToken.objects.exists()

    # Someone else, from another address, is not held up.
    assert _issue(client, "admin", PASSWORD, addr="10.0.0.2").status_code == 200

    # The failures are audited with the username tried, never the password.
    failed = AuditLog.objects.filter(action="sign_in", detail__failed=True)
    assert failed.count() == 5
    assert {row.detail["username"] for row in failed} == {"officer"}
    assert not any("wrong-guess" in str(row.detail) for row in failed)
    assert AuditLog.objects.filter(
        user=cast.admin, action="sign_in", object_type="api_token"
    ).exists()


@override_settings(SIGNIN_LIMIT=5, SIGNIN_ADDRESS_LIMIT=20, SIGNIN_WINDOW_MINUTES=15)
def test_it_locks_an_address_that_tries_many_accounts(client: Client, cast: Cast) -> None:
    for n in range(20):
        assert _issue(client, f"guess{n}", "wrong-guess", addr="10.9.9.9").status_code == 401
    refused = _issue(client, "officer", PASSWORD, addr="10.9.9.9")
    assert refused.status_code == 429 and "Retry-After" in refused
    # The same account from elsewhere still signs in.
    assert _issue(client, "officer", PASSWORD, addr="10.0.0.3").status_code == 200


@override_settings(SIGNIN_LIMIT=2, SIGNIN_WINDOW_MINUTES=15)
def test_the_lock_ends_with_the_window(client: Client, cast: Cast, monkeypatch) -> None:
    import time

    from keyholder.accounts import throttle

    start = time.time()
    monkeypatch.setattr(throttle.time, "time", lambda: start)
    for _ in range(2):
        _issue(client, "officer", "wrong-guess")
    assert _issue(client, "officer", PASSWORD).status_code == 429
    monkeypatch.setattr(throttle.time, "time", lambda: start + 15 * 60 + 1)
    assert throttle.retry_after("officer", "10.0.0.1") == 0


@override_settings(SIGNIN_ADDRESS_LIMIT=2, CLIENT_ADDRESS_HEADER="X-Forwarded-For")
def test_behind_a_proxy_it_counts_the_address_the_proxy_passes(client: Client, cast: Cast) -> None:
    def issue(username: str, forwarded: str):
        return client.post(
            "/api/v1/auth/token",
            {"username": username, "password": "wrong-guess"},
            content_type="application/json",
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    # The first entry is the client's to forge; the last is what the proxy saw.
    assert issue("a1", "1.1.1.1, 10.0.0.7").status_code == 401
    assert issue("a2", "2.2.2.2, 10.0.0.7").status_code == 401
    assert issue("a3", "3.3.3.3, 10.0.0.7").status_code == 429
    assert issue("a4", "10.0.0.8").status_code == 401
