"""Django's password rules speak Tajik on a Tajik page (issue 11): their messages are in our
catalogues (``accounts/password_messages.py``), which Django's own Tajik one leaves empty."""

from __future__ import annotations

from django.test import Client

from keyholder.accounts.models import Role, User
from keyholder.testing import Cast


def test_a_refused_short_password_is_explained_in_tajik(client: Client, cast: Cast) -> None:
    client.force_login(cast.admin)
    form = {
        "username": "zarina",
        "password": "1234567",
        "role": Role.ENUMERATOR,
        "language": "tg",
        "places": cast.village.code,
    }
    response = client.post("/accounts/users/new/", form)
    body = response.content.decode()
    assert response.status_code == 400
    assert not User.objects.filter(username="zarina").exists()
    # Tajik is the default language: every rule the password breaks, in Tajik.
    assert "Ин парол хеле кӯтоҳ аст. Он бояд ақаллан 10 аломат дошта бошад." in body
    assert "Ин парол хеле маъмул аст." in body
    assert "Ин парол танҳо аз рақамҳо иборат аст." in body
    assert "This password" not in body
