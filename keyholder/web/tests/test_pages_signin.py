"""Signing in: the page is in Tajik unless the visitor chose another language."""

from __future__ import annotations

from django.test import Client

from keyholder.accounts.models import AuditLog
from keyholder.testing import PASSWORD, Cast

TAJIK_PASSWORD = "Парол"


def test_it_shows_the_sign_in_page_in_tajik_and_signs_in_with_the_right_password(
    client: Client, cast: Cast
) -> None:
    page = client.get("/signin/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="tg">' in html
    # The password label comes out of the Tajik catalogue: the page is really in Tajik.
    assert TAJIK_PASSWORD in html and ">Password" not in html
    assert 'value="tg" lang="tg" title="' in html and 'aria-current="true">TG' in html

    wrong = client.post("/signin/", {"username": "officer", "password": "nope"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    right = client.post("/signin/", {"username": "officer", "password": PASSWORD})
    assert right.status_code == 302
    assert right["Location"] == "/"
    assert client.session["_auth_user_id"] == str(cast.officer.pk)
    assert not AuditLog.objects.filter(user=cast.officer, action="read").exists()


def test_it_signs_out_with_a_post(client: Client, cast: Cast) -> None:
    client.force_login(cast.officer)
    page = client.get("/places/TJ-SU-ASHT/").content.decode()
    assert 'action="/signout/"' in page
    assert "officer" in page and cast.officer.get_role_display() in page
    response = client.post("/signout/")
    assert response.status_code == 302
    assert client.get("/places/TJ-SU-ASHT/").status_code == 302
