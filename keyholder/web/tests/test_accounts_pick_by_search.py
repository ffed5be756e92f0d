"""Accounts without codes (issue 11): the administrator finds the owner's household and the
area's places by name, and a refused form keeps what was typed and asks for the password."""

from __future__ import annotations

import re

from django.test import Client

from keyholder.accounts.models import Role, User
from keyholder.testing import Cast, make_house, make_household

# The Tajik page (the default language) says the password must be typed again.
PASSWORD_AGAIN_TG = "Паролро бори дигар ворид кунед"


def test_an_admin_makes_an_owner_by_finding_the_household_by_name(
    client: Client, cast: Cast
) -> None:
    rahimov = make_household(
        cast.village, "Раҳимов", house=make_house(cast.village, street="Сомонӣ", number="7")
    )
    client.force_login(cast.admin)
    page = client.get("/accounts/users/new/").content.decode()
    assert 'name="household_q"' in page and 'name="place_q"' in page
    form = {
        "username": "nodir",
        "password": "a-long-enough-password-42",
        "role": Role.OWNER,
        "language": "tg",
        "email": "nodir@example.org",
        "household_q": "рахимов",
        "find": "household_q",
    }
    found = client.post("/accounts/users/new/", form)
    body = found.content.decode()
    assert found.status_code == 200
    assert f'value="{rahimov.pk}"' in body and "Раҳимов, Деҳаи 1, Сомонӣ 7" in body
    # The administrator's area is the country: the Rahimov of Ghafurov is offered too.
    assert str(cast.other_household.pk) in body
    # Nothing was created, everything typed is still there, and the password must be retyped.
    assert not User.objects.filter(username="nodir").exists()
    assert 'value="nodir"' in body and 'value="nodir@example.org"' in body
    assert PASSWORD_AGAIN_TG in body
    assert "a-long-enough-password-42" not in body

    # Refused (a weak password): the household stays picked, the rest stays typed.
    refused = client.post(
        "/accounts/users/new/",
        {**form, "find": "", "household": str(rahimov.pk), "password": "123"},
    )
    body = refused.content.decode()
    assert refused.status_code == 400
    assert re.search(f'type="radio" name="household" value="{rahimov.pk}"[^>]*checked', body)
    assert 'value="nodir"' in body and PASSWORD_AGAIN_TG in body

    done = client.post("/accounts/users/new/", {**form, "find": "", "household": str(rahimov.pk)})
    assert done.status_code == 302
    assert User.objects.get(username="nodir").household == rahimov


def test_an_admin_ticks_the_area_among_places_found_by_name(client: Client, cast: Cast) -> None:
    client.force_login(cast.admin)
    form = {
        "username": "farida",
        "password": "a-long-enough-password-42",
        "role": Role.ENUMERATOR,
        "language": "ru",
        "place_q": "Деҳаи",
        "find": "place_q",
    }
    body = client.post("/accounts/users/new/", form).content.decode()
    assert 'value="TJ-SU-ASHT-PONGHOZ-V01"' in body and 'value="TJ-SU-ASHT-PONGHOZ-V02"' in body
    nothing = client.post("/accounts/users/new/", {**form, "place_q": "Хуҷанд"}).content.decode()
    assert "Хуҷанд" in nothing and 'name="places"' not in nothing

    # A code with a Cyrillic "О" (as a script might send it) is refused by its character.
    lookalike = "TJ-SU-ASHT-P\u041eNGHOZ-V01"
    refused = client.post("/accounts/users/new/", {**form, "find": "", "places": lookalike})
    body = refused.content.decode()
    assert refused.status_code == 400
    assert "«О» (Кириллӣ, U+041E)" in body and "13" in body
    # What was sent stays ticked, to be unticked.
    assert f'value="{lookalike}"' in body

    done = client.post(
        "/accounts/users/new/",
        {**form, "find": "", "places": ["TJ-SU-ASHT-PONGHOZ-V01", "TJ-SU-ASHT-PONGHOZ-V02"]},
    )
    assert done.status_code == 302
    assert {p.code for p in User.objects.get(username="farida").places.all()} == {
        "TJ-SU-ASHT-PONGHOZ-V01",
        "TJ-SU-ASHT-PONGHOZ-V02",
    }


def first_submit_button(body: str, action: str) -> str:
    """The first submit button of the form posting to ``action``: the one Enter presses."""
    form = body[body.index(f'action="{action}"') :]
    form = form[: form.index("</form>")]
    button = re.search(r'<button type="submit"[^>]*>[^<]*</button>', form)
    assert button is not None
    return button.group()


def test_enter_in_a_field_runs_the_forms_main_action_not_find(client: Client, cast: Cast) -> None:
    client.force_login(cast.admin)
    page = client.get("/accounts/users/new/").content.decode()
    # The page has its "Find" buttons, but the first submit button is "Create the account"
    # (Tajik: the default language), without the name "find" that makes a post a search.
    assert 'name="find" value="household_q"' in page
    first = first_submit_button(page, "/accounts/users/new/")
    assert "Сохтани ҳисоб" in first
    assert 'name="find"' not in first
    edit = f"/accounts/users/{cast.enumerator.pk}/"
    first = first_submit_button(client.get(edit).content.decode(), edit)
    assert 'name="find"' not in first
    # What that button sends (no "find") creates the account.
    form = {
        "username": "zarina",
        "password": "a-long-enough-password-42",
        "role": Role.ENUMERATOR,
        "language": "tg",
        "places": cast.village.code,
        "place_q": "деҳа",
    }
    assert client.post("/accounts/users/new/", form).status_code == 302
    assert User.objects.filter(username="zarina").exists()
