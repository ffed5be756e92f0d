"""The sign-in page refuses guessing with 429 and Retry-After, in the page's language, and
audits sign-ins and failed sign-ins."""

from __future__ import annotations

from django.test import Client, override_settings

from keyholder.accounts.models import AuditLog
from keyholder.testing import PASSWORD, Cast


@override_settings(SIGNIN_LIMIT=5, SIGNIN_ADDRESS_LIMIT=20, SIGNIN_WINDOW_MINUTES=15)
def test_it_answers_429_after_five_failures_and_audits_each_attempt(
    client: Client, cast: Cast
) -> None:
    for _ in range(5):
        wrong = client.post("/signin/", {"username": "officer", "password": "wrong-guess"})
        assert wrong.status_code == 200
    refused = client.post("/signin/", {"username": "officer", "password": PASSWORD})
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 15 * 60
    # In Tajik, the page's default language.
    assert "Кӯшишҳои" in refused.content.decode()
    assert "_auth_user_id" not in client.session

    failed = AuditLog.objects.filter(action="sign_in", object_type="session", detail__failed=True)
    assert failed.count() == 5
    assert {row.detail["username"] for row in failed} == {"officer"}
    assert "wrong-guess" not in str(list(failed.values_list("detail", flat=True)))

    # Another account from another address signs in, and that is audited too.
    other = Client(REMOTE_ADDR="10.1.1.1")
    assert other.post("/signin/", {"username": "admin", "password": PASSWORD}).status_code == 302
    assert AuditLog.objects.filter(
        user=cast.admin, action="sign_in", object_type="session"
    ).exists()
