"""Place pages: walking country > region > district > jamoat > village within one's area."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from keyholder.registry.queries import statuses_on
from keyholder.testing import Cast, make_event, make_household, make_person


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def page(client: Client, code: str) -> str:
    response = client.get(f"/places/{code}/")
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_it_walks_from_the_country_down_to_the_village_with_counts(
    client: Client, cast: Cast
) -> None:
    aziz = make_person(cast.household, "Aziz")
    make_event(aziz, "departed", days_ago(100), country="RU", destination="Moscow")
    make_person(cast.household, "Nigina", sex="f")
    rahim = make_person(cast.other_household, "Rahim")
    make_event(rahim, "departed", days_ago(50), country="KZ")
    client.force_login(cast.region_officer)

    country = page(client, "TJ")
    assert 'href="/places/TJ-SU/"' in country
    region = page(client, "TJ-SU")
    # The region officer's area holds both districts: Asht (1 abroad) and Ghafurov (1 abroad).
    assert 'href="/places/TJ-SU-ASHT/"' in region
    assert 'href="/places/TJ-SU-GHAFUROV/"' in region
    district = page(client, "TJ-SU-ASHT")
    assert 'href="/places/TJ-SU-ASHT-PONGHOZ/"' in district
    assert "<strong>1</strong>" in district  # one household, one resident abroad
    jamoat = page(client, "TJ-SU-ASHT-PONGHOZ")
    assert 'href="/places/TJ-SU-ASHT-PONGHOZ-V01/"' in jamoat
    assert 'class="badge sample"' in jamoat
    village = page(client, "TJ-SU-ASHT-PONGHOZ-V01")
    assert "Aziz Karimov" in village
    assert "Moscow" in village
    assert 'class="badge sample"' in village
    # Breadcrumbs link back up the chain.
    assert 'href="/places/TJ-SU-ASHT-PONGHOZ/"' in village
    assert 'href="/places/TJ/"' in village


def test_it_shows_the_outsider_only_the_chain_above_their_own_district(
    client: Client, cast: Cast
) -> None:
    client.force_login(cast.outsider)
    region = page(client, "TJ-SU")
    assert 'href="/places/TJ-SU-GHAFUROV/"' in region
    assert "TJ-SU-ASHT" not in region
    for code in ("TJ-SU-ASHT", "TJ-SU-ASHT-PONGHOZ", "TJ-SU-ASHT-PONGHOZ-V01"):
        assert client.get(f"/places/{code}/").status_code == 404
    assert client.get("/places/NOWHERE/").status_code == 404


def test_it_limits_counts_to_the_users_area(client: Client, cast: Cast) -> None:
    make_event(make_person(cast.other_household, "Rahim"), "departed", days_ago(5))
    make_event(make_person(cast.household, "Aziz"), "departed", days_ago(5))
    make_event(make_person(cast.household, "Umed"), "departed", days_ago(5))
    client.force_login(cast.outsider)
    region = page(client, "TJ-SU")
    # Only Ghafurov's one household and one resident abroad are counted for the outsider.
    assert region.count("<strong>1</strong>") == 2
    client.force_login(cast.region_officer)
    region = page(client, "TJ-SU")
    assert "<strong>2</strong>" in region and "<strong>3</strong>" in region


def test_it_needs_sign_in_for_place_pages(client: Client, cast: Cast) -> None:
    response = client.get("/places/TJ/")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/")


@pytest.mark.parametrize("households", [2, 12])
def test_it_shows_a_village_in_a_fixed_number_of_queries(
    client: Client, cast: Cast, django_assert_max_num_queries: object, households: int
) -> None:
    for n in range(households):
        household = make_household(cast.village, f"Family {n}", is_sample=True)
        for given in ("A", "B", "C"):
            person = make_person(household, given, is_sample=True)
            make_event(person, "departed", days_ago(300), country="RU", destination="Tver")
            make_event(person, "returned", days_ago(200))
            make_event(person, "moved", days_ago(100), moved_to=cast.jamoat)
            make_event(person, "returned", days_ago(50))
    client.force_login(cast.enumerator)
    # The events of the village in one query, their statuses from the spans in another; and
    # one audit row for what the page names.
    with django_assert_max_num_queries(11):  # type: ignore[operator]
        html = page(client, "TJ-SU-ASHT-PONGHOZ-V01")
    assert html.count('class="row"') == households + 1


def test_it_shows_a_big_village_a_page_at_a_time(client: Client, cast: Cast) -> None:
    for n in range(55):
        household = make_household(cast.village, f"Family {n:02d}")
        make_event(make_person(household, "A"), "departed", days_ago(10), country="RU")
    client.force_login(cast.officer)
    first = page(client, "TJ-SU-ASHT-PONGHOZ-V01")
    # 56 households (with Karimov) and 55 abroad in all, 50 of each on the first page.
    assert "<strong>56</strong>" in first and "<strong>55</strong>" in first
    assert first.count('class="row"') == 50
    assert 'href="?page=2&amp;away=1#households"' in first
    second = client.get("/places/TJ-SU-ASHT-PONGHOZ-V01/?page=2&away=2").content.decode()
    assert second.count('class="row"') == 6
    assert second.count('class="away-person"') == 5
    assert first.count('class="away-person"') == 50


def test_it_counts_residents_abroad_exactly_as_the_status_rules_do(
    client: Client, cast: Cast
) -> None:
    household = cast.household
    histories: list[list[tuple[str, int, dict[str, object]]]] = [
        [("departed", 300, {})],  # abroad
        [("departed", 300, {}), ("returned", 200, {})],  # back home
        [("departed", 300, {}), ("returned", 200, {}), ("departed", 100, {})],  # abroad again
        [("departed", 300, {}), ("deported", 200, {}), ("entry_ban", 200, {"until": 400})],
        [("departed", 300, {}), ("entry_ban", 100, {"until": 400, "country": "RU"})],  # abroad
        [("departed", 300, {}), ("died", 100, {})],  # dead abroad: not counted
        [("departed", 300, {}), ("left", 100, {})],  # left the household
        [("moved", 300, {"moved_to": cast.jamoat}), ("returned", 200, {})],
        # A return and a new departure on the same day leave the person abroad.
        [("departed", 300, {}), ("returned", 50, {}), ("departed", 50, {})],
        [("departed", -30, {})],  # departure in the future: not abroad today
    ]
    people = []
    for n, history in enumerate(histories):
        person = make_person(household, f"P{n}")
        for kind, ago, extra in history:
            fields = dict(extra)
            if "until" in fields:
                fields["until"] = days_ago(-int(str(fields["until"])))
            make_event(person, kind, days_ago(ago), **fields)
        people.append(person)

    today = timezone.localdate()
    expected = sum(1 for s in statuses_on(people, today).values() if s.abroad)
    assert expected == 4
    client.force_login(cast.officer)
    jamoat = page(client, "TJ-SU-ASHT-PONGHOZ")
    assert f"<strong>{expected}</strong>" in jamoat
    village = page(client, "TJ-SU-ASHT-PONGHOZ-V01")
    assert village.count('class="away-person"') == expected


def test_it_shows_owners_and_keyholders_only_what_is_theirs(client: Client, cast: Cast) -> None:
    make_household(cast.village, "Nazarov")
    make_household(cast.village2, "Sharipov")
    client.force_login(cast.owner)
    village = page(client, "TJ-SU-ASHT-PONGHOZ-V01")
    assert "Karimov" in village and "Nazarov" not in village
    assert client.get("/places/TJ-SU-ASHT-PONGHOZ-V02/").status_code == 404
    # A keyholder browses no registry (issue 13, item 6): their houses are on their own pages.
    client.force_login(cast.keyholder)
    for code in ("TJ-SU-ASHT-PONGHOZ-V01", "TJ-SU-ASHT-PONGHOZ-V02", "TJ-SU-ASHT-PONGHOZ"):
        assert client.get(f"/places/{code}/").status_code == 404
