"""Home sends each role to the page it works from, and that page's menu leads to the role's work.

Where each role lands: an owner abroad on their house(s), a keyholder on today's rounds, an
officer, enumerator or administrator on the place at the top of their area. The menu of every
signed-in page: "Today" for a keyholder, "My house" and "My legal calendar" for an owner (a
migrant's own calendar, keyholder/migrant), the indicators of their area
for an officer and the administrator, "Accounts" for the administrator only, the audit log for
an officer and the administrator, "Notifications" for everyone. A user without an area is told to ask for one.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from keyholder.accounts.models import Role
from keyholder.testing import Cast, make_user, signed_in

NAV = re.compile(r'<nav class="nav"[^>]*>(.*?)</nav>', re.S)
HREF = re.compile(r'href="([^"]+)"')

# Role of the cast: (where home sends them, the links of the menu on every page).
LANDINGS = {
    "officer": (
        "/places/TJ-SU-ASHT/",
        ["/indicators/TJ-SU-ASHT/", "/registry/upload/", "/audit/", "/notify/", "/password/"],
    ),
    "region_officer": (
        "/places/TJ-SU/",
        ["/indicators/TJ-SU/", "/registry/upload/", "/audit/", "/notify/", "/password/"],
    ),
    "outsider": (
        "/places/TJ-SU-GHAFUROV/",
        [
            "/indicators/TJ-SU-GHAFUROV/",
            "/registry/upload/",
            "/audit/",
            "/notify/",
            "/password/",
        ],
    ),
    "enumerator": (
        "/places/TJ-SU-ASHT-PONGHOZ-V01/",
        ["/registry/upload/", "/notify/", "/password/"],
    ),
    "keyholder": ("/keeping/today/", ["/keeping/today/", "/notify/", "/password/"]),
    "owner": ("/keeping/mine/", ["/keeping/mine/", "/migrant/", "/notify/", "/password/"]),
    "admin": (
        "/places/TJ/",
        [
            "/indicators/TJ/",
            "/registry/upload/",
            "/accounts/users/",
            "/audit/",
            "/notify/",
            "/password/",
        ],
    ),
}


def menu(html: str) -> list[str]:
    found = NAV.search(html)
    assert found, "no menu on the page"
    return HREF.findall(found.group(1))


@pytest.mark.parametrize("role", LANDINGS)
def test_it_lands_each_role_on_its_work_with_its_menu(cast: Cast, role: str) -> None:
    landing, links = LANDINGS[role]
    client = signed_in(getattr(cast, role))

    home = client.get("/")
    assert (home.status_code, home["Location"]) == (302, landing)

    page = client.get(landing)
    assert page.status_code == 200
    assert menu(page.content.decode()) == links


def test_it_tells_a_user_without_an_area_to_ask_for_one(client: Client, cast: Cast) -> None:
    client.force_login(make_user("newcomer", Role.ENUMERATOR))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    response = client.get("/")

    # Home itself answers: there is no page of an area to send them to.
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your account has no area yet. Ask an administrator to assign" in html
    assert 'href="/places/' not in html
    # The upload page stays in the menu: it refuses every row outside the (empty) area.
    assert menu(html) == ["/registry/upload/", "/notify/", "/password/"]


def test_it_sends_anonymous_visitors_to_sign_in(client: Client, cast: Cast) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/signin/?next=/"
