"""A place code typed with a Cyrillic "О" looks like the real one: it is refused with a message
that names the character, its script and its position (issue 11)."""

from __future__ import annotations

from django.test import Client

from keyholder.registry.models import Household
from keyholder.testing import Cast, bearer

# "TJ-SU-ASHT-PONGHOZ-V01" with a Cyrillic capital "О" (U+041E) as its 13th character.
LOOKALIKE = "TJ-SU-ASHT-P\u041eNGHOZ-V01"


def test_a_code_with_a_cyrillic_letter_is_refused_naming_it(client: Client, cast: Cast) -> None:
    response = client.post(
        "/api/v1/households",
        {"village": LOOKALIKE, "name": "Раҳимов"},
        content_type="application/json",
        **bearer(cast.enumerator),
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid.place_character"
    assert body["field"] == "village"
    # Tajik, the default language.
    assert "«О» (Кириллӣ, U+041E)" in body["message"]
    assert "дар мавқеи 13" in body["message"]
    assert not Household.objects.filter(name="Раҳимов").exists()

    listed = client.get(
        "/api/v1/persons", {"place": LOOKALIKE}, HTTP_ACCEPT_LANGUAGE="en", **bearer(cast.officer)
    )
    assert listed.status_code == 400
    assert listed.json()["code"] == "invalid.place_character"

    # The same code in Latin letters (and in lower case) is the village.
    created = client.post(
        "/api/v1/households",
        {"village": LOOKALIKE.replace("\u041e", "o").lower(), "name": "Раҳимов"},
        content_type="application/json",
        **bearer(cast.enumerator),
    )
    assert created.status_code == 201
    # An unknown code of Latin letters keeps its plain answer.
    unknown = client.get("/api/v1/persons", {"place": "TJ-NOWHERE"}, **bearer(cast.officer))
    assert unknown.json()["code"] == "invalid.place"
