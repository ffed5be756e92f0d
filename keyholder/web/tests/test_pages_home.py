"""Home sends each role to the page it works from."""

from __future__ import annotations

from django.test import Client

from keyholder.accounts.models import Role
from keyholder.testing import Cast, make_user


def landing(client: Client, user: object) -> str:
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get("/")
    assert response.status_code == 302
    return str(response["Location"])


def test_it_sends_each_role_to_its_own_page(client: Client, cast: Cast) -> None:
    assert landing(client, cast.officer) == "/places/TJ-SU-ASHT/"
    assert landing(client, cast.region_officer) == "/places/TJ-SU/"
    assert landing(client, cast.outsider) == "/places/TJ-SU-GHAFUROV/"
    assert landing(client, cast.enumerator) == "/places/TJ-SU-ASHT-PONGHOZ-V01/"
    assert landing(client, cast.keyholder) == "/keeping/today/"
    assert landing(client, cast.owner) == "/keeping/mine/"
    assert landing(client, cast.admin) == "/places/TJ/"
    # Each landing page opens for its user, and the admin sees the way to the accounts.
    for user in (cast.officer, cast.enumerator, cast.keyholder, cast.owner, cast.admin):
        client.force_login(user)
        page = client.get(landing(client, user))
        assert page.status_code == 200, user.username
        assert ('href="/accounts/users/"' in page.content.decode()) == (user == cast.admin)


def test_it_tells_a_user_without_an_area_to_ask_for_one(client: Client, cast: Cast) -> None:
    client.force_login(make_user("newcomer", Role.ENUMERATOR))
    response = client.get("/")
    assert response.status_code == 200
    assert 'action="/signout/"' in response.content.decode()


def test_it_sends_anonymous_visitors_to_sign_in(client: Client, cast: Cast) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/signin/?next=/"
