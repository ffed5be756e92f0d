"""A language switch on every page: Tajik by default, then Russian or English."""

from __future__ import annotations

from django.test import Client

from keyholder.testing import Cast


def test_it_switches_the_page_language_and_keeps_it(client: Client, cast: Cast) -> None:
    client.force_login(cast.enumerator)
    village = "/places/TJ-SU-ASHT-PONGHOZ-V01/"
    html = client.get(village).content.decode()
    assert '<html lang="tg">' in html
    assert 'action="/i18n/setlang/"' in html and f'name="next" value="{village}"' in html

    response = client.post("/i18n/setlang/", {"language": "ru", "next": village})
    assert response.status_code == 302
    assert response["Location"] == village
    html = client.get(village).content.decode()
    assert '<html lang="ru">' in html
    assert 'aria-current="true">RU' in html

    client.post("/i18n/setlang/", {"language": "en", "next": village})
    assert '<html lang="en">' in client.get(village).content.decode()


def test_it_translates_the_sign_in_page_into_russian(client: Client, cast: Cast) -> None:
    client.post("/i18n/setlang/", {"language": "ru", "next": "/signin/"})
    html = client.get("/signin/").content.decode()
    assert '<html lang="ru">' in html
    # Django's Russian catalogue names the password field: the switch reached gettext.
    assert "Пароль" in html and "Парол<" not in html


def test_it_ignores_a_language_that_is_not_offered(client: Client, cast: Cast) -> None:
    client.post("/i18n/setlang/", {"language": "de", "next": "/signin/"})
    assert '<html lang="tg">' in client.get("/signin/").content.decode()


def test_it_opens_pages_in_tajik_whatever_the_browser_asks_until_the_switch_is_used(
    client: Client, cast: Cast
) -> None:
    # Phones in Tajikistan mostly send Russian or English: the pages still open in Tajik.
    html = client.get("/signin/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="tg">' in html and "Парол" in html
    client.post("/i18n/setlang/", {"language": "ru", "next": "/signin/"})
    html = client.get("/signin/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="ru">' in html


def test_it_switches_language_from_a_form_shown_again_back_to_the_forms_page(
    client: Client, cast: Cast
) -> None:
    client.force_login(cast.enumerator)
    form_page = "/registry/villages/TJ-SU-ASHT-PONGHOZ-V01/households/new/"
    response = client.post(form_page, {"name": ""}, HTTP_REFERER=f"http://testserver{form_page}")
    assert response.status_code == 400
    assert f'name="next" value="{form_page}"' in response.content.decode()
    response = client.post(form_page, {"name": ""}, HTTP_REFERER="https://elsewhere.example/x")
    assert 'name="next" value="/"' in response.content.decode()


def test_it_opens_in_the_users_own_language_until_the_switch_is_used(
    client: Client, cast: Cast
) -> None:
    cast.enumerator.language = "ru"
    cast.enumerator.save(update_fields=["language"])
    client.force_login(cast.enumerator)
    village = "/places/TJ-SU-ASHT-PONGHOZ-V01/"
    assert '<html lang="ru">' in client.get(village).content.decode()
    # The switch wins over the saved choice.
    client.post("/i18n/setlang/", {"language": "en", "next": village})
    assert '<html lang="en">' in client.get(village).content.decode()
    # A visitor who has not signed in still gets Tajik.
    assert '<html lang="tg">' in Client().get("/signin/").content.decode()
