"""Administrators manage accounts in the pages; nobody else reaches them."""

from __future__ import annotations

from django.test import Client

from keyholder.accounts.models import ApiToken, AuditLog, Role, User
from keyholder.testing import Cast, token_for


def test_it_lets_an_admin_create_an_enumerator_and_refuses_a_district_as_their_area(
    client: Client, cast: Cast
) -> None:
    client.force_login(cast.admin)
    assert client.get("/accounts/users/").status_code == 200
    assert client.get("/accounts/users/new/").status_code == 200
    form = {
        "username": "farida",
        "password": "a-long-enough-password-42",
        "role": Role.ENUMERATOR,
        "places": "TJ-SU-ASHT",
        "language": "ru",
        "email": "",
    }
    response = client.post("/accounts/users/new/", form)
    assert response.status_code == 400
    assert 'class="field has-error"' in response.content.decode()
    assert not User.objects.filter(username="farida").exists()

    response = client.post(
        "/accounts/users/new/", {**form, "places": "tj-su-asht-ponghoz-v01 TJ-SU-ASHT-PONGHOZ-V02"}
    )
    assert response.status_code == 302
    farida = User.objects.get(username="farida")
    assert farida.role == Role.ENUMERATOR and farida.language == "ru"
    assert {p.code for p in farida.places.all()} == {
        "TJ-SU-ASHT-PONGHOZ-V01",
        "TJ-SU-ASHT-PONGHOZ-V02",
    }
    assert farida.check_password("a-long-enough-password-42")
    assert AuditLog.objects.filter(user=cast.admin, action="create", object_id=str(farida.pk))
    assert "farida" in client.get("/accounts/users/").content.decode()

    # The same username again is refused by name.
    response = client.post("/accounts/users/new/", {**form, "places": "TJ-SU-ASHT-PONGHOZ-V01"})
    assert response.status_code == 400
    assert User.objects.filter(username="farida").count() == 1


def test_it_lets_an_admin_make_an_owner_and_needs_a_real_household(
    client: Client, cast: Cast
) -> None:
    client.force_login(cast.admin)
    form = {
        "username": "nodir",
        "password": "a-long-enough-password-42",
        "role": Role.OWNER,
        "places": "",
        "language": "tg",
        "household": "",
    }
    assert client.post("/accounts/users/new/", form).status_code == 400
    form["household"] = "00000000-0000-0000-0000-000000000000"
    assert client.post("/accounts/users/new/", form).status_code == 400
    form["household"] = str(cast.household.pk)
    assert client.post("/accounts/users/new/", form).status_code == 302
    assert User.objects.get(username="nodir").household == cast.household


def test_it_lets_an_admin_edit_and_deactivate_an_account(client: Client, cast: Cast) -> None:
    token_for(cast.keyholder)
    client.force_login(cast.admin)
    url = f"/accounts/users/{cast.keyholder.pk}/"
    page = client.get(url).content.decode()
    assert "TJ-SU-ASHT-PONGHOZ-V01" in page
    response = client.post(
        url, {"role": Role.KEYHOLDER, "places": "TJ-SU-ASHT-PONGHOZ-V02", "language": "en"}
    )
    assert response.status_code == 302
    cast.keyholder.refresh_from_db()
    assert [p.code for p in cast.keyholder.places.all()] == ["TJ-SU-ASHT-PONGHOZ-V02"]
    assert AuditLog.objects.filter(action="update", object_id=str(cast.keyholder.pk)).exists()

    assert client.post(f"{url}deactivate/").status_code == 302
    cast.keyholder.refresh_from_db()
    assert not cast.keyholder.is_active
    assert not ApiToken.objects.filter(user=cast.keyholder).exists()
    other = Client()
    assert not other.login(username="keyholder", password="correct-horse-battery")

    # An administrator cannot lock themselves out.
    response = client.post(f"/accounts/users/{cast.admin.pk}/deactivate/", follow=True)
    cast.admin.refresh_from_db()
    assert cast.admin.is_active
    assert 'class="msg error"' in response.content.decode()


def test_it_refuses_account_pages_to_everyone_but_administrators(
    client: Client, cast: Cast
) -> None:
    for user in (cast.officer, cast.enumerator, cast.keyholder, cast.owner, cast.outsider):
        client.force_login(user)
        assert client.get("/accounts/users/").status_code == 403
        assert client.get("/accounts/users/new/").status_code == 403
        assert client.post(f"/accounts/users/{cast.owner.pk}/deactivate/").status_code == 403
    cast.owner.refresh_from_db()
    assert cast.owner.is_active
    client.logout()
    assert client.get("/accounts/users/").status_code == 302
