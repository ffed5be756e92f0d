"""A password is changed on its page or reset through a one-time link (by email or from an
administrator); either way the account's API tokens stop working."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client

from keyholder.accounts.models import ApiToken, AuditLog
from keyholder.testing import PASSWORD, Cast

NEW = "plum-tree-by-the-river"


def _token(username: str, password: str = PASSWORD) -> str:
    response = Client().post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )
    assert response.status_code == 200
    return response.json()["token"]


def _reads(token: str) -> int:
    return Client().get("/api/v1/households", HTTP_AUTHORIZATION=f"Bearer {token}").status_code


def test_a_user_changes_their_password_and_old_tokens_stop_working(
    client: Client, cast: Cast
) -> None:
    token = _token("officer")
    elsewhere = Client()
    elsewhere.force_login(cast.officer)
    client.force_login(cast.officer)
    assert client.get("/password/").status_code == 200

    weak = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": "officer1", "new_password2": "officer1"},
    )
    assert weak.status_code == 200 and "new_password2" in weak.context["form"].errors
    wrong_old = client.post(
        "/password/", {"old_password": "nope", "new_password1": NEW, "new_password2": NEW}
    )
    assert "old_password" in wrong_old.context["form"].errors
    assert _reads(token) == 200

    done = client.post(
        "/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert done.status_code == 302 and done["Location"] == "/password/changed/"
    cast.officer.refresh_from_db()
    assert cast.officer.check_password(NEW)
    # This session goes on; the API token does not.
    assert client.get("/password/changed/").status_code == 200
    assert _reads(token) == 401
    assert not ApiToken.objects.filter(user=cast.officer).exists()
    # The session on another device ends: its next page asks to sign in.
    assert elsewhere.get("/places/TJ-SU-ASHT/").status_code == 302
    assert AuditLog.objects.filter(user=cast.officer, detail__password="changed").exists()


def test_a_reset_link_by_email_in_the_users_language_works_once(cast: Cast) -> None:
    cast.officer.email = "officer@example.org"
    cast.officer.language = "ru"
    cast.officer.save()
    token = _token("officer")
    visitor = Client()
    sent = visitor.post("/password/reset/", {"email": "officer@example.org"})
    assert sent.status_code == 302 and sent["Location"] == "/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["officer@example.org"]
    assert "пароль" in message.subject.lower()
    link = re.search(r"https?://\S+/password/reset/\S+/", str(message.body))
    assert link is not None
    path = "/" + link.group(0).split("/", 3)[3]

    form = visitor.get(path, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    set_path = form.redirect_chain[-1][0]
    weak = visitor.post(set_path, {"new_password1": "1234567890", "new_password2": "1234567890"})
    assert weak.status_code == 200 and weak.context["form"].errors
    done = visitor.post(set_path, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/password/reset/done/"
    cast.officer.refresh_from_db()
    assert cast.officer.check_password(NEW)
    assert _reads(token) == 401

    # Used once: the same link no longer works.
    again = Client().get(path, follow=True)
    assert not again.context["validlink"]

    # An unknown email sends nothing and says the same.
    assert visitor.post("/password/reset/", {"email": "nobody@example.org"}).status_code == 302
    assert len(mail.outbox) == 1


def test_an_administrator_makes_a_one_time_link(client: Client, cast: Cast) -> None:
    token = _token("enumerator")
    client.force_login(cast.admin)
    page = client.post(f"/accounts/users/{cast.enumerator.pk}/password-link/")
    assert page.status_code == 200
    link = page.context["password_link"]
    assert link in page.content.decode()
    path = "/" + link.split("/", 3)[3]

    owner_of_account = Client()
    form = owner_of_account.get(path, follow=True)
    assert form.context["validlink"]
    set_path = form.redirect_chain[-1][0]
    done = owner_of_account.post(set_path, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    cast.enumerator.refresh_from_db()
    assert cast.enumerator.check_password(NEW)
    assert _reads(token) == 401
    assert not Client().get(path, follow=True).context["validlink"]

    # Only administrators make links; an outsider's attempt finds nothing.
    client.force_login(cast.outsider)
    assert client.post(f"/accounts/users/{cast.enumerator.pk}/password-link/").status_code in (
        403,
        404,
    )
