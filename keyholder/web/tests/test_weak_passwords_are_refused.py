"""Django's validators (length 10, common, numeric, like the username) on every password set."""

from __future__ import annotations

import pytest
from django.test import Client

from keyholder.accounts.models import User
from keyholder.accounts.services import do_create_user
from keyholder.core.errors import ServiceError
from keyholder.migrant.services import do_join
from keyholder.testing import Cast

WEAK = ["short1", "password123", "12345678901", "newcomer-1", "newcomer2024"]


def test_the_account_page_refuses_weak_passwords(client: Client, cast: Cast) -> None:
    client.force_login(cast.admin)
    for password in WEAK:
        page = client.post(
            "/accounts/users/new/",
            {
                "username": "newcomer",
                "password": password,
                "role": "enumerator",
                "places": "TJ-SU-ASHT-PONGHOZ-V01",
                "language": "tg",
            },
        )
        assert page.status_code == 400, password
        assert "password" in page.context["form"].errors, password
    assert not User.objects.filter(username="newcomer").exists()


def test_the_services_refuse_weak_passwords(cast: Cast) -> None:
    # adduser, the demo accounts and the account page all create through do_create_user.
    with pytest.raises(ServiceError) as refused:
        do_create_user(username="newcomer", password="newcomer-1", role="admin", place_codes=[])
    assert refused.value.code == "auth.weak_password"
    # The migrant's self-registration.
    with pytest.raises(ServiceError) as refused:
        do_join(email="aziz.karimov@example.org", phone="", password="aziz.karimov", language="tg")
    assert refused.value.code == "migrant.weak_password"
    assert not User.objects.filter(username__in=["newcomer", "aziz.karimov@example.org"]).exists()
