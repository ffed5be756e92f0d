"""GET /api/v1/places and /api/v1/places/{code}: public reference data."""

from __future__ import annotations

from keyholder.places.models import Place, PlaceKind
from keyholder.testing import bearer, make_place

BOUNDARY = {
    "type": "Polygon",
    "coordinates": [[[69.9, 40.6], [70.1, 40.6], [70.0, 40.8], [69.9, 40.6]]],
}


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["results"]]


def test_anyone_may_list_and_filter_places(client, cast):
    Place.objects.filter(code="TJ-SU-ASHT").update(
        name_ru="Аштский район", boundary=BOUNDARY, population=146143, population_year=2015
    )
    everything = client.get("/api/v1/places")
    assert everything.json()["count"] == Place.objects.count()
    # Names in each language and the code match, whatever the case.
    assert _codes(client.get("/api/v1/places?q=АШТСКИЙ")) == ["TJ-SU-ASHT"]
    assert _codes(client.get("/api/v1/places?q=asht&kind=district")) == ["TJ-SU-ASHT"]
    assert _codes(client.get("/api/v1/places?q=понғоз")) == ["TJ-SU-ASHT-PONGHOZ"]
    assert set(_codes(client.get("/api/v1/places?q=ghafurov"))) == {
        "TJ-SU-GHAFUROV",
        "TJ-SU-GHAFUROV-J1",
        "TJ-SU-GHAFUROV-J1-V01",
    }
    assert _codes(client.get("/api/v1/places?parent=TJ-SU-ASHT-PONGHOZ")) == [
        "TJ-SU-ASHT-PONGHOZ-V01",
        "TJ-SU-ASHT-PONGHOZ-V02",
    ]
    district = client.get("/api/v1/places?q=TJ-SU-ASHT&kind=district").json()["results"][0]
    # The list leaves the (big) boundary out and names the parent by its code.
    assert "boundary" not in district
    assert district["parent"] == "TJ-SU"
    assert district["population"] == 146143


def test_it_refuses_an_unknown_kind_or_parent(client, cast):
    response = client.get("/api/v1/places?kind=planet")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("invalid.field", "kind")
    response = client.get("/api/v1/places?parent=TJ-XX")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid.place"


def test_the_detail_has_the_boundary_and_the_sample_flag(client, cast):
    Place.objects.filter(code="TJ-SU-ASHT").update(boundary=BOUNDARY, latitude=40.67)
    district = client.get("/api/v1/places/TJ-SU-ASHT").json()
    assert district["boundary"] == BOUNDARY
    assert district["latitude"] == 40.67
    assert district["is_sample"] is False
    village = client.get("/api/v1/places/TJ-SU-ASHT-PONGHOZ-V01").json()
    assert village["is_sample"] is True
    assert village["kind"] == "village"
    assert village["parent"] == "TJ-SU-ASHT-PONGHOZ"
    missing = client.get("/api/v1/places/TJ-SU-NOWHERE")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_the_name_follows_the_request_language(client, cast):
    Place.objects.filter(code="TJ").update(name_ru="Таджикистан")
    names = {}
    for language in ("tg", "ru", "en"):
        response = client.get("/api/v1/places/TJ", HTTP_ACCEPT_LANGUAGE=language)
        names[language] = response.json()["name"]
    assert names == {"tg": "Тоҷикистон", "ru": "Таджикистан", "en": "Tajikistan"}


def test_it_pages_through_places_with_a_cursor(client, cast, django_assert_max_num_queries):
    for number in range(1, 26):
        make_place(f"TJ-SU-ASHT-PONGHOZ-V{number + 10:02d}", PlaceKind.VILLAGE, cast.jamoat)
    seen: list[str] = []
    url = "/api/v1/places?parent=TJ-SU-ASHT-PONGHOZ&limit=10"
    while url:
        # Anonymous and signed-in clients alike; a page is a few queries, whatever its size.
        with django_assert_max_num_queries(6):
            body = client.get(url, **bearer(cast.officer)).json()
        assert body["count"] == 27
        seen += [item["code"] for item in body["results"]]
        url = (
            f"/api/v1/places?parent=TJ-SU-ASHT-PONGHOZ&limit=10&cursor={body['next']}"
            if body["next"]
            else ""
        )
    assert len(seen) == 27
    assert seen == sorted(seen)
    assert client.get("/api/v1/places?cursor=!!").json()["code"] == "invalid.cursor"
